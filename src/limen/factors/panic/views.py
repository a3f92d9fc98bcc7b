"""PANIC in My Account, and the e-mailed link that allows the first new factor afterwards."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from limen.core.errors import LimenError
from limen.core.net import safe_next

from . import services
from .errors import LinkForAnotherAccount


@login_required
@require_http_methods(["GET", "POST"])
def panic(request):
    """Reachable after a password-only sign-in: the person may have lost every device."""
    if request.method == "POST":
        removed = services.panic(request.user, request=request)
        if removed:
            messages.success(request, _(
                "All your devices, phone numbers, security keys and eID links have been removed. "
                "We have sent you an e-mail about it."))
        else:
            messages.info(request, _("There was nothing to remove: your account had no verification method."))
        return redirect("accounts:my_account")
    return render(request, "factors/panic/confirm.html", {"inventory": services.inventory(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def hold(request):
    """'We sent you a link': the first factor after PANIC waits for the e-mail confirmation."""
    next_url = safe_next(request, request.POST.get("next") or request.GET.get("next"),
                         reverse("accounts:my_account"))
    current = services.active_hold(request.user)
    if current is None:
        return redirect(next_url)
    try:
        services.send_link(request.user, next_url=next_url, request=request, force=request.method == "POST")
    except LimenError as error:
        messages.error(request, str(error.message))
    else:
        if request.method == "POST":
            messages.success(request, _("We have sent you a new link."))
    if request.method == "POST":
        return redirect(request.get_full_path())
    return render(request, "factors/panic/hold.html", {"next": next_url, "email": request.user.email})


@require_http_methods(["GET", "POST"])
def release(request, token: str):
    # GET only shows a button: mail scanners that open links must not use them.
    if not request.user.is_authenticated:
        messages.info(request, _("Sign in to confirm that you want to add a new verification method."))
        return redirect(reverse("signin:identify") + "?" + urlencode({"next": request.path}))
    try:
        entry = services.find(token)
        if entry.user_id != request.user.pk:
            raise LinkForAnotherAccount()
        if request.method == "POST":
            services.release(token, request.user, request=request)
            messages.success(request, _("Thank you. You can now add a new verification method."))
            return redirect(entry.next_url or "accounts:my_account")
    except LimenError as error:
        return render(request, "factors/panic/link_problem.html", {"error": error}, status=400)
    return render(request, "factors/panic/release.html")
