"""The interface every second factor implements, and the registry.

A method lives in its own sub-package (mobile_app/, sms/, webauthn/, ...)
that subclasses Factor and calls ``registry.register`` from its AppConfig.
Adding a method touches only its package and one INSTALLED_APPS line.

The sign-in flow (limen.signin.flow) asks the registry which methods a
person can use, sends them to ``challenge_url`` after the password (or,
for step-up, without it), and the method's own view calls
``limen.signin.flow.second_factor_passed(request, strength)`` when the
person has proved possession.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from django.utils.functional import Promise


class Factor(ABC):
    #: stable key, used in URLs and forms ("mobile_app_pin")
    key: str
    #: EU Login strength name reported to applications ("PASSWORD_MOBILE_APP")
    strength: str
    #: user-facing name and one-line description (lazy translations)
    label: str | Promise
    description: str | Promise = ""
    #: shown in the sign-in list in this order
    order: int = 100
    #: True for methods that replace the password (passkeys, eID)
    passwordless: bool = False

    @abstractmethod
    def available_for(self, user) -> bool:
        """Whether this person has enrolled what the method needs."""

    @abstractmethod
    def challenge_url(self) -> str:
        """Where the sign-in flow sends the person to prove the factor."""

    def manage_url(self) -> str | None:
        """My Account page where the person adds and removes this factor."""
        return None

    def manage_label(self) -> str | Promise | None:
        return None

    def enrolled_count(self, user) -> int:
        return 1 if self.available_for(user) else 0

    def remove_all(self, user) -> int:
        """Remove everything of this method for the user (PANIC); returns how many."""
        return 0


class Registry:
    def __init__(self):
        self._factors: dict[str, Factor] = {}

    def register(self, factor: Factor) -> Factor:
        self._factors[factor.key] = factor
        return factor

    def get(self, key: str) -> Factor | None:
        return self._factors.get(key)

    def all(self) -> list[Factor]:
        return sorted(self._factors.values(), key=lambda f: (f.order, f.key))

    def available_for(self, user) -> list[Factor]:
        return [f for f in self.all() if f.available_for(user)]

    def has_second_factor(self, user) -> bool:
        return any(f.available_for(user) for f in self.all())


registry = Registry()
