"""The applications access can be required for, as the protocols describe them.

``limen.access`` sits below the protocols and may not import them; CAS and
OpenID Connect each register a ``Directory`` of their applications here (from
their AppConfig), so the operators' command and site can name an application
and the request page can show its current name.

An application is identified by ``AppRef.id``: its protocol and its key in that
protocol's registry (the primary key of the CAS service or OpenID Connect
client), e.g. ``cas:3``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


@dataclass(frozen=True)
class AppRef:
    protocol: str   # "cas", "oidc"
    key: str        # the application's primary key in its protocol's registry
    name: str = ""  # as people see it

    @property
    def id(self) -> str:
        return f"{self.protocol}:{self.key}"


class Directory(Protocol):
    label: str  # "CAS", "OpenID Connect"

    def all(self) -> list[AppRef]: ...

    def get(self, key: str) -> AppRef | None: ...

    def find(self, text: str) -> AppRef | None:
        """By what an operator types: a CAS service's name, an OpenID Connect client ID or name."""

    def home_url(self, key: str) -> str:
        """Where a person can open the application, if known ("" otherwise)."""


_directories: dict[str, Directory] = {}


def register(protocol: str, directory: Directory) -> None:
    _directories[protocol] = directory


def all_applications() -> list[AppRef]:
    return [ref for directory in _directories.values() for ref in directory.all()]


def get(protocol: str, key: str) -> AppRef | None:
    directory = _directories.get(protocol)
    return directory.get(str(key)) if directory else None


def home_url(ref: AppRef) -> str:
    directory = _directories.get(ref.protocol)
    return directory.home_url(ref.key) if directory else ""


def label_of(ref: AppRef) -> str:
    directory = _directories.get(ref.protocol)
    return f"{directory.label if directory else ref.protocol}: {ref.name}"


class UnknownApplication(LookupError):
    pass


def find(text: str) -> AppRef:
    """``cas:<name>``, ``oidc:<client id>``, or a name only one application has; raises UnknownApplication."""
    text = (text or "").strip()
    protocol, sep, rest = text.partition(":")
    if sep and protocol in _directories:
        found = _directories[protocol].find(rest.strip())
        if found is None:
            raise UnknownApplication(f"No {_directories[protocol].label} application is called {rest.strip()!r}.")
        return found
    matches = [ref for ref in (d.find(text) for d in _directories.values()) if ref is not None]
    if not matches:
        raise UnknownApplication(f"No application is called {text!r}. Write cas:<name> or oidc:<client id>.")
    if len(matches) > 1:
        raise UnknownApplication(f"Several applications are called {text!r}: "
                                 + ", ".join(m.id for m in matches) + ". Write cas:<name> or oidc:<client id>.")
    return matches[0]
