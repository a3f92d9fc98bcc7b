"""Manage my mobile phone numbers (signing in with them is method.SmsMethod)."""

from __future__ import annotations

import functools

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from limen.core.errors import LimenError, show_on
from limen.factors import guards

from . import services
from .errors import SmsDisabled
from .forms import AddNumberForm, CodeForm
from .models import PhoneNumber, Purpose


def _disabled(request):
    return render(request, "factors/sms/disabled.html", {"message": SmsDisabled.default_message}, status=403)


def _enabled(view):
    """The page explains that SMS is switched off (LIMEN_SMS_ENABLED=0) instead of running."""
    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not settings.SMS_ENABLED:
            return _disabled(request)
        return view(request, *args, **kwargs)
    return wrapped


@login_required
@_enabled
def manage(request):
    return render(request, "factors/sms/manage.html", {"numbers": services.numbers_of(request.user)})


@login_required
@require_http_methods(["GET", "POST"])
@_enabled
@guards.enrolment_required(back_to="factors_sms:add")
def add(request):
    form = AddNumberForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.start_enrolment(request.user, form.cleaned_data["number"], request=request)
            except LimenError as error:
                status = show_on(form, error, default_field="number")
            else:
                return redirect("factors_sms:finalise")
    return render(request, "factors/sms/add.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@_enabled
@guards.enrolment_required(back_to="factors_sms:add")
def finalise(request):
    waiting = services.pending_code(request.user, Purpose.ENROL)
    if waiting is None and request.method == "GET":
        messages.info(request, _("Enter your number to receive a new code."))
        return redirect("factors_sms:add")
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                phone = services.finalise_enrolment(request.user, form.cleaned_data["code"], request=request)
            except LimenError as error:
                status = show_on(form, error, default_field="code")
            else:
                messages.success(request, _("Your mobile phone number %(number)s is registered. You can now sign in "
                                            "with Mobile Phone + SMS.") % {"number": phone.pretty})
                return redirect("factors_sms:manage")
    return render(request, "factors/sms/finalise.html", {
        "form": form, "number": waiting.pretty if waiting else "",
        "minutes": max(1, settings.SMS_CODE_TTL // 60),
    }, status=status)


@login_required
@require_POST
@_enabled
@guards.enrolment_required(back_to="factors_sms:add")
def resend_enrolment(request):
    try:
        services.resend_enrolment(request.user, request=request)
    except LimenError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("We have sent you a new code. The previous code no longer works."))
    return redirect("factors_sms:finalise")


@login_required
@require_http_methods(["GET", "POST"])
@guards.enrolment_required()
def remove(request, pk: int):
    phone = get_object_or_404(PhoneNumber, pk=pk, user=request.user)
    if request.method == "POST":
        services.remove(request.user, phone.pk, request=request)
        messages.success(request, _("The number %(number)s has been removed.") % {"number": phone.pretty})
        return redirect("factors_sms:manage" if settings.SMS_ENABLED else "accounts:my_account")
    return render(request, "factors/sms/remove.html", {"phone": phone})
