"""What a method receives and returns on the challenge pages."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from .proofs import Proof  # noqa: F401  (methods import it from here)
from .transaction import Transaction


@dataclass
class Attempt:
    """One request of a challenge page: who, in which transaction, at which step.

    ``state`` is the method's own corner of the transaction (a JSON-able dict),
    saved with it after the call.
    """

    request: Any
    transaction: Transaction
    user: Any
    step: str = ""
    fallback: Challenge | Callable[[], Challenge] | None = None
    error_field: str | None = None

    @property
    def state(self) -> dict:
        return self.transaction.state.setdefault(self.transaction.method or "", {})

    def showing(self, challenge, *, field: str | None = None):
        """The page to show again if verify raises a domain error: the error goes on ``field`` of its
        form (unless the error declares its own). A callable is called then, for a page that depends
        on what the failure changed."""
        self.fallback = challenge
        self.error_field = field
        return challenge


@dataclass
class Challenge:
    """A page to render: the method's template, its context, and the form errors go on."""

    template: str
    context: dict = field(default_factory=dict)
    form: Any = None
    status: int = 200
    script: str | None = None


@dataclass(frozen=True)
class Redirect:
    url: str
    leaving_for: str = ""  # another site's name: the browser leaves Limen (core.redirects.leave)
