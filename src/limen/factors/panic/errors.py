from django.utils.translation import gettext_lazy as _

from limen.core.errors import LimenError, RateLimited


class PanicError(LimenError):
    code = "panic_error"


class LinkInvalid(PanicError):
    code = "link_invalid"
    default_message = _("This link is not valid. Check that you copied the whole address, or ask for a new link.")


class LinkExpired(PanicError):
    code = "link_expired"
    default_message = _("This link has expired. Ask for a new one.")


class LinkUsed(PanicError):
    code = "link_used"
    default_message = _("This link has already been used. You can add a verification method now.")


class LinkForAnotherAccount(PanicError):
    code = "link_other_account"
    default_message = _("This link belongs to another account. Sign out, then open it again.")


class ResendTooSoon(RateLimited):
    code = "resend_too_soon"
    default_message = _("We sent a link less than a minute ago. Wait a little, and look in your spam folder too.")
