"""Authentication strengths and levels, named as in EU Login.

A strength says how the person signed in (PASSWORD, PASSWORD_MOBILE_APP, ...);
each maps to a level, BASIC < MEDIUM < HIGH. An application that asks for a
level accepts any level above it.
"""

from __future__ import annotations

from .models import Level

PASSWORD = "PASSWORD"

STRENGTH_LEVELS: dict[str, int] = {
    PASSWORD: Level.BASIC,
    "PASSWORD_MOBILE_APP": Level.MEDIUM,
    "PASSWORD_SOFTWARE_TOKEN": Level.MEDIUM,
    "MOBILE_APP": Level.MEDIUM,
    "PASSWORD_SMS": Level.MEDIUM,
    "PASSWORD_WEBAUTHN": Level.MEDIUM,
    "PASSWORD_RECOVERY_CODE": Level.MEDIUM,
    "EIDAS": Level.MEDIUM,
}

LEVEL_NAMES = {int(level): level.label for level in Level}
LEVEL_BY_NAME = {level.label: int(level) for level in Level}


def level_of(strengths: list[str]) -> int:
    return max((STRENGTH_LEVELS.get(s, Level.BASIC) for s in strengths), default=Level.BASIC)


def parse_level(name: str | None) -> int | None:
    """'MEDIUM' -> 20; unknown or empty -> None (the caller decides if that is an error)."""
    if not name:
        return None
    return LEVEL_BY_NAME.get(name.strip().upper())


def parse_strengths(value: str | None) -> list[str] | None:
    """EU Login's acceptStrengths: a comma-separated list of strength names."""
    if not value:
        return None
    names = [v.strip().upper() for v in value.split(",") if v.strip()]
    return names if names and all(n in STRENGTH_LEVELS for n in names) else []


def satisfies(session_strengths: list[str], *, level: int | None = None,
              accept_strengths: list[str] | None = None) -> bool:
    if level is not None and level_of(session_strengths) < level:
        return False
    if accept_strengths and not set(session_strengths) & set(accept_strengths):
        return False
    return True
