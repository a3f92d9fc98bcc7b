"""Proof of work (ALTCHA): forms that send e-mails ask the browser for a moment of computing.

No puzzle for a person, hence nothing that a screen-reader user cannot do:
the page carries a challenge signed by Limen, a script on the page
(static/limen/pow.js, in Web Workers with WebCrypto) finds the counter whose
PBKDF2-SHA-256 key starts with the given prefix, and the form sends the
answer in the hidden field ``altcha``. Limen checks it without any call to
another site: the challenge's signature (HMAC), its expiry, the derived key
(an HMAC of it is in the challenge: ALTCHA's deterministic mode, so checking
is fast and the work is the same for everyone), and that it was not used
before (spent challenges are kept in the cache until they expire).

The one module that imports the ``altcha`` library. The cost of one attempt
is LIMEN_POW_COST PBKDF2 iterations; the counter is drawn between half and one
and a half times LIMEN_POW_DIFFICULTY, so that many attempts are needed on
average; a challenge lives LIMEN_POW_SECONDS.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from altcha import Payload, create_challenge, verify_solution
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from . import clock
from .errors import LimenError
from .ratelimit import fail_closed

ALGORITHM = "PBKDF2/SHA-256"
FIELD = "altcha"
MAX_PAYLOAD = 4000  # a real one is about 600 characters


class ProofOfWorkError(LimenError):
    code = "pow_error"
    status = 400


class ProofMissing(ProofOfWorkError):
    code = "pow_missing"
    default_message = _("This form needs JavaScript to show that you are not a robot. Turn JavaScript on in "
                        "your browser, reload the page and send the form again.")


class ProofInvalid(ProofOfWorkError):
    code = "pow_invalid"
    default_message = _("The check that you are not a robot did not pass. It has started again: wait until "
                        "it is done, then send the form again.")


class ProofExpired(ProofOfWorkError):
    code = "pow_expired"
    default_message = _("The check that you are not a robot has expired. It has started again: wait until "
                        "it is done, then send the form again.")


class ProofReused(ProofInvalid):
    code = "pow_reused"


def _secret(purpose: str) -> bytes:
    return hmac.new(settings.SECRET_KEY.encode(), f"limen.pow.{purpose}".encode(), hashlib.sha256).digest()


def new_challenge(*, seconds: int | None = None) -> dict:
    """A fresh signed challenge, as the JSON object the page hands to the browser."""
    difficulty = settings.POW_DIFFICULTY
    counter = difficulty // 2 + secrets.randbelow(difficulty + 1)
    lifetime = settings.POW_SECONDS if seconds is None else seconds
    challenge = create_challenge(
        ALGORITHM, settings.POW_COST, counter=counter, expires_at=int(clock.now().timestamp()) + lifetime,
        hmac_secret=_secret("challenge"), hmac_key_secret=_secret("key"),
    )
    return challenge.to_dict()


def verify(payload: str | None) -> None:
    """Accept a solution once; raise a ProofOfWorkError otherwise."""
    if not payload:
        raise ProofMissing()
    if len(payload) > MAX_PAYLOAD:
        raise ProofInvalid()
    try:
        result = verify_solution(payload, _secret("challenge"), hmac_key_secret=_secret("key"))
    except Exception:  # whatever a forged payload makes the library trip over
        raise ProofInvalid() from None
    if result.expired:
        raise ProofExpired()
    if not result.verified:
        raise ProofInvalid()
    challenge = Payload.from_base64(payload).challenge  # parsed and signed: verified above
    remaining = int(challenge.parameters.expires_at - clock.now().timestamp())
    if remaining < 0:  # by Limen's clock (the library reads the system's)
        raise ProofExpired()
    # Single use: the first request to store the spent mark wins, a replay finds it there.
    if not _mark_spent(challenge.signature, max(remaining, 0) + 60):
        raise ProofReused()


@fail_closed
def _mark_spent(signature: str, seconds: int) -> bool:
    return cache.add(f"pow-spent:{signature}", 1, seconds)
