"""Browser pages: manage devices (My Account), and the two sign-in methods."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from limen.core import crypto
from limen.factors import pending
from limen.factors.guards import enrolment_gate
from limen.signin import flow
from limen.signin.flow import NoPendingSignin

from . import channel
from .errors import MobileError
from .forms import AddDeviceForm, ChooseDeviceForm, OtpForm, RenameDeviceForm
from .internal import ocra, qr
from .models import Enrolment, OtpChallenge, PushChallenge
from .services import challenges, devices, enrolment, otp

STATUS_WAIT_MAX = 20  # seconds a browser status request may wait
ENROL_SESSION = "limen.mobile.enrol"
PUSH_SESSION = "limen.mobile.push"
OTP_SESSION = "limen.mobile.otp"
TOKEN_PURPOSE = "factors_mobile_app.enrolment-token"


def _wait_seconds(request) -> int:
    raw = request.GET.get("wait", "0")
    return min(int(raw), STATUS_WAIT_MAX) if raw.isascii() and raw.isdigit() and len(raw) < 4 else 0


def _no_store(response):
    response["Cache-Control"] = "no-store"
    return response


# --- My Account: manage my mobile devices ------------------------------------------------------

@login_required
@require_GET
def device_list(request):
    return render(request, "mobile_app/devices.html", {
        "devices": devices.active(request.user),
        "max_devices": settings.MOBILE_MAX_DEVICES,
    })


@login_required
@require_http_methods(["GET", "POST"])
def add_device(request):
    gate = enrolment_gate(request, request.get_full_path())
    if gate is not None:
        return gate
    form = AddDeviceForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                record, token = enrolment.start(user=request.user, name=form.cleaned_data["name"],
                                                pin=form.cleaned_data["pin"], request=request)
            except MobileError as error:
                form.add_error(None, str(error.message))
            else:
                request.session[ENROL_SESSION] = {"id": record.public_id,
                                                  "token": crypto.encrypt(token.encode(), purpose=TOKEN_PURPOSE)}
                return redirect("mobile_app:enrol", enrolment_id=record.public_id)
        status = 400
    return render(request, "mobile_app/add.html", {"form": form}, status=status)


def _own_enrolment(request, enrolment_id: str) -> Enrolment:
    record = Enrolment.objects.filter(public_id=enrolment_id[:32], user=request.user).first()
    if record is None:
        raise Http404()
    return record


@login_required
@require_GET
def enrol(request, enrolment_id: str):
    record = _own_enrolment(request, enrolment_id)
    state = enrolment.state(record)
    if state == "done":
        request.session.pop(ENROL_SESSION, None)
        messages.success(request, _("Your mobile device “%(name)s” has been added.") % {"name": record.device_name})
        return redirect("mobile_app:devices")
    qr_uri = payload = None
    stored = request.session.get(ENROL_SESSION) or {}
    if state in {"waiting", "scanned"} and stored.get("id") == record.public_id:
        token = crypto.decrypt(stored["token"], purpose=TOKEN_PURPOSE).decode()
        payload = enrolment.qr_payload(token)  # also shown as text, for people who cannot scan
        qr_uri = qr.svg_data_uri(payload)
    return render(request, "mobile_app/enrol.html", {
        "enrolment": record, "state": state, "qr_uri": qr_uri, "qr_payload": payload,
        "minutes": max(1, settings.MOBILE_ENROL_TTL // 60),
    }, status=200 if state in {"waiting", "scanned"} else 410)


@login_required
@require_GET
def enrol_status(request, enrolment_id: str):
    record = _own_enrolment(request, enrolment_id)
    known = request.GET.get("known", "")[:16]

    def changed():
        record.refresh_from_db()
        state = enrolment.state(record)
        return state if state != known else None

    state = channel.wait_until(changed, [channel.enrolment_key(record.pk)], _wait_seconds(request))
    return _no_store(JsonResponse({"state": state or known}))


@login_required
@require_POST
def enrol_cancel(request, enrolment_id: str):
    record = _own_enrolment(request, enrolment_id)
    enrolment.cancel(record, request=request)
    request.session.pop(ENROL_SESSION, None)
    return redirect("mobile_app:devices")


@login_required
@require_http_methods(["GET", "POST"])
def rename_device(request, device_id: str):
    try:
        device = devices.get_for(request.user, device_id)
    except MobileError:
        raise Http404() from None
    form = RenameDeviceForm(request.POST if request.method == "POST" else None, initial={"name": device.name})
    if request.method == "POST" and form.is_valid():
        devices.rename(user=request.user, public_id=device.public_id, name=form.cleaned_data["name"], request=request)
        messages.success(request, _("The device has been renamed."))
        return redirect("mobile_app:devices")
    return render(request, "mobile_app/rename.html", {"form": form, "device": device},
                  status=400 if request.method == "POST" else 200)


@login_required
@require_http_methods(["GET", "POST"])
def remove_device(request, device_id: str):
    try:
        device = devices.get_for(request.user, device_id)
    except MobileError:
        raise Http404() from None
    gate = enrolment_gate(request, request.get_full_path())
    if gate is not None:
        return gate
    if request.method == "POST":
        devices.remove(device, by="owner", request=request)
        messages.success(request, _("The device “%(name)s” has been removed.") % {"name": device.name})
        return redirect("mobile_app:devices")
    return render(request, "mobile_app/remove.html", {"device": device})


# --- Sign in with "Mobile app PIN code" ----------------------------------------------------------

def _current_push(request, user) -> PushChallenge | None:
    stored = request.session.get(PUSH_SESSION) or {}
    if stored.get("user") != user.pk:
        return None
    return PushChallenge.objects.select_related("device").filter(public_id=stored.get("id", ""), user=user).first()


def _send(request, user, device, previous: PushChallenge | None):
    challenge = challenges.create(user=user, device=device, next_url=flow.state(request).get("next", ""),
                                  request=request, replaces=previous.public_id if previous else None)
    request.session[PUSH_SESSION] = {"id": challenge.public_id, "user": user.pk}
    return challenge


@require_http_methods(["GET", "POST"])
def push(request):
    user, restart = pending.pending(request, "mobile_app_pin")
    if restart is not None:
        return restart
    challenge = _current_push(request, user)
    usable = list(devices.usable(user))
    choose_form = ChooseDeviceForm(devices=usable)
    error = None
    status = 200

    if request.method == "POST":
        action = request.POST.get("action", "")
        if action == "continue":
            state = challenges.browser_state(challenge)
            if state == "approved" and challenges.consume(challenge):
                request.session.pop(PUSH_SESSION, None)
                return flow.second_factor_passed(request, "PASSWORD_MOBILE_APP")
            if state == "pending":
                error = _("The request has not been approved in the app yet.")
                status = 409
        elif action == "send":
            if len(usable) > 1:
                choose_form = ChooseDeviceForm(request.POST, devices=usable)
                device = next((d for d in usable if choose_form.is_valid()
                               and d.public_id == choose_form.cleaned_data["device"]), None)
            else:
                device = usable[0] if usable else None
            if device is not None:
                try:
                    challenge = _send(request, user, device, challenge)
                except MobileError as failure:
                    error, status = str(failure.message), failure.status
                else:
                    return redirect("mobile_app:push")
            elif usable:
                status = 400
        else:
            status = 400

    state = challenges.browser_state(challenge)
    if state == "denied":
        request.session.pop(PUSH_SESSION, None)
        flow.clear(request)
        return render(request, "mobile_app/push_denied.html", status=403)
    if request.method == "GET" and state in {"none", "used", "cancelled"} and len(usable) == 1:
        try:
            challenge = _send(request, user, usable[0], challenge)
            state = challenges.browser_state(challenge)
        except MobileError as failure:
            error, status = str(failure.message), failure.status
    return render(request, "mobile_app/push.html", {
        "challenge": challenge if state in {"pending", "approved", "expired"} else None,
        "state": state, "devices": usable, "locked_only": not usable, "choose_form": choose_form,
        "error": error, "seconds": settings.MOBILE_CHALLENGE_TTL, **pending.context(request),
    }, status=status)


@require_GET
def push_status(request):
    try:
        user = flow.pending_user(request, method="mobile_app_pin")
    except NoPendingSignin:
        return _no_store(JsonResponse({"state": "none"}))
    challenge = _current_push(request, user)
    if challenge is None:
        return _no_store(JsonResponse({"state": "none"}))
    known = request.GET.get("known", "")[:16]

    def changed():
        challenge.refresh_from_db()
        state = challenges.browser_state(challenge)
        return state if state != known else None

    # Wake up at the latest when the request expires, so the page can say so.
    seconds = _wait_seconds(request)
    state = channel.wait_until(changed, [channel.challenge_key(challenge.pk)], seconds)
    return _no_store(JsonResponse({"state": state or known}))


# --- Sign in with "Mobile app QR code" -----------------------------------------------------------

def _current_otp(request, user) -> OtpChallenge | None:
    stored = request.session.get(OTP_SESSION) or {}
    if stored.get("user") != user.pk:
        return None
    return OtpChallenge.objects.select_related("user").filter(public_id=stored.get("id", ""), user=user).first()


def _new_otp(request, user) -> OtpChallenge:
    challenge = otp.create(user)
    request.session[OTP_SESSION] = {"id": challenge.public_id, "user": user.pk}
    return challenge


@require_http_methods(["GET", "POST"])
def qr_code(request):
    user, restart = pending.pending(request, "mobile_app_qr")
    if restart is not None:
        return restart
    challenge = _current_otp(request, user)
    form = OtpForm(request.POST if request.method == "POST" else None)
    status = 200
    notice = None
    if request.method == "POST":
        status = 400
        if challenge is None:
            notice = _("This QR code has expired. Scan the new QR code below.")
        elif form.is_valid():
            try:
                otp.verify(challenge=challenge, user=user, response=form.cleaned_data["code"], request=request)
            except MobileError as error:
                form.add_error("code", str(error.message))
                status = error.status
            else:
                request.session.pop(OTP_SESSION, None)
                return flow.second_factor_passed(request, "PASSWORD_SOFTWARE_TOKEN")
    if not otp.usable(challenge, user):
        if challenge is not None and request.method == "GET":
            notice = _("The previous QR code has expired: scan this new one.")
        challenge = _new_otp(request, user)
    return render(request, "mobile_app/qr.html", {
        "form": form, "qr_uri": qr.svg_data_uri(otp.qr_payload(challenge), scale=5), "notice": notice,
        "digits": ocra.response_length(), "has_usable": devices.usable(user).exists(),
        "minutes": max(1, settings.MOBILE_OTP_TTL // 60), **pending.context(request),
    }, status=status)
