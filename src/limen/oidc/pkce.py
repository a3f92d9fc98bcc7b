"""PKCE policy (RFC 7636, RFC 9700 §2.1.1): which clients must use it, and what a code may be redeemed with.

- Public clients always need a code_challenge; confidential clients too unless
  an operator relaxed it for that client (Client.pkce_required).
- Only S256 is accepted (the toolkit refuses "plain", COMPLIANT_BCP_RFC9700_PKCE_METHOD).
- A code issued without a code_challenge is never redeemed with a
  code_verifier: that is the sign of a downgrade, where an attacker stripped
  the challenge from the client's authorization request.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from limen.core.errors import LimenError


class PkceError(LimenError):
    code = "pkce"


class VerifierWithoutChallenge(PkceError):
    code = "pkce_verifier_without_challenge"
    default_message = _("A code_verifier was sent, but the authorization request had no code_challenge.")


PUBLIC_CLIENT_MUST_USE_PKCE = _("A public client must use PKCE: it has no secret to protect its codes.")


def required(client) -> bool:
    """Whether an authorization request of ``client`` (None: unknown) must carry a code_challenge."""
    return client is None or client.is_public or client.pkce_required


def check_redemption(*, challenge: str | None, verifier: str | None) -> None:
    """At the token endpoint: raises VerifierWithoutChallenge for a verifier with a code issued without PKCE.

    A code issued with a challenge is checked against the verifier by oauthlib."""
    if not challenge and verifier is not None:
        raise VerifierWithoutChallenge()
