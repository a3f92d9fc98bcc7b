"""What can go wrong with an eID sign-in, each with a message a person can act on."""

from django.utils.translation import gettext_lazy as _

from limen.core.errors import LimenError


class EidError(LimenError):
    code = "eid_error"
    default_message = _("Signing in with your eID did not work. Please try again.")


class FlowMissing(EidError):
    code = "eid_state_mismatch"
    default_message = _("This eID answer does not belong to a sign-in started in this browser, or it was "
                        "already used. Please start again.")


class FlowExpired(EidError):
    code = "eid_flow_expired"
    default_message = _("Your eID sign-in took too long. Please start again.")


class Cancelled(EidError):
    code = "eid_cancelled"
    default_message = _("The eID sign-in was cancelled or refused at your eID provider.")


class ProviderUnavailable(EidError):
    code = "eid_provider_unavailable"
    status = 503
    default_message = _("Your eID provider cannot be reached at the moment. Please try again later.")


class InvalidResponse(EidError):
    """Wrong issuer, signature, audience, nonce or expiry: never trust the answer."""

    code = "eid_invalid_response"
    default_message = _("The answer from your eID provider could not be verified, so it was not accepted.")


class NotLinked(EidError):
    code = "eid_not_linked"
    default_message = _("This eID is not linked to the account that is signing in.")


class LinkedElsewhere(EidError):
    code = "eid_linked_elsewhere"
    default_message = _("This eID is already linked to another account. Unlink it there first.")


class AlreadyLinked(EidError):
    code = "eid_already_linked"
    default_message = _("This eID is already linked to your account.")


class LastWayIn(EidError):
    code = "eid_last_way_in"
    default_message = _("Your account has no password, so this eID is the only way to sign in. Set a "
                        "password first (use “Lost your password?” on the sign-in page), then unlink it.")


class AccountUnavailable(EidError):
    code = "eid_account_unavailable"
    default_message = _("The account linked to this eID is disabled. Contact the help desk.")


class NoProvider(EidError):
    code = "eid_no_provider"
    status = 404
    default_message = _("Signing in with an eID is not available at the moment.")
