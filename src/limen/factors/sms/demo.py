"""Sample data for `limen demo`: a confirmed mobile number for a demo account (its codes go to the console
gateway, readable on the development outbox page)."""

from __future__ import annotations

from limen.core import clock

from .models import PhoneNumber


def give_number(user, number: str) -> None:
    PhoneNumber.objects.get_or_create(user=user, number=number, defaults={"added": clock.now()})
