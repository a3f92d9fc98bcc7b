"""The authentication transaction: one person signing in (or stepping up) for one application.

A protocol (CAS, OpenID Connect) says what it needs in a ``Requirement``; the
sign-in pages fill in who is signing in and which proofs were given; the
transaction is kept server-side (``limen.signin.store``) and finished once by
``limen.signin.complete``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from .proofs import Proof


@dataclass(frozen=True)
class Application:
    """The application a person signs in to, as the person should see it."""

    name: str
    identifier: str = ""   # the CAS service URL, the OIDC client_id
    protocol: str = ""     # "cas", "oidc"; empty for Limen itself


@dataclass(frozen=True)
class Requirement:
    """What an application needs of the sign-in; protocols translate their parameters into this."""

    application: Application | None = None
    level: int | None = None                 # the least level accepted (a level accepts those above it)
    accept_strengths: tuple[str, ...] = ()   # if given, one of these strengths must have been used
    max_age: int | None = None               # the sign-in may be at most this old (seconds)
    force: bool = False                      # present credentials again, even with an SSO session
    passive: bool = False                    # never show a page: answer at once (CAS gateway, prompt=none)
    login_hint: str = ""                     # the e-mail address to fill in

    def as_dict(self) -> dict:
        data = asdict(self)
        data["accept_strengths"] = list(self.accept_strengths)
        return data

    @classmethod
    def from_dict(cls, data: dict | None) -> Requirement:
        data = dict(data or {})
        app = data.pop("application", None)
        return cls(application=Application(**app) if app else None,
                   accept_strengths=tuple(data.pop("accept_strengths", ()) or ()), **data)


@dataclass
class Transaction:
    id: str
    next_url: str
    created: float
    expires: float
    requirement: Requirement = field(default_factory=Requirement)
    email: str = ""                     # the identifier typed
    user_id: int | None = None          # who, once the password (or the SSO session, for step-up) says so
    step_up: bool = False               # a signed-in person proving more, no password
    method: str | None = None           # the method begun after the password (or for step-up)
    since: float = 0.0                  # when that method began
    proofs: list[Proof] = field(default_factory=list)
    state: dict[str, dict] = field(default_factory=dict)  # each method's own data, by method key
    completed: float | None = None
    offered: list[str] | None = None    # the second factors the address had at the identifier step (keys)

    @property
    def application_name(self) -> str:
        return self.requirement.application.name if self.requirement.application else ""

    def as_dict(self) -> dict:
        return {
            "next": self.next_url, "requirement": self.requirement.as_dict(), "email": self.email,
            "user": self.user_id, "step_up": self.step_up, "method": self.method, "since": self.since,
            "proofs": [p.as_dict() for p in self.proofs], "state": self.state, "offered": self.offered,
        }

    @classmethod
    def from_row(cls, *, id: str, data: dict, created: float, expires: float,
                 completed: float | None) -> Transaction:
        return cls(
            id=id, next_url=str(data.get("next") or ""), created=created, expires=expires,
            requirement=Requirement.from_dict(data.get("requirement")), email=str(data.get("email") or ""),
            user_id=data.get("user"), step_up=bool(data.get("step_up")), method=data.get("method"),
            since=float(data.get("since") or 0), proofs=[Proof.from_dict(p) for p in data.get("proofs") or []],
            state=dict(data.get("state") or {}), completed=completed,
            offered=list(data["offered"]) if data.get("offered") is not None else None,
        )
