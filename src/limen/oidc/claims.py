"""What Limen tells applications about a person and about how they signed in.

acr (authentication context class) is the level of the sign-in, named as in
EU Login: BASIC, MEDIUM, HIGH. An application that asks for a level (acr_values,
or an essential acr in the claims parameter) accepts every level above it.

amr (authentication methods, RFC 8176 values) says which methods were used.
"""

from __future__ import annotations

from limen.access import gate as access_gate
from limen.signin import levels

from . import access_link

ACR_VALUES = ["BASIC", "MEDIUM", "HIGH"]

SCOPE_CLAIMS = {
    "profile": ["name", "given_name", "family_name", "locale"],
    "email": ["email", "email_verified"],
}
ALL_CLAIMS = ["sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "sid", "azp",
              "at_hash", *SCOPE_CLAIMS["profile"], *SCOPE_CLAIMS["email"]]


def acr_for(strengths: list[str]) -> str:
    return levels.LEVEL_NAMES[levels.level_of(strengths)]


def amr_for(strengths: list[str]) -> list[str]:
    """RFC 8176 values, from the methods' descriptors (limen.signin.methods)."""
    return levels.amr_of(strengths)


def parse_acr(value: str) -> int | None:
    """'MEDIUM' (any case) -> the level; anything else -> None."""
    return levels.parse_level(value)


def requested_level(acr_values: str | None, claims: dict | None) -> tuple[int | None, bool, bool]:
    """(level to ensure, whether it is essential, whether an essential request was unknown).

    acr_values lists acceptable levels in order of preference; since a level
    accepts every level above it, the lowest known one is what must be met.
    An essential acr in the claims parameter (id_token or userinfo member)
    wins over acr_values.
    """
    essential_values: list[str] = []
    essential = False
    for member in ("id_token", "userinfo"):
        requested = claims.get(member) if isinstance(claims, dict) else None
        acr = requested.get("acr") if isinstance(requested, dict) else None
        if isinstance(acr, dict) and acr.get("essential"):
            essential = True
            if isinstance(acr.get("values"), list):
                essential_values += [v for v in acr["values"] if isinstance(v, str)]
            elif isinstance(acr.get("value"), str):
                essential_values.append(acr["value"])
    if essential and essential_values:
        known = [lvl for lvl in (parse_acr(v) for v in essential_values) if lvl is not None]
        if not known:
            return None, True, True
        return min(known), True, False
    known = [lvl for lvl in (parse_acr(v) for v in (acr_values or "").split()) if lvl is not None]
    return (min(known) if known else None), False, False


def user_claims(user, scopes: list[str], requested: list[str] | None = None) -> dict:
    """Claims about the person allowed by ``scopes`` (plus individually requested ones)."""
    values = {
        "name": user.get_full_name(),
        "given_name": user.first_name,
        "family_name": user.last_name,
        "locale": user.interface_language or user.email_language or "en",
        "email": user.email,
        "email_verified": bool(user.email_verified),
    }
    allowed: list[str] = []
    for scope, names in SCOPE_CLAIMS.items():
        if scope in scopes:
            allowed += names
    for name in requested or []:
        if name in values and name not in allowed:
            allowed.append(name)
    return {name: values[name] for name in allowed}


def access_claims(user, client, scopes) -> dict:
    """With the ``access`` scope: the details validated for this very client, while the access is active
    (limen.access; the scope is allowed only to clients that require validation)."""
    if client is None or "access" not in (scopes or ()):
        return {}
    return access_gate.released(user, access_link.ref(client))


def requested_claims(claims: dict | None, member: str) -> list[str]:
    """Names requested individually in the claims parameter for ``member`` (id_token/userinfo)."""
    if not isinstance(claims, dict) or not isinstance(claims.get(member), dict):
        return []
    return [name for name in claims[member] if isinstance(name, str)]
