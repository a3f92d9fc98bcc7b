"""Messages for authorization requests Limen cannot send back to the application.

When the client or its redirect URI cannot be trusted, the error is shown to
the person instead of redirecting (never to an unregistered address).
"""

from django.utils.translation import gettext_lazy as _

from limen.core.errors import LimenError


class OidcError(LimenError):
    code = "oidc_error"
    default_message = _("The application's request cannot be completed.")


FATAL_MESSAGES = {
    "MissingClientIdError": _("The application did not say who it is (client_id is missing)."),
    "InvalidClientIdError": _("This application is not registered with Limen, or it has been switched off."),
    "MissingRedirectURIError": _("The application did not say where to send you back (redirect_uri is missing)."),
    "InvalidRedirectURIError": _("The address the application wants you sent back to is not valid."),
    "MismatchingRedirectURIError": _(
        "The application asked to send you back to an address it has not registered with Limen. "
        "For your safety, you are not sent there."),
    "invalid_id_token_hint": _(
        "The application's sign-out request is not valid (the ID token is not one Limen issued)."),
    "client_mismatch": _(
        "The application's sign-out request is not valid (the ID token belongs to another application)."),
    "unknown_client": _("This application is not registered with Limen, or it has been switched off."),
    "post_logout_redirect_uri": _(
        "The application asked to send you to an address it has not registered with Limen. "
        "For your safety, you are not sent there."),
}
DEFAULT_FATAL = _("The application's request is not valid, so you cannot be signed in to it.")


def fatal_message(key: str):
    return FATAL_MESSAGES.get(key, DEFAULT_FATAL)
