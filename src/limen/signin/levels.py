"""Authentication strengths and levels, named as in EU Login, derived from the method registry.

A strength says how the person signed in (PASSWORD, PASSWORD_MOBILE_APP, ...);
each method's descriptor gives its level, BASIC < MEDIUM < HIGH. An
application that asks for a level accepts any level above it.
"""

from __future__ import annotations

from .methods import registry
from .models import Level

PASSWORD = "PASSWORD"

LEVEL_NAMES = {int(level): level.label for level in Level}
LEVEL_BY_NAME = {level.label: int(level) for level in Level}


def strength_levels() -> dict[str, int]:
    return {m.strength: int(m.descriptor.level) for m in registry.all()}


def amr_of(strengths: list[str]) -> list[str]:
    """RFC 8176 method references of the strengths, in order, plus "mfa" when two factors were used."""
    values: list[str] = []
    multi = False
    for strength in strengths:
        method = registry.by_strength(strength)
        if method is None:
            continue
        multi = multi or method.descriptor.multi_factor
        values += [v for v in method.descriptor.amr if v not in values]
    if multi and "mfa" not in values:
        values.append("mfa")
    return values


def level_of(strengths: list[str]) -> int:
    known = strength_levels()
    return max((known.get(s, Level.BASIC) for s in strengths), default=Level.BASIC)


def max_level() -> int:
    """The highest level any method reaches: asking for more cannot be met."""
    return max(strength_levels().values(), default=int(Level.BASIC))


def parse_level(name: str | None) -> int | None:
    """'MEDIUM' -> 20; unknown or empty -> None (the caller decides if that is an error)."""
    if not name:
        return None
    return LEVEL_BY_NAME.get(name.strip().upper())


def parse_strengths(value: str | None) -> list[str] | None:
    """EU Login's acceptStrengths: a comma-separated list of strength names ([] if any is unknown)."""
    if not value:
        return None
    names = [v.strip().upper() for v in value.split(",") if v.strip()]
    known = strength_levels()
    return names if names and all(n in known for n in names) else []


def satisfies(session_strengths: list[str], *, level: int | None = None,
              accept_strengths: list[str] | tuple[str, ...] | None = None) -> bool:
    if level is not None and level_of(session_strengths) < level:
        return False
    if accept_strengths and not set(session_strengths) & set(accept_strengths):
        return False
    return True
