"""Mobile phone numbers: add one (confirmed by an SMS code), sign in with an SMS code, remove.

Codes are single use, expire after LIMEN_SMS_CODE_TTL seconds, allow
LIMEN_SMS_MAX_ATTEMPTS wrong tries, and a new code can be asked for once every
LIMEN_SMS_RESEND_SECONDS (and at most LIMEN_SMS_PER_HOUR per account and
hour, against SMS pumping). A new code replaces the previous one. SMS leave
through the durable outbox, which retries when the gateway is down.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from limen.audit.events import Event
from limen.audit.service import record
from limen.core import clock, ratelimit
from limen.core.net import client_ip
from limen.factors import notices as factor_notices
from limen.notify.models import Channel
from limen.notify.outbox import enqueue

from . import codes
from .errors import (CodeExpired, CodeUsed, NoCodeSent, NumberAlreadyRegistered, NumberInvalid, NumberMalformed,
                     NumberNotMobile, NumberNotRegistered, NumberUnknownCountry, NumberWithoutCountryCode,
                     ResendTooSoon, SmsDisabled, SmsError, TooManyAttempts, TooManySms, WrongCode)
from .internal import phonenumbers_lib
from .models import PhoneNumber, Purpose, SmsCode

METHOD = "sms"
LABEL = _("Mobile phone number")

_PROBLEMS = {
    phonenumbers_lib.NumberProblem.NO_COUNTRY_CODE: NumberWithoutCountryCode,
    phonenumbers_lib.NumberProblem.MALFORMED: NumberMalformed,
    phonenumbers_lib.NumberProblem.UNKNOWN_COUNTRY: NumberUnknownCountry,
    phonenumbers_lib.NumberProblem.INVALID: NumberInvalid,
    phonenumbers_lib.NumberProblem.NOT_MOBILE: NumberNotMobile,
}


def ensure_enabled() -> None:
    if not settings.SMS_ENABLED:
        raise SmsDisabled()


def parse_number(typed: str) -> str:
    """International form -> E.164, or a typed error that says what form is expected."""
    try:
        return phonenumbers_lib.parse_international(typed)
    except phonenumbers_lib.NumberProblem as problem:
        raise _PROBLEMS[problem.reason]() from None


def numbers_of(user):
    return PhoneNumber.objects.filter(user=user)


# -- sending codes -----------------------------------------------------------

def user_limit() -> ratelimit.Limit:
    return ratelimit.Limit("sms-user", settings.SMS_PER_HOUR, 3600)


def ip_limit() -> ratelimit.Limit:
    return ratelimit.Limit("sms-ip", settings.SMS_PER_HOUR * 3, 3600)


def seconds_until_resend(user, purpose: str) -> int:
    last = SmsCode.objects.filter(user=user, purpose=purpose, used__isnull=True).order_by("-created") \
        .values_list("created", flat=True)
    last = last.first()
    if last is None:
        return 0
    waited = (clock.now() - last).total_seconds()
    return max(0, int(settings.SMS_RESEND_SECONDS - waited + 0.999))


def _sms_text(user, code: str) -> str:
    with translation.override(user.email_language or "en"):
        return render_to_string("factors/sms/sms_code.txt", {
            "code": codes.display(code), "site_name": settings.SITE_NAME,
            "minutes": max(1, settings.SMS_CODE_TTL // 60),
        }).strip()


def send_code(user, number: str, purpose: str, *, request=None) -> SmsCode:
    """Send a fresh code to ``number``; the previous code of this purpose stops working."""
    ensure_enabled()
    wait = seconds_until_resend(user, purpose)
    if wait:
        raise ResendTooSoon(ResendTooSoon.default_message % {"seconds": settings.SMS_RESEND_SECONDS},
                            retry_after=wait)
    ip = client_ip(request) if request is not None else ""
    if ratelimit.exceeded(user_limit(), str(user.pk)) or (ip and ratelimit.exceeded(ip_limit(), ip)):
        raise TooManySms(retry_after=ratelimit.retry_after(user_limit()))
    ratelimit.hit(user_limit(), str(user.pk))
    if ip:
        ratelimit.hit(ip_limit(), ip)
    raw = codes.new_code()
    now = clock.now()
    with transaction.atomic():
        SmsCode.objects.filter(user=user, purpose=purpose, used__isnull=True).delete()
        entry = SmsCode.objects.create(
            user=user, number=number, purpose=purpose, digest=codes.digest(raw, number=number), created=now,
            expires=now + dt.timedelta(seconds=settings.SMS_CODE_TTL),
        )
        enqueue(channel=Channel.SMS, recipient=number, subject=str(_("SMS verification code")),
                body=_sms_text(user, raw), kind=f"sms_{purpose}", expires=entry.expires)
    record(Event.SMS_CODE_SENT, user=user, request=request, method=METHOD, purpose=purpose,
           number=phonenumbers_lib.masked(number))
    return entry


def latest_code(user, purpose: str) -> SmsCode | None:
    """The newest code of this purpose, whatever its state (used, expired, spent)."""
    return SmsCode.objects.filter(user=user, purpose=purpose).order_by("-created").first()


def pending_code(user, purpose: str) -> SmsCode | None:
    """The code the person is expected to type now (the newest, unused and unexpired)."""
    return SmsCode.objects.filter(user=user, purpose=purpose, used__isnull=True, expires__gt=clock.now()) \
        .order_by("-created").first()


def check_code(user, purpose: str, typed: str, *, request=None) -> SmsCode:
    """Use the code; wrong, expired, used and too many attempts each raise their own error."""
    entry = latest_code(user, purpose)
    if entry is None:
        raise NoCodeSent()
    raw = codes.normalise(typed)
    matches = raw is not None and codes.matches(entry.digest, raw, number=entry.number)
    if entry.used is not None:
        raise CodeUsed() if matches else NoCodeSent()
    if entry.attempts >= settings.SMS_MAX_ATTEMPTS:
        raise TooManyAttempts()
    if entry.expires <= clock.now():
        raise CodeExpired()
    if not matches:
        SmsCode.objects.filter(pk=entry.pk).update(attempts=F("attempts") + 1)
        record(Event.FACTOR_FAILED, user=user, request=request, method=METHOD, purpose=purpose,
               reason="wrong_code", attempt=entry.attempts + 1)
        if entry.attempts + 1 >= settings.SMS_MAX_ATTEMPTS:
            raise TooManyAttempts()
        raise WrongCode()
    used = SmsCode.objects.filter(pk=entry.pk, used__isnull=True,
                                  attempts__lt=settings.SMS_MAX_ATTEMPTS).update(used=clock.now())
    if used != 1:  # a parallel request used it (or spent the last attempt) a moment ago
        raise CodeUsed()
    return entry


# -- adding and removing numbers ----------------------------------------------

def start_enrolment(user, typed: str, *, request=None) -> SmsCode:
    ensure_enabled()
    number = parse_number(typed)
    if numbers_of(user).filter(number=number).exists():
        raise NumberAlreadyRegistered()
    return send_code(user, number, Purpose.ENROL, request=request)


def resend_enrolment(user, *, request=None) -> SmsCode:
    ensure_enabled()
    last = latest_code(user, Purpose.ENROL)
    if last is None:
        raise NoCodeSent()
    return send_code(user, last.number, Purpose.ENROL, request=request)


def finalise_enrolment(user, typed_code: str, *, request=None) -> PhoneNumber:
    ensure_enabled()
    entry = check_code(user, Purpose.ENROL, typed_code, request=request)
    try:
        with transaction.atomic():
            phone = PhoneNumber.objects.create(user=user, number=entry.number, added=clock.now())
    except IntegrityError:
        raise NumberAlreadyRegistered() from None
    record(Event.FACTOR_ADDED, user=user, request=request, method=METHOD, name=phone.masked)
    factor_notices.factor_added(user, method=LABEL, name=phone.masked, request=request)
    return phone


def remove(user, phone_id: int, *, request=None) -> PhoneNumber | None:
    phone = numbers_of(user).filter(pk=phone_id).first()
    if phone is None:
        return None
    phone.delete()
    SmsCode.objects.filter(user=user, number=phone.number, used__isnull=True).delete()
    record(Event.FACTOR_REMOVED, user=user, request=request, method=METHOD, name=phone.masked)
    factor_notices.factor_removed(user, method=LABEL, name=phone.masked, request=request)
    return phone


def remove_all(user) -> int:
    SmsCode.objects.filter(user=user).delete()
    return numbers_of(user).delete()[0]


# -- signing in ----------------------------------------------------------------

def registered_number(user, *, phone_id=None, typed: str = "") -> PhoneNumber:
    """The number the person chose from the list, or typed in full."""
    field = "typed" if typed else "phone"  # the error belongs to what the person used
    try:
        if typed:
            try:
                number = parse_number(typed)
            except NumberWithoutCountryCode:
                raise
            except Exception:
                raise NumberNotRegistered() from None
            phone = numbers_of(user).filter(number=number).first()
        else:
            phone = numbers_of(user).filter(pk=phone_id).first() if phone_id else None
        if phone is None:
            raise NumberNotRegistered()
    except SmsError as error:
        error.field = field
        raise
    return phone


def send_signin_code(user, phone: PhoneNumber, *, request=None) -> SmsCode:
    return send_code(user, phone.number, Purpose.SIGNIN, request=request)


def resend_signin_code(user, *, request=None) -> SmsCode:
    last = latest_code(user, Purpose.SIGNIN)
    if last is None or not numbers_of(user).filter(number=last.number).exists():
        raise NoCodeSent()
    return send_code(user, last.number, Purpose.SIGNIN, request=request)


def verify_signin(user, typed_code: str, *, request=None) -> PhoneNumber:
    ensure_enabled()
    entry = check_code(user, Purpose.SIGNIN, typed_code, request=request)
    phone = numbers_of(user).filter(number=entry.number).first()
    if phone is None:  # removed while the code was on its way
        raise NoCodeSent()
    PhoneNumber.objects.filter(pk=phone.pk).update(last_used=clock.now())
    return phone
