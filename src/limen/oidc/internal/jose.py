"""The one module that uses jwcrypto (JOSE: keys, signed JWTs).

Callers get plain dicts and strings back and see one exception, JoseError.
Algorithms are always given explicitly by the caller, so a token can never
choose how it is verified (no "alg": "none", no HMAC with a public key).
"""

from __future__ import annotations

import base64
import json

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature
from jwcrypto import jwk, jws, jwt
from jwcrypto.common import JWException, base64url_encode

RSA_ALGS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"]
EC_ALGS = ["ES256", "ES384", "ES512"]
HMAC_ALGS = ["HS256", "HS384", "HS512"]


class JoseError(Exception):
    pass


class Key:
    """A private or public key with its key ID."""

    def __init__(self, jwk_obj: jwk.JWK):
        self.jwk = jwk_obj
        self._signer = None

    @property
    def kid(self) -> str:
        return self.jwk.get("kid") or ""

    def public_dict(self) -> dict:
        return json.loads(self.jwk.export_public())


def generate_rsa(bits: int = 2048) -> tuple[bytes, dict]:
    """A new RSA key: (private key in PEM, public JWK with kid/use/alg)."""
    key = jwk.JWK.generate(kty="RSA", size=bits)
    kid = key.thumbprint()
    pem = key.export_to_pem(private_key=True, password=None)
    public = json.loads(key.export_public())
    public.update({"kid": kid, "use": "sig", "alg": "RS256"})
    return pem, public


def generate_ec() -> tuple[bytes, dict]:
    """A new P-256 key for ES256: (private key in PEM, public JWK with kid/use/alg)."""
    key = jwk.JWK.generate(kty="EC", crv="P-256")
    kid = key.thumbprint()
    pem = key.export_to_pem(private_key=True, password=None)
    public = json.loads(key.export_public())
    public.update({"kid": kid, "use": "sig", "alg": "ES256"})
    return pem, public


def private_key(pem: bytes, kid: str) -> Key:
    key = jwk.JWK()
    key.import_from_pem(pem, kid=kid)
    return Key(key)


def secret_key(secret: str) -> Key:
    return Key(jwk.JWK(kty="oct", k=base64url_encode(secret.encode())))


def public_key_set(data: dict | str) -> list[Key]:
    """Parse a JWK set of public keys; refuses private keys and symmetric keys."""
    try:
        if isinstance(data, str):
            data = json.loads(data)
        if not isinstance(data, dict) or not isinstance(data.get("keys"), list) or not data["keys"]:
            raise JoseError("not a JWK set")
        keys = []
        for item in data["keys"]:
            key = jwk.JWK(**item)
            if key.has_private or key.get("kty") == "oct":
                raise JoseError("the set must hold public keys only")
            keys.append(Key(key))
        return keys
    except JoseError:
        raise
    except (JWException, ValueError, TypeError, KeyError) as exc:
        raise JoseError(str(exc)) from None


_HASHES = {"256": hashes.SHA256, "384": hashes.SHA384, "512": hashes.SHA512}
_EC_SIZES = {"ES256": 32, "ES384": 48, "ES512": 66}


def _b64(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def _raw_signature(private, alg: str, data: bytes) -> bytes | None:
    """The JWS signature of ``data`` (RFC 7518) made with the ``cryptography`` key itself, or None for
    an algorithm left to jwcrypto. jwcrypto takes a quarter of a millisecond per token around the
    signature (copies of its headers, JSON both ways); the signature itself is the same."""
    digest = _HASHES.get(alg[2:])
    if digest is None:
        return None
    if alg.startswith("RS") and isinstance(private, rsa.RSAPrivateKey):
        return private.sign(data, padding.PKCS1v15(), digest())
    if alg in _EC_SIZES and isinstance(private, ec.EllipticCurvePrivateKey):
        r, s = decode_dss_signature(private.sign(data, ec.ECDSA(digest())))
        size = _EC_SIZES[alg]
        return r.to_bytes(size, "big") + s.to_bytes(size, "big")
    return None


def sign(claims: dict, key: Key, *, alg: str = "RS256", typ: str = "JWT") -> str:
    header = {"alg": alg, "typ": typ}
    if key.kid:
        header["kid"] = key.kid
    if key._signer is None:
        try:
            key._signer = key.jwk.get_op_key("sign")
        except JWException:
            key._signer = False
    if key._signer:
        signing_input = _b64(json.dumps(header, separators=(",", ":")).encode()) + b"." + \
            _b64(json.dumps(claims, separators=(",", ":"), default=str).encode())
        signature = _raw_signature(key._signer, alg, signing_input)
        if signature is not None:
            return (signing_input + b"." + _b64(signature)).decode()
    token = jwt.JWT(header=header, claims=json.dumps(claims, default=str))
    token.make_signed_token(key.jwk)
    return token.serialize()


def peek(token: str) -> tuple[dict, dict]:
    """Header and claims WITHOUT verifying anything (to find which key to use)."""
    try:
        obj = jws.JWS()
        obj.deserialize(token)
        header = obj.jose_header
        claims = json.loads(obj.objects["payload"].decode("utf-8"))
        if not isinstance(header, dict) or not isinstance(claims, dict):
            raise JoseError("malformed token")
        return header, claims
    except JoseError:
        raise
    except (JWException, ValueError, TypeError, KeyError, UnicodeDecodeError) as exc:
        raise JoseError(f"malformed token: {exc}") from None


def verify(token: str, keys: list[Key], *, algs: list[str]) -> dict:
    """The claims of ``token`` if one of ``keys`` signed it with one of ``algs``.

    Only the signature is checked here; the caller checks the claims.
    """
    header, _claims = peek(token)
    alg = header.get("alg")
    if alg not in algs:
        raise JoseError(f"algorithm {alg!r} is not accepted")
    kid = header.get("kid")
    candidates = [k for k in keys if not kid or not k.kid or k.kid == kid]
    for key in candidates:
        try:
            obj = jws.JWS()
            obj.deserialize(token)
            obj.allowed_algs = [alg]
            obj.verify(key.jwk, alg=alg)
            return json.loads(obj.payload.decode("utf-8"))
        except (JWException, ValueError, TypeError):
            continue
    raise JoseError("bad signature")
