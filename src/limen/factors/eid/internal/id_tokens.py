"""The one module that uses joserfc: verifying an upstream provider's ID token.

Checked: the signature (with the provider's published keys, asymmetric
algorithms only), iss, aud (and azp when there are several audiences), exp,
iat, sub and nonce.
"""

from __future__ import annotations

from joserfc import errors, jwt
from joserfc.jwk import KeySet

ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]
LEEWAY = 60


class Rejected(Exception):
    def __init__(self, reason: str, *, unknown_key: bool = False):
        super().__init__(reason)
        self.unknown_key = unknown_key


def verify(id_token: str, *, jwks: dict, issuer: str, client_id: str, nonce: str) -> dict:
    try:
        keys = KeySet.import_key_set(jwks)
    except (errors.JoseError, ValueError, TypeError, KeyError) as exc:
        raise Rejected(f"unusable key set: {exc}") from None
    try:
        token = jwt.decode(id_token, keys, algorithms=ALGORITHMS)
    except (errors.InvalidKeyIdError, errors.MissingKeyError) as exc:
        raise Rejected(f"signed with an unknown key: {exc}", unknown_key=True) from None
    except (errors.JoseError, ValueError, TypeError) as exc:
        raise Rejected(f"signature: {exc}") from None
    claims = token.claims
    registry = jwt.JWTClaimsRegistry(
        leeway=LEEWAY,
        iss={"essential": True, "value": issuer},
        aud={"essential": True, "value": client_id},
        sub={"essential": True},
        exp={"essential": True},
        iat={"essential": True},
        nonce={"essential": True, "value": nonce},
    )
    try:
        registry.validate(claims)
    except errors.JoseError as exc:
        raise Rejected(f"claims: {exc}") from None
    aud = claims.get("aud")
    if isinstance(aud, list) and len(aud) > 1 and claims.get("azp") != client_id:
        raise Rejected("several audiences and azp is not this client")
    if not isinstance(claims.get("sub"), str) or not claims["sub"] or len(claims["sub"]) > 255:
        raise Rejected("unusable sub")
    return dict(claims)
