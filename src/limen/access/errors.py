"""Domain errors of access requests, each with a stable code (the API returns it)."""

from django.utils.translation import gettext_lazy as _

from limen.core.errors import LimenError, RateLimited


class AccessError(LimenError):
    code = "access_error"


class NoPolicy(AccessError):
    code = "validation_not_required"
    status = 404
    default_message = _("This application does not ask for access requests. You can use it without one.")


class AlreadyPending(AccessError):
    code = "request_pending"
    status = 409
    default_message = _("You have already asked for access to this application. Your request is being "
                        "processed; you do not need to ask again.")


class AlreadyActive(AccessError):
    code = "access_active"
    status = 409
    default_message = _("You already have access to this application.")


class RequestNotFound(AccessError):
    code = "request_not_found"
    status = 404
    default_message = _("There is no such request for this application.")


class NotDecidable(AccessError):
    code = "already_decided"
    status = 409
    default_message = _("This request has already been decided, or was withdrawn.")


class NotRevocable(AccessError):
    code = "not_active"
    status = 409
    default_message = _("This access is not active.")


class NotWithdrawable(AccessError):
    code = "not_open"
    status = 409
    default_message = _("This request is already closed.")


class NoCodeToSend(AccessError):
    code = "no_code_to_send"
    status = 409
    default_message = _("A validation code is sent only for a request that has been approved and is not yet "
                        "active.")


class ReasonRequired(AccessError):
    code = "reason_required"
    field = "reason"
    default_message = _("Say why, in a few words: the person receives this reason by e-mail.")


class ReasonInvalid(AccessError):
    code = "reason_invalid"
    field = "reason"
    default_message = _("The reason must be at most 1000 characters, without control characters.")


class NotValidator(AccessError):
    code = "not_validator"
    status = 403
    default_message = _("You do not validate requests for this application, so you cannot decide this request.")


class NotOperator(AccessError):
    code = "not_operator"
    default_message = _("Only operators can validate requests. Make this account an operator first.")


# -- the validation code -----------------------------------------------------------------------------

class CodeError(AccessError):
    field = "code"


class CodeMalformed(CodeError):
    code = "code_malformed"
    default_message = _("A validation code has 12 letters and digits, in four groups of three, such as "
                        "ABC-DEF-GHJ-KMN.")


class CodeWrongLength(CodeError):
    code = "code_length"

    def __init__(self, typed: int):
        super().__init__(_("A validation code has 12 characters; you typed %(typed)d. Check the code in the "
                           "message we sent you.") % {"typed": typed}, typed=typed)


class CodeBadCharacter(CodeError):
    """Says which group of three (which box) holds a character that codes never use."""

    code = "code_character"

    def __init__(self, group: int, character: str):
        super().__init__(_("Box %(group)d holds “%(character)s”, which validation codes never use. Codes have no "
                           "0, O, 1, I or L; check that box.") % {"group": group, "character": character},
                         group=group, character=character)
        self.group = group


class WrongCode(CodeError):
    code = "code_wrong"

    def __init__(self, left: int):
        super().__init__(_("This code is not right. Check it and type it again; %(left)d tries left.")
                         % {"left": left}, left=left)


class CodeForOtherApplication(CodeError):
    code = "code_other_application"

    def __init__(self, name: str):
        super().__init__(_("This code is for your access to %(name)s, not to this application. Enter it on the "
                           "page of %(name)s.") % {"name": name}, application=name)


class CodeExpired(CodeError):
    code = "code_expired"
    status = 410
    default_message = _("This code has expired. Ask for a new code below.")


class CodeUsed(CodeError):
    code = "code_used"
    status = 409
    default_message = _("This code has already been used: your access is active.")


class CodeLocked(CodeError):
    code = "code_locked"
    status = 429
    default_message = _("Too many wrong codes: this code is locked. The people who validate requests for this "
                        "application can send you a new one; contact them.")


class NoCode(CodeError):
    code = "no_code"
    status = 409
    default_message = _("No validation code has been sent to you for this application yet. Your request is "
                        "still being processed.")


class TooManyResends(RateLimited):
    code = "too_many_resends"
    default_message = _("You have asked for several new codes today. Please wait until tomorrow, or contact "
                        "the people who validate requests.")
