"""Base of every domain error: a stable machine code, a translatable message, an HTTP status and,
where the error is about one field of a form, that field's name.

Services raise these; views and forms show ``message`` (already translated
lazily) on ``field`` (None: above the form) and answer with ``status``; APIs
return ``code``. A view never decides a status or a field by comparing codes.
"""

from __future__ import annotations

from django.utils.functional import Promise


class LimenError(Exception):
    code: str = "error"
    default_message: str | Promise = ""
    status: int = 400
    field: str | None = None

    def __init__(self, message: str | Promise | None = None, **params):
        self.message = message if message is not None else self.default_message
        self.params = params
        super().__init__(str(self.code))

    def __str__(self) -> str:  # pragma: no cover - debugging aid
        return f"{self.code}: {self.message}"


class RateLimited(LimenError):
    """Too many attempts: 429 everywhere, with the seconds to wait when known."""

    code = "rate_limited"
    status = 429

    def __init__(self, message=None, *, retry_after: int = 0, **params):
        super().__init__(message, **params)
        self.retry_after = retry_after


def show_on(form, error: LimenError, *, default_field: str | None = None) -> int:
    """Put the error's message on its declared field of ``form`` (or, if the form has no such field,
    on ``default_field``, or above the form); returns the status to answer with."""
    fields = getattr(form, "fields", {})
    field = error.field if error.field in fields else default_field
    form.add_error(field if field in fields else None, str(error.message))
    return error.status
