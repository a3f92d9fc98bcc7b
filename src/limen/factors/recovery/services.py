"""Create a set of recovery codes, and use one of them as a second factor."""

from __future__ import annotations


from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from limen.notify import notices
from limen.audit.events import Event
from limen.audit.service import record
from limen.core import clock, ratelimit
from limen.factors import notices as factor_notices
from limen.signin.methods import registry

from . import codes
from .errors import CodeAlreadyUsed, NeedsAnotherMethod, NoCodesLeft, TooManyAttempts, WrongCode
from .models import RecoveryCode

METHOD = "recovery_code"
LABEL = _("Recovery codes")


def failure_limit() -> ratelimit.Limit:
    return ratelimit.Limit("recovery-failures", 5, 15 * 60)


def remaining(user) -> int:
    return RecoveryCode.objects.filter(user=user, used__isnull=True).count()


def has_other_method(user) -> bool:
    return any(m.available_for(user) for m in registry.second_factors() if m.key != METHOD)


def generate(user, *, request=None) -> list[str]:
    """A new set; the old set stops working. Returns the codes, to be shown once."""
    if not has_other_method(user):
        raise NeedsAnotherMethod()
    now = clock.now()
    fresh = [codes.new_code() for _ in range(settings.RECOVERY_CODES)]
    with transaction.atomic():
        replaced = RecoveryCode.objects.filter(user=user).delete()[0]
        RecoveryCode.objects.bulk_create(
            RecoveryCode(user=user, digest=codes.digest(codes.normalise(code)), created=now) for code in fresh
        )
    record(Event.RECOVERY_CODES_GENERATED, user=user, request=request, method=METHOD, count=len(fresh),
           replaced=replaced)
    detail = _("The codes you had before no longer work.") if replaced else ""
    factor_notices.factor_added(user, method=LABEL, name=format_lazy(_("{count} single-use codes"), count=len(fresh)),
                                request=request, detail=detail)
    return fresh


def verify(user, typed: str, *, request=None) -> int:
    """Use one code; returns how many remain. Wrong, reused or too many codes raise."""
    limit = failure_limit()
    subject = str(user.pk)
    if ratelimit.exceeded(limit, subject):
        minutes = max(1, ratelimit.retry_after(limit) // 60)
        raise TooManyAttempts(TooManyAttempts.default_message % {"minutes": minutes},
                              retry_after=ratelimit.retry_after(limit))
    raw = codes.normalise(typed)
    stored = list(RecoveryCode.objects.filter(user=user).only("pk", "digest", "used"))
    if not stored:
        raise NoCodesLeft()
    match = None
    if raw is not None:
        for code in stored:  # every code compared, in constant time each
            if codes.matches(code.digest, raw):
                match = code
    if match is None or match.used is not None:
        ratelimit.hit(limit, subject)
        reason = "reused" if match is not None else "wrong"
        record(Event.FACTOR_FAILED, user=user, request=request, method=METHOD, reason=reason)
        raise CodeAlreadyUsed() if match is not None else WrongCode()
    used = RecoveryCode.objects.filter(pk=match.pk, used__isnull=True).update(used=clock.now())
    if used != 1:  # another request used it a moment ago
        ratelimit.hit(limit, subject)
        record(Event.FACTOR_FAILED, user=user, request=request, method=METHOD, reason="reused")
        raise CodeAlreadyUsed()
    ratelimit.clear(limit, subject)
    left = remaining(user)
    record(Event.RECOVERY_CODE_USED, user=user, request=request, method=METHOD, remaining=left)
    if left <= settings.RECOVERY_WARN_AT:
        notices.send(user, "recovery_codes_low", remaining=left,
                     manage_url=notices.absolute(_manage_path()))
    return left


def remove_all(user) -> int:
    return RecoveryCode.objects.filter(user=user).delete()[0]


def _manage_path() -> str:
    return reverse("factors_recovery:manage")
