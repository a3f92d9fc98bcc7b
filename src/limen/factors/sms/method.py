"""Mobile Phone + SMS as a sign-in method: choose a number, receive a code, type it."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from limen.core import sql
from limen.core.errors import LimenError
from limen.signin.attempts import Attempt, Challenge, Proof, Redirect
from limen.signin.methods import ContactNumber, Descriptor, Method
from limen.signin.models import Level

from . import services
from .errors import SmsDisabled
from .forms import ChooseNumberForm, CodeForm
from .models import Purpose


def disabled_page() -> Challenge:
    return Challenge("factors/sms/disabled.html", {"message": SmsDisabled.default_message}, status=403)


# Asked on every identifier step: the ORM builds it once.
_has_number = sql.Exists(lambda user_id: services.numbers_of(user_id))


class SmsMethod(Method):
    descriptor = Descriptor(
        key=services.METHOD, strength="PASSWORD_SMS", level=Level.MEDIUM, amr=("pwd", "sms"),
        label=gettext_lazy("Mobile Phone + SMS"),
        description=gettext_lazy("Receive a code by SMS on one of your mobile phone numbers."),
        order=40, path="sms/", steps=("code", "resend"),
    )
    template = "factors/sms/challenge.html"

    # -- enrolment and management

    def available_for(self, user) -> bool:
        return settings.SMS_ENABLED and user is not None and _has_number(user.pk)

    def manage_url(self):
        return reverse("factors_sms:manage") if settings.SMS_ENABLED else None

    def manage_label(self):
        return gettext_lazy("Manage my mobile phone numbers")

    def enrolled_count(self, user) -> int:
        return services.numbers_of(user).count()

    def remove_all(self, user) -> int:
        return services.remove_all(user)

    def contact_numbers(self, user) -> list[ContactNumber]:
        if not settings.SMS_ENABLED or user is None:
            return []
        return [ContactNumber(phone.number, phone.masked) for phone in services.numbers_of(user)]

    # -- sign-in: "" chooses the number and sends the code, "code" checks it, "resend" sends another

    def _choose(self, attempt: Attempt, data=None) -> Challenge:
        form = ChooseNumberForm(data, numbers=list(services.numbers_of(attempt.user)))
        return Challenge(self.template, form=form, status=400 if data is not None else 200)

    def _code(self, attempt: Attempt, data=None) -> Challenge:
        waiting = services.pending_code(attempt.user, Purpose.SIGNIN)
        latest = waiting or services.latest_code(attempt.user, Purpose.SIGNIN)
        return Challenge("factors/sms/code.html", {
            "number": latest.masked if latest else "", "minutes": max(1, settings.SMS_CODE_TTL // 60),
        }, form=CodeForm(data), status=400 if data is not None else 200)

    def begin(self, attempt: Attempt):
        if not settings.SMS_ENABLED:
            return disabled_page()
        if attempt.step == "":
            return self._choose(attempt)
        if attempt.step == "code" and services.pending_code(attempt.user, Purpose.SIGNIN) is not None:
            return self._code(attempt)
        return Redirect(self.challenge_url("code" if attempt.step == "resend" else ""))

    def verify(self, attempt: Attempt, data):
        if not settings.SMS_ENABLED:
            return disabled_page()
        user, request = attempt.user, attempt.request
        if attempt.step == "resend":
            try:
                services.resend_signin_code(user, request=request)
            except LimenError as error:
                messages.error(request, str(error.message))
            else:
                messages.success(request, _("We have sent you a new code. The previous code no longer works."))
            return Redirect(self.challenge_url("code"))
        if attempt.step == "code":
            page = attempt.showing(self._code(attempt, data), field="code")
            if not page.form.is_valid():
                return page
            services.verify_signin(user, page.form.cleaned_data["code"], request=request)
            return Proof(method=self.key, strength=self.strength)
        page = attempt.showing(self._choose(attempt, data), field="phone")
        if not page.form.is_valid():
            return page
        phone = services.registered_number(user, phone_id=page.form.cleaned_data.get("phone"),
                                           typed=page.form.cleaned_data.get("typed", ""))
        services.send_signin_code(user, phone, request=request)
        return Redirect(self.challenge_url("code"))
