"""Recovery codes: create a set (shown once, downloadable), and sign in with one."""

from __future__ import annotations

import json
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _, ngettext
from django.views.decorators.http import require_http_methods

from limen.core import crypto
from limen.core.errors import LimenError
from limen.factors import guards, pending
from limen.signin import flow

from . import services
from .factor import RecoveryCodeFactor
from .forms import RecoveryCodeForm
from .models import RecoveryCode

DISPLAY_KEY = "limen.recovery.display"
DISPLAY_SECONDS = 15 * 60
PURPOSE = "recovery-display"


def _keep_for_display(request, fresh: list[str]) -> None:
    sealed = crypto.encrypt(json.dumps(fresh).encode(), purpose=PURPOSE)
    request.session[DISPLAY_KEY] = {"codes": sealed, "at": time.time(), "user": request.user.pk}


def _codes_on_display(request) -> list[str] | None:
    data = request.session.get(DISPLAY_KEY)
    if not data or data.get("user") != request.user.pk or time.time() - data.get("at", 0) > DISPLAY_SECONDS:
        request.session.pop(DISPLAY_KEY, None)
        return None
    try:
        return json.loads(crypto.decrypt(data["codes"], purpose=PURPOSE))
    except crypto.DecryptionError:
        request.session.pop(DISPLAY_KEY, None)
        return None


@login_required
def manage(request):
    user = request.user
    codes = RecoveryCode.objects.filter(user=user)
    created = codes.order_by("-created").values_list("created", flat=True).first()
    return render(request, "factors/recovery/manage.html", {
        "remaining": codes.filter(used__isnull=True).count(),
        "total": codes.count(),
        "created": created,
        "warn_at": settings.RECOVERY_WARN_AT,
        "has_other_method": services.has_other_method(user),
    })


@login_required
@require_http_methods(["GET", "POST"])
@guards.enrolment_required()
def generate(request):
    if request.method == "GET":
        return render(request, "factors/recovery/generate.html", {
            "replacing": RecoveryCode.objects.filter(user=request.user).exists(),
            "count": settings.RECOVERY_CODES,
        })
    try:
        fresh = services.generate(request.user, request=request)
    except LimenError as error:
        messages.error(request, str(error.message))
        return redirect("factors_recovery:manage")
    _keep_for_display(request, fresh)
    return redirect("factors_recovery:show")


@login_required
@require_http_methods(["GET", "POST"])
def show(request):
    fresh = _codes_on_display(request)
    if request.method == "POST":
        request.session.pop(DISPLAY_KEY, None)
        messages.success(request, _("Your recovery codes are ready. Keep them somewhere safe."))
        return redirect("factors_recovery:manage")
    if fresh is None:
        messages.info(request, _("Recovery codes are shown only once. If you did not save them, create a new set."))
        return redirect("factors_recovery:manage")
    return render(request, "factors/recovery/show.html", {"codes": fresh})


@login_required
def download(request):
    fresh = _codes_on_display(request)
    if fresh is None:
        messages.info(request, _("Recovery codes are shown only once. If you did not save them, create a new set."))
        return redirect("factors_recovery:manage")
    lines = [
        _("%(site)s recovery codes for %(email)s") % {"site": settings.SITE_NAME, "email": request.user.email},
        _("Each code works once. Keep this file somewhere safe, away from your phone."),
        "",
        *fresh,
        "",
    ]
    response = HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="recovery-codes.txt"'
    response["Cache-Control"] = "no-store"
    return response


@require_http_methods(["GET", "POST"])
def challenge(request):
    user, restart = pending.pending(request, RecoveryCodeFactor.key)
    if restart:
        return restart
    form = RecoveryCodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                left = services.verify(user, form.cleaned_data["code"], request=request)
            except LimenError as error:
                form.add_error("code", str(error.message))
                status = 429 if error.code == "too_many_attempts" else 400
            else:
                response = flow.second_factor_passed(request, RecoveryCodeFactor.strength)
                if left <= settings.RECOVERY_WARN_AT:
                    messages.warning(request, ngettext(
                        "You have %(count)d unused recovery code left. Create a new set in My Account.",
                        "You have %(count)d unused recovery codes left. Create a new set in My Account.", left,
                    ) % {"count": left})
                return response
    return render(request, "factors/recovery/challenge.html", {"form": form, **pending.context(request)},
                  status=status)
