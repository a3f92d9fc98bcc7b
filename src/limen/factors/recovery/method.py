"""Recovery codes as a sign-in method: one of the saved single-use codes, after the password."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.urls import reverse
from django.utils.translation import gettext_lazy, ngettext

from limen.core import sql
from limen.signin.attempts import Attempt, Challenge, Proof
from limen.signin.methods import Descriptor, Method
from limen.signin.models import Level

from . import services
from .forms import RecoveryCodeForm
from .models import RecoveryCode


# Asked on every identifier step: the ORM builds it once.
_has_unused = sql.Exists(lambda user_id: RecoveryCode.objects.filter(user=user_id, used__isnull=True))


class RecoveryCodeMethod(Method):
    descriptor = Descriptor(
        key=services.METHOD, strength="PASSWORD_RECOVERY_CODE", level=Level.MEDIUM, amr=("pwd", "otp"),
        label=gettext_lazy("Recovery code"),
        description=gettext_lazy("One of the single-use codes you saved for the day you lose your phone or "
                                 "security key."),
        order=900, path="recovery-code/",
    )
    template = "factors/recovery/challenge.html"

    def available_for(self, user) -> bool:
        return user is not None and _has_unused(user.pk)

    def manage_url(self) -> str:
        return reverse("factors_recovery:manage")

    def manage_label(self):
        return gettext_lazy("Manage my recovery codes")

    def enrolled_count(self, user) -> int:
        return services.remaining(user)

    def remove_all(self, user) -> int:
        return services.remove_all(user)

    def begin(self, attempt: Attempt) -> Challenge:
        return Challenge(self.template, form=RecoveryCodeForm())

    def verify(self, attempt: Attempt, data):
        page = attempt.showing(Challenge(self.template, form=RecoveryCodeForm(data), status=400), field="code")
        if not page.form.is_valid():
            return page
        left = services.verify(attempt.user, page.form.cleaned_data["code"], request=attempt.request)
        if left <= settings.RECOVERY_WARN_AT:
            messages.warning(attempt.request, ngettext(
                "You have %(count)d unused recovery code left. Create a new set in My Account.",
                "You have %(count)d unused recovery codes left. Create a new set in My Account.", left,
            ) % {"count": left})
        return Proof(method=self.key, strength=self.strength)
