"""The small protocol module shared by the Limen server and mobile authenticators.

Nothing here knows about Django or about the reference app: only the shapes
both sides must agree on, so that a phone app written in another language can
be checked against one definition.

- ``signing``: the canonical form of a device API request and its headers.
- ``payloads``: what the enrolment and one-time-password QR codes carry.
- ``pin``: how a PIN becomes a verifier and a proof (the PIN never travels).
- ``ocra``: RFC 6287 OCRA, the offline one-time password.
- ``b64``: unpadded base64url, the encoding of every binary value.

docs/mobile-app.md describes the protocol in prose; the OpenAPI file of the
server describes the HTTP calls.
"""

API_VERSION = "v1"
API_PREFIX = "/mobile/api/v1/"

#: The one OCRA suite Limen devices use (RFC 6287): HMAC-SHA256, 8 digits,
#: an 8-digit numeric challenge from the server, and the SHA-1 hash of the PIN.
OCRA_SUITE = "OCRA-1:HOTP-SHA256-8:QN08-PSHA1"

#: Key algorithm of device keys: ECDSA on P-256 with SHA-256, signatures as
#: raw r||s (64 bytes), public keys as uncompressed SEC1 points (65 bytes).
KEY_ALGORITHM = "ES256"

PIN_LENGTH = 4
