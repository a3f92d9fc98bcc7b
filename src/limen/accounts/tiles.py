"""Tiles that areas above accounts add to My Account (access requests, ...), without accounts importing them.

An area registers a function from its AppConfig; My Account shows what it returns for the person
(a dict with ``url``, ``label`` and ``description``, or None to show nothing).
"""

from __future__ import annotations

from collections.abc import Callable

_providers: list[Callable[[object], dict | None]] = []


def register(provider: Callable[[object], dict | None]) -> None:
    if provider not in _providers:
        _providers.append(provider)


def for_user(user) -> list[dict]:
    return [tile for tile in (provider(user) for provider in _providers) if tile]
