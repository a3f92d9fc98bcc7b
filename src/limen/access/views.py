"""The person's pages: the request page of an application (form, status, or the way to the code), the
acknowledgement, the code entry, and My Account's list of requests. Thin: forms in, use cases called."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from limen.core.errors import LimenError, show_on
from limen.core.net import safe_next
from limen.signin.evaluate import Proceed, evaluate
from limen.signin.transaction import Application, Requirement

from . import applications, issue, mine, policies, redeem
from . import requests as access_requests
from .errors import NoCode, NoPolicy
from .forms import CodeForm, RequestForm
from .models import AccessPolicy, Delivery, Status


def _policy(slug: str) -> AccessPolicy | None:
    return AccessPolicy.objects.filter(slug=slug, enabled=True).first()


def _not_required(request):
    return render(request, "access/not_required.html", {"message": NoPolicy.default_message}, status=404)


def _signed_in_strongly(request, policy: AccessPolicy):
    """None if the person signed in with the level the application asks for; else where to go first."""
    app = policies.app_of(policy)
    requirement = Requirement(application=Application(name=app.name, protocol="access"), level=policy.level)
    outcome = evaluate(request, requirement, return_to=request.get_full_path(), confirmed=True)
    return None if isinstance(outcome, Proceed) else redirect(outcome.url)


def _next(request) -> str:
    return safe_next(request, request.GET.get("next") or request.POST.get("next"), "")


def _with_next(url: str, next_url: str) -> str:
    return url + ("?" + urlencode({"next": next_url}) if next_url else "")


def _page_policy(request, slug: str):
    """The policy a request page is for, and the answer that replaces the page, if any: the application
    no longer requires validation, or the person must sign in (more strongly) first."""
    policy = _policy(slug)
    if policy is None:
        return None, _not_required(request)
    return policy, _signed_in_strongly(request, policy)


def _context(policy: AccessPolicy, next_url: str, **extra) -> dict:
    app = policies.app_of(policy)
    return {"policy": policy, "application": app.name, "app_url": applications.home_url(app), "next": next_url, **extra}


@never_cache
@require_http_methods(["GET", "POST"])
def request_page(request, slug: str):
    """The application's page: the form for someone without a request, else where their request stands."""
    policy, answer = _page_policy(request, slug)
    if answer is not None:
        return answer
    next_url = _next(request)
    current = access_requests.open_request(request.user, policy)
    if current is not None and current.status == Status.CODE_SENT:
        return redirect(_with_next(reverse("access:code", args=[slug]), next_url))
    if current is not None:
        return render(request, "access/status.html", _context(policy, next_url, access_request=current),
                      status=409 if request.method == "POST" else 200)
    specs = policies.fields_of(policy)
    user = request.user
    choices = access_requests.delivery_choices(user)
    shown = [(value, (_("By e-mail to %(address)s") if value == Delivery.EMAIL else _("By SMS to %(address)s"))
              % {"address": address}) for value, address in choices]
    initial = {"f_" + s.name: getattr(user, s.prefill) for s in specs if s.prefill}
    form = RequestForm(specs, request.POST or None, initial=initial, delivery_choices=shown)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                access_requests.submit(user, policy, form.values(),
                                       delivery=form.cleaned_data.get("delivery", Delivery.EMAIL), request=request)
            except LimenError as error:
                status = show_on(form, error)
            else:
                return redirect(_with_next(reverse("access:submitted", args=[slug]), next_url))
    previous = access_requests.latest(user, policy)
    return render(request, "access/request.html", _context(
        policy, next_url, form=form, intro=policy.intro, previous=previous), status=status)


@never_cache
def submitted(request, slug: str):
    """The acknowledgement: what happens next, and how the code will come."""
    policy, answer = _page_policy(request, slug)
    if answer is not None:
        return answer
    current = access_requests.open_request(request.user, policy)
    if current is None or current.status != Status.PENDING:
        return redirect(_with_next(reverse("access:request", args=[slug]), _next(request)))
    return render(request, "access/submitted.html", _context(policy, _next(request), access_request=current))


@never_cache
@require_http_methods(["GET", "POST"])
def code_page(request, slug: str):
    """Enter the validation code; the application gets access at once."""
    policy, answer = _page_policy(request, slug)
    if answer is not None:
        return answer
    next_url = _next(request)
    current = access_requests.open_request(request.user, policy)
    if current is None or current.status == Status.PENDING:
        return redirect(_with_next(reverse("access:request", args=[slug]), next_url))
    if current.status == Status.ACTIVE and request.method == "GET":
        return render(request, "access/active.html", _context(policy, next_url, access_request=current))
    form = CodeForm(request.POST or None)
    status, wrong_box = 200, None
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                done = redeem.redeem(request.user, policy, form.cleaned_data["code"], request=request)
            except LimenError as error:
                status = show_on(form, error)
                wrong_box = getattr(error, "group", None)
            else:
                return render(request, "access/active.html",
                              _context(policy, next_url, access_request=done, just_activated=True))
    return render(request, "access/code.html", _context(
        policy, next_url, form=form, access_request=current, wrong_box=wrong_box), status=status)


@require_POST
def resend(request, slug: str):
    policy, answer = _page_policy(request, slug)
    if answer is not None:
        return answer
    next_url = _next(request)
    current = access_requests.open_request(request.user, policy)
    try:
        if current is None:
            raise NoCode()
        channel = issue.resend_for_person(request.user, current, request=request)
    except LimenError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("We have sent you a new code by SMS. The previous code no longer works.")
                         if channel == "sms" else
                         _("We have sent you a new code by e-mail. The previous code no longer works."))
    return redirect(_with_next(reverse("access:code", args=[slug]), next_url))


@never_cache
@login_required
def my_requests(request):
    return render(request, "access/mine.html", {"rows": mine.rows(access_requests.of_person(request.user))})


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def withdraw(request, pk):
    try:
        found = access_requests.own(request.user, pk)
    except LimenError:
        return render(request, "access/not_found.html", status=404)
    name = policies.display_name(found.policy)
    if request.method == "POST":
        try:
            access_requests.withdraw(request.user, found, request=request)
        except LimenError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("Your request for access to %(application)s has been withdrawn.")
                             % {"application": name})
        return redirect("access:mine")
    return render(request, "access/withdraw.html", {"access_request": found, "application": name})
