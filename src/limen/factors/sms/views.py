"""Manage my mobile phone numbers, and sign in with Mobile Phone + SMS."""

from __future__ import annotations

import functools

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from limen.core.errors import LimenError, RateLimited
from limen.factors import guards, pending
from limen.signin import flow

from . import services
from .errors import SmsDisabled
from .factor import SmsFactor
from .forms import AddNumberForm, ChooseNumberForm, CodeForm
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
                form.add_error("number", str(error.message))
                status = 429 if isinstance(error, RateLimited) else 400
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
                form.add_error("code", str(error.message))
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


# -- sign-in -------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
def challenge(request):
    """Choose (or type) the number to send the code to."""
    user, restart = pending.pending(request, SmsFactor.key)
    if restart:
        return restart
    if not settings.SMS_ENABLED:
        return _disabled(request)
    numbers = list(services.numbers_of(user))
    form = ChooseNumberForm(request.POST or None, numbers=numbers)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                phone = services.registered_number(user, phone_id=form.cleaned_data.get("phone"),
                                                   typed=form.cleaned_data.get("typed", ""))
                services.send_signin_code(user, phone, request=request)
            except LimenError as error:
                form.add_error("typed" if form.cleaned_data.get("typed") else "phone", str(error.message))
                status = 429 if isinstance(error, RateLimited) else 400
            else:
                return redirect("factors_sms:code")
    return render(request, "factors/sms/challenge.html", {"form": form, **pending.context(request)}, status=status)


@require_http_methods(["GET", "POST"])
def code(request):
    user, restart = pending.pending(request, SmsFactor.key)
    if restart:
        return restart
    if not settings.SMS_ENABLED:
        return _disabled(request)
    waiting = services.pending_code(user, Purpose.SIGNIN)
    if waiting is None and request.method == "GET":
        return redirect("factors_sms:challenge")
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.verify_signin(user, form.cleaned_data["code"], request=request)
            except LimenError as error:
                form.add_error("code", str(error.message))
            else:
                return flow.second_factor_passed(request, SmsFactor.strength)
    latest = waiting or services.latest_code(user, Purpose.SIGNIN)
    return render(request, "factors/sms/code.html", {
        "form": form, "number": latest.masked if latest else "",
        "minutes": max(1, settings.SMS_CODE_TTL // 60), **pending.context(request),
    }, status=status)


@require_POST
def resend_signin(request):
    user, restart = pending.pending(request, SmsFactor.key)
    if restart:
        return restart
    try:
        services.resend_signin_code(user, request=request)
    except LimenError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("We have sent you a new code. The previous code no longer works."))
    return redirect("factors_sms:code")
