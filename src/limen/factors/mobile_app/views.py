"""Browser pages: manage devices (My Account), and the wait of the PIN push page (the sign-in pages are
method.MobileAppPin and method.MobileAppQr)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from limen.core import crypto
from limen.core.errors import show_on
from limen.factors.guards import enrolment_gate
from limen.signin import flow
from limen.signin.errors import TransactionError
from limen_protocol import payloads

from . import channel, waiting
from .errors import MobileError, ServerBusy
from .forms import AddDeviceForm, NewPinForm, RenameDeviceForm
from .internal import qr
from .method import PIN_KEY
from .models import Enrolment, PushChallenge
from .services import challenges, devices, enrolment

STATUS_WAIT_MAX = 20  # seconds a browser status request may wait
ENROL_SESSION = "limen.mobile.enrol"
TOKEN_PURPOSE = "factors_mobile_app.enrolment-token"


def _wait_seconds(request) -> int:
    raw = request.GET.get("wait", "0")
    return min(int(raw), STATUS_WAIT_MAX) if raw.isascii() and raw.isdigit() and len(raw) < 4 else 0


def _no_store(response):
    response["Cache-Control"] = "no-store"
    return response


def _wait(request, changed, keys: list[str], known: str):
    """The browser's status long poll: the new state as soon as it differs from ``known``, else ``known``
    after the wait (which ends within STATUS_WAIT_MAX seconds: the page asks again)."""
    try:
        response = waiting.respond(request, check=changed, keys=keys, timeout=_wait_seconds(request),
                                   render=lambda state: JsonResponse({"state": state or known}))
    except ServerBusy:
        response = waiting.busy_response(JsonResponse({"state": known}, status=503))
    return _no_store(response)


# --- My Account: manage my mobile devices ------------------------------------------------------

@login_required
@require_GET
def device_list(request):
    return render(request, "mobile_app/devices.html", {
        "devices": devices.active(request.user),
        "max_devices": settings.MOBILE_MAX_DEVICES,
        "app_url": settings.BASE_URL + payloads.APP_PATH,
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
                status = show_on(form, error)
                return render(request, "mobile_app/add.html", {"form": form}, status=status)
            else:
                return _show_enrolment(request, record, token)
        status = 400
    return render(request, "mobile_app/add.html", {"form": form}, status=status)


def _show_enrolment(request, record: Enrolment, token: str):
    """The enrolment page, with its token kept (encrypted) in the session until the app has used it."""
    request.session[ENROL_SESSION] = {"id": record.public_id,
                                      "token": crypto.encrypt(token.encode(), purpose=TOKEN_PURPOSE)}
    return redirect("mobile_app:enrol", enrolment_id=record.public_id)


def _own_device(request, device_id: str):
    """The signed-in person's device, or 404 (another person's device is not found either)."""
    try:
        return devices.get_for(request.user, device_id)
    except MobileError:
        raise Http404() from None


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
        try:
            token = crypto.decrypt(stored["token"], purpose=TOKEN_PURPOSE).decode()
        except crypto.DecryptionError:  # its key was removed meanwhile: the page says to start again
            token = None
        if token:
            payload = enrolment.qr_payload(token)  # also shown as text, for people who cannot scan
            # A link to the web app with the payload in its fragment: a phone's own camera opens the app.
            qr_uri = qr.svg_data_uri(payloads.app_link(settings.BASE_URL, payload))
    return render(request, "mobile_app/enrol.html", {
        "enrolment": record, "state": state, "qr_uri": qr_uri, "qr_payload": payload,
        "app_url": settings.BASE_URL + payloads.APP_PATH, "replaces": record.replaces,
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

    return _wait(request, changed, [channel.enrolment_key(record.pk)], known)


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
    device = _own_device(request, device_id)
    form = RenameDeviceForm(request.POST if request.method == "POST" else None, initial={"name": device.name})
    if request.method == "POST" and form.is_valid():
        devices.rename(user=request.user, public_id=device.public_id, name=form.cleaned_data["name"], request=request)
        messages.success(request, _("The device has been renamed."))
        return redirect("mobile_app:devices")
    return render(request, "mobile_app/rename.html", {"form": form, "device": device},
                  status=400 if request.method == "POST" else 200)


@login_required
@require_http_methods(["GET", "POST"])
def forgot_pin(request, device_id: str):
    """"Forgot PIN": choose a new PIN here (after another factor), then the app re-keys with it."""
    device = _own_device(request, device_id)
    gate = enrolment_gate(request, request.get_full_path())
    if gate is not None:
        return gate
    form = NewPinForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            record, token = enrolment.start(user=request.user, name=device.name, pin=form.cleaned_data["pin"],
                                            request=request, replaces=device)
        except MobileError as error:
            status = show_on(form, error)
            return render(request, "mobile_app/forgot_pin.html", {"form": form, "device": device}, status=status)
        return _show_enrolment(request, record, token)
    return render(request, "mobile_app/forgot_pin.html", {"form": form, "device": device},
                  status=400 if request.method == "POST" else 200)


@login_required
@require_http_methods(["GET", "POST"])
def remove_device(request, device_id: str):
    device = _own_device(request, device_id)
    gate = enrolment_gate(request, request.get_full_path())
    if gate is not None:
        return gate
    if request.method == "POST":
        devices.remove(device, by="owner", request=request)
        messages.success(request, _("The device “%(name)s” has been removed.") % {"name": device.name})
        return redirect("mobile_app:devices")
    return render(request, "mobile_app/remove.html", {"device": device})


# --- Sign in with "Mobile app PIN code": the page's wait for the app (the page is method.MobileAppPin) ---

@require_GET
def push_status(request):
    try:
        tx, user = flow.pending(request, PIN_KEY)
    except TransactionError:
        return _no_store(JsonResponse({"state": "none"}))
    public_id = tx.state.get(PIN_KEY, {}).get("push")
    challenge = PushChallenge.objects.filter(public_id=public_id, user=user).first() if public_id else None
    if challenge is None:
        return _no_store(JsonResponse({"state": "none"}))
    known = request.GET.get("known", "")[:16]

    def changed():
        challenge.refresh_from_db()
        state = challenges.browser_state(challenge)
        return state if state != known else None

    return _wait(request, changed, [channel.challenge_key(challenge.pk)], known)
