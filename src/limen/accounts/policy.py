"""Password policy: Django password validators configured from settings.

Defaults follow the seeds: at least 10 characters from at least three of the
four groups (upper case, lower case, digits, special characters); no part of
the e-mail's local part or the names; no common password.
"""

from __future__ import annotations

import re
import secrets
import string
import unicodedata

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.password_validation import CommonPasswordValidator as _DjangoCommon
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

MAX_LENGTH = 256
SPECIALS = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~ "


def character_classes(password: str) -> int:
    groups = [False, False, False, False]
    for ch in password:
        if ch.isupper():
            groups[0] = True
        elif ch.islower():
            groups[1] = True
        elif ch.isdigit():
            groups[2] = True
        else:
            groups[3] = True
    return sum(groups)


class MinimumLengthValidator:
    def validate(self, password, user=None):
        minimum = settings.PASSWORD_MIN_LENGTH
        if len(password) < minimum:
            raise ValidationError(
                ngettext(
                    "Your password is too short: use at least %(min)d character.",
                    "Your password is too short: use at least %(min)d characters.",
                    minimum,
                )
                % {"min": minimum},
                code="password_too_short",
            )

    def get_help_text(self):
        minimum = settings.PASSWORD_MIN_LENGTH
        return ngettext("At least %(min)d character.", "At least %(min)d characters.", minimum) % {"min": minimum}


class MaximumLengthValidator:
    def validate(self, password, user=None):
        if len(password) > MAX_LENGTH:
            raise ValidationError(
                _("Your password is too long: use at most %(max)d characters.") % {"max": MAX_LENGTH},
                code="password_too_long",
            )

    def get_help_text(self):
        return ""


class CharacterClassesValidator:
    def validate(self, password, user=None):
        needed = settings.PASSWORD_MIN_CLASSES
        if character_classes(password) < needed:
            raise ValidationError(
                _(
                    "Use characters from at least %(n)d of the four groups: upper case, lower case, "
                    "digits and special characters."
                )
                % {"n": needed},
                code="password_too_simple",
            )

    def get_help_text(self):
        return _(
            "Characters from at least %(n)d of these groups: upper case (A-Z), lower case (a-z), "
            "digits (0-9), special characters (such as - ? & %%)."
        ) % {"n": settings.PASSWORD_MIN_CLASSES}


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()


def personal_fragments(*, email: str = "", first_name: str = "", last_name: str = "") -> list[str]:
    local = email.rpartition("@")[0] if "@" in email else email
    pieces = [local, *re.split(r"[.\-_+ ]+", local), first_name, last_name,
              *re.split(r"[\s\-']+", first_name), *re.split(r"[\s\-']+", last_name)]
    # Fragments of 3+ characters: "Jo" in a password is no leak, "johansson" is.
    return sorted({_fold(p) for p in pieces if len(p.strip()) >= 3}, key=len, reverse=True)


class PersonalDataValidator:
    def validate(self, password, user=None):
        if user is None:
            return
        folded = _fold(password)
        for fragment in personal_fragments(
            email=getattr(user, "email", "") or "",
            first_name=getattr(user, "first_name", "") or "",
            last_name=getattr(user, "last_name", "") or "",
        ):
            if fragment in folded:
                raise ValidationError(
                    _("Your password must not contain your name or the first part of your e-mail address."),
                    code="password_has_personal_data",
                )

    def get_help_text(self):
        return _("Not your name, nor the part of your e-mail address before the @.")


class CommonPasswordValidator(_DjangoCommon):
    def validate(self, password, user=None):
        try:
            super().validate(password, user)
        except ValidationError:
            raise ValidationError(
                _("This password is among the most common ones and would be guessed quickly."),
                code="password_too_common",
            ) from None

    def get_help_text(self):
        return _("Not a common password.")


def help_texts() -> list[str]:
    return [t for t in password_validation.password_validators_help_texts() if t]


def sample_passwords(count: int = 3, length: int | None = None) -> list[str]:
    """Random passwords that satisfy the default policy, for the 'examples' hint."""
    length = max(length or settings.PASSWORD_MIN_LENGTH + 2, 12)
    alphabet = string.ascii_letters + string.digits + "-?&%!#+="
    samples = []
    while len(samples) < count:
        candidate = "".join(secrets.choice(alphabet) for _ in range(length))
        if character_classes(candidate) == 4:
            samples.append(candidate)
    return samples
