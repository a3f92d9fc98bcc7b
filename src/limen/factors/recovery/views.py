"""Recovery codes: create a set (shown once, downloadable). Signing in with one is method.RecoveryCodeMethod."""

from __future__ import annotations

import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from limen.core import clock, crypto
from limen.core.errors import LimenError
from limen.factors import guards

from . import services
from .models import RecoveryCode

DISPLAY_KEY = "limen.recovery.display"
DISPLAY_SECONDS = 15 * 60
PURPOSE = "recovery-display"


def _keep_for_display(request, fresh: list[str]) -> None:
    sealed = crypto.encrypt(json.dumps(fresh).encode(), purpose=PURPOSE)
    request.session[DISPLAY_KEY] = {"codes": sealed, "at": clock.now().timestamp(), "user": request.user.pk}


def _codes_on_display(request) -> list[str] | None:
    data = request.session.get(DISPLAY_KEY)
    if not data or data.get("user") != request.user.pk or clock.now().timestamp() - data.get("at", 0) > DISPLAY_SECONDS:
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
