"""Which 4-digit PINs are too easy to guess, and why."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from limen_protocol import pin as pin_protocol

# The most often chosen 4-digit codes in published studies of leaked PIN lists.
COMMON = {
    "1234", "1111", "0000", "1212", "7777", "1004", "2000", "4444", "2222", "6969", "9999", "3333", "5555",
    "6666", "1122", "1313", "8888", "4321", "2001", "1010", "0101", "1231", "2580", "0852", "1357", "2468",
}


def problem(pin: str) -> str | None:
    """A translated reason if ``pin`` must be refused, else None."""
    if not pin_protocol.valid_pin(pin):
        return str(_("The PIN code must be exactly 4 digits."))
    digits = [int(c) for c in pin]
    if len(set(digits)) == 1:
        return str(_("All four digits are the same: choose a PIN code that is harder to guess."))
    steps = {b - a for a, b in zip(digits, digits[1:])}
    if steps in ({1}, {-1}):
        return str(_("The digits follow each other (like 1234 or 4321): choose a PIN code that is harder to guess."))
    if pin[:2] == pin[2:]:
        return str(_("The PIN code repeats the same two digits (like 1212): choose one that is harder to guess."))
    if pin in COMMON:
        return str(_("This PIN code is one of the most often chosen: choose one that is harder to guess."))
    return None
