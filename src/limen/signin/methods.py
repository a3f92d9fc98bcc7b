"""The interface every sign-in method implements, its descriptor, and the registry.

A method is its own package (``limen.factors.<name>``): a ``Method`` subclass
registered from its AppConfig, a challenge template, and whatever pages it
needs to be enrolled and managed. The package is listed once, in
``settings.SIGNIN_METHODS``; nothing else names it. Every table that depends
on methods (strength levels, amr values, the lists of the sign-in pages, My
Account's tiles) is derived from the descriptors here.

The sign-in pages drive a method through one generic challenge view
(``limen.signin.challenge``): ``begin`` says what to show, ``verify`` checks
the answer and returns a ``Proof``; ``limen.signin.complete`` does the rest.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils.functional import Promise

from .models import Level

if TYPE_CHECKING:  # pragma: no cover
    from .attempts import Attempt, Challenge, Proof, Redirect


@dataclass(frozen=True)
class Descriptor:
    """What a method is, from which everything about it is derived."""

    key: str                       # stable, in URLs and forms: "sms"
    strength: str                  # EU Login strength name reported to applications: "PASSWORD_SMS"
    level: Level                   # the level a sign-in with this method reaches
    amr: tuple[str, ...]           # RFC 8176 method references of the strength
    label: str | Promise           # user-facing name
    description: str | Promise = ""
    order: int = 100               # position in the lists of the sign-in pages
    second_factor: bool = True     # offered after the password, and for step-up
    passwordless: bool = False     # signs a person in on its own (passkey, eID)
    path: str = ""                 # challenge page under /login/ ("sms/"); empty: no generic page
    steps: tuple[str, ...] = ()    # further pages of the challenge ("code" -> /login/sms/code/)
    needs: tuple[str, ...] = ("password",)  # what must be proved first ("password"; () for none)
    multi_factor: bool = True      # the strength counts as two factors (amr "mfa")


@dataclass(frozen=True)
class ContactNumber:
    """A mobile number a method has confirmed for a person: a text sent there reaches them."""

    number: str  # E.164, +46701234567
    shown: str   # masked for display, +46 70 ••• •• 67


class Method(ABC):
    """A way of proving who one is. Subclasses set ``descriptor`` and implement the hooks."""

    descriptor: Descriptor
    #: the challenge page's own part, rendered inside signin/challenge.html
    template: str | None = None
    #: a script of the challenge page (a static path), if it needs one
    script: str | None = None
    #: a part of the identifier page, for passwordless methods (a button, autofill)
    identify_template: str | None = None

    @property
    def key(self) -> str:
        return self.descriptor.key

    @property
    def strength(self) -> str:
        return self.descriptor.strength

    @property
    def label(self):
        return self.descriptor.label

    @property
    def description(self):
        return self.descriptor.description

    # -- enrolment and management -------------------------------------------------------------

    @abstractmethod
    def available_for(self, user) -> bool:
        """Whether this person has enrolled what the method needs."""

    def manage_url(self) -> str | None:
        """My Account page where the person adds and removes this method."""
        return None

    def manage_label(self):
        return None

    def enrolled_count(self, user) -> int:
        return 1 if self.available_for(user) else 0

    def remove_all(self, user) -> int:
        """Remove everything of this method for the user (PANIC); returns how many."""
        return 0

    def contact_numbers(self, user) -> list[ContactNumber]:
        """Mobile numbers this method confirmed for the person, where other areas may send a text."""
        return []

    # -- sign-in -------------------------------------------------------------------------------

    def challenge_url(self, step: str = "") -> str:
        name = f"signin:method_{self.key}" + (f"_{step}" if step else "")
        return reverse(name)

    def begin(self, attempt: Attempt) -> Challenge | Redirect:
        """What to show on a GET of the challenge page (or one of its steps)."""
        raise NotImplementedError

    def verify(self, attempt: Attempt, data) -> Proof | Challenge | Redirect:
        """Check what the person sent; a Proof signs them in, a Challenge is shown again."""
        raise NotImplementedError

    def identify_context(self, request, next_url: str) -> dict[str, Any] | None:
        """Context of ``identify_template``; None hides the part (e.g. no eID provider)."""
        return {}


@dataclass
class Registry:
    _methods: dict[str, Method] = field(default_factory=dict)
    _sorted: list[Method] | None = None  # all(), kept until a method is added or removed

    def register(self, method: Method) -> Method:
        existing = next((m for m in self._methods.values() if m.strength == method.strength), None)
        if existing is not None and (existing.descriptor.level, existing.descriptor.amr,
                                     existing.descriptor.multi_factor) != (
                method.descriptor.level, method.descriptor.amr, method.descriptor.multi_factor):
            raise ValueError(f"{method.key} and {existing.key} report {method.strength} differently")
        self._methods[method.key] = method
        self._sorted = None
        return method

    def unregister(self, key: str) -> None:
        self._methods.pop(key, None)
        self._sorted = None

    def get(self, key: str | None) -> Method | None:
        return self._methods.get(key or "")

    def all(self) -> list[Method]:
        if self._sorted is None or len(self._sorted) != len(self._methods):
            self._sorted = sorted(self._methods.values(), key=lambda m: (m.descriptor.order, m.key))
        return self._sorted

    def second_factors(self) -> list[Method]:
        return [m for m in self.all() if m.descriptor.second_factor]

    def passwordless(self) -> list[Method]:
        return [m for m in self.all() if m.descriptor.passwordless]

    def available_for(self, user) -> list[Method]:
        """The methods offered after the password (or for step-up) to this person."""
        return [m for m in self.second_factors() if user is not None and m.available_for(user)]

    def has_second_factor(self, user) -> bool:
        return any(m.available_for(user) for m in self.second_factors())

    def remove_all(self, user) -> dict[str, int]:
        """Remove everything of every method for the user (PANIC, deleting the account); returns what was
        removed, by method key (methods with nothing left out)."""
        removed = {}
        for method in self.all():
            count = method.remove_all(user)
            if count:
                removed[method.key] = count
        return removed

    def with_pages(self) -> list[Method]:
        return [m for m in self.all() if m.descriptor.path]

    def contact_numbers(self, user) -> list[ContactNumber]:
        """Every confirmed mobile number of the person, once each (e.g. to send a validation code)."""
        found: dict[str, ContactNumber] = {}
        for method in self.all():
            for contact in method.contact_numbers(user):
                found.setdefault(contact.number, contact)
        return list(found.values())

    def by_strength(self, strength: str) -> Method | None:
        return next((m for m in self.all() if m.strength == strength), None)


registry = Registry()
