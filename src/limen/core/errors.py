"""Base of every domain error: a stable machine code and a translatable message.

Services raise these; views and forms show ``message`` (already translated
lazily) and APIs return ``code``.
"""

from __future__ import annotations

from django.utils.functional import Promise


class LimenError(Exception):
    code: str = "error"
    default_message: str | Promise = ""
    status: int = 400  # the HTTP status of a page or API answer that reports this error

    def __init__(self, message: str | Promise | None = None, **params):
        self.message = message if message is not None else self.default_message
        self.params = params
        super().__init__(str(self.code))

    def __str__(self) -> str:  # pragma: no cover - debugging aid
        return f"{self.code}: {self.message}"


class RateLimited(LimenError):
    code = "rate_limited"
    status = 429

    def __init__(self, message=None, *, retry_after: int = 0):
        super().__init__(message)
        self.retry_after = retry_after
