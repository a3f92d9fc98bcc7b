"""The validators' pages: the requests waiting for the applications one validates, one request with what
the person submitted, and the decisions (approve, refuse with a reason, send a new code, revoke)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from limen.core.errors import LimenError, show_on
from limen.signin import guards

from . import decisions, policies
from .errors import NotValidator
from .fields import Kind, localized
from .forms import ReasonForm
from .models import AccessRequest, Status

ACTIONS = ("approve", "refuse", "resend", "revoke")
SHOWN = (Status.PENDING, Status.CODE_SENT, Status.ACTIVE)


def _gate(request):
    """Signed in, second factor proved if the account has one (they read personal details), a validator."""
    gate = guards.second_factor_proved(request, request.get_full_path())
    if gate is not None:
        return gate
    if not policies.validated_by(request.user):
        return render(request, "access/validators_only.html", status=403)
    return None


def _forbidden(request):
    return render(request, "access/validators_only.html", {"message": NotValidator.default_message}, status=403)


def details(access_request: AccessRequest) -> list[tuple[str, str]]:
    """(label, value) of what the person submitted, in the form's order; dates written out."""
    specs = {spec.name: spec for spec in policies.fields_of(access_request.policy)}
    rows = []
    for name, value in access_request.values.items():
        spec = specs.get(name)
        if spec is not None and spec.kind == Kind.DATE:
            try:
                value = dt.date.fromisoformat(value)
            except ValueError:
                pass
        rows.append((localized(spec.label) if spec else name, value, list(specs).index(name) if spec else 99))
    return [(label, value) for label, value, _order in sorted(rows, key=lambda r: r[2])]


@never_cache
def queue(request):
    gate = _gate(request)
    if gate is not None:
        return gate
    sections = []
    for policy in policies.validated_by(request.user):
        waiting = AccessRequest.objects.filter(policy=policy, status__in=SHOWN).select_related("user") \
            .order_by("submitted")
        by_status = {status: [r for r in waiting if r.status == status] for status in SHOWN}
        sections.append({"policy": policy, "application": policies.display_name(policy),
                         "pending": by_status[Status.PENDING], "code_sent": by_status[Status.CODE_SENT],
                         "active": by_status[Status.ACTIVE]})
    return render(request, "access/validators.html", {"sections": sections})


def _find(pk) -> AccessRequest | None:
    return AccessRequest.objects.select_related("policy", "user").filter(public_id=pk).first()


def _review(request, found: AccessRequest, *, refuse_form=None, revoke_form=None, status: int = 200):
    return render(request, "access/review.html", {
        "access_request": found, "application": policies.display_name(found.policy), "details": details(found),
        "refuse_form": refuse_form or ReasonForm(prefix="refuse"),
        "revoke_form": revoke_form or ReasonForm(prefix="revoke"),
    }, status=status)


@never_cache
def review(request, pk):
    gate = _gate(request)
    if gate is not None:
        return gate
    found = _find(pk)
    if found is None:
        return render(request, "access/not_found.html", status=404)
    if not policies.validates(request.user, found.policy):
        return _forbidden(request)
    return _review(request, found)


@require_POST
def decide(request, pk, action: str):
    gate = _gate(request)
    if gate is not None:
        return gate
    found = _find(pk)
    if found is None or action not in ACTIONS:
        return render(request, "access/not_found.html", status=404)
    decider = decisions.Decider(label=request.user.email, via="page", user=request.user)
    try:
        decisions.guard(found, decider, request, action)
    except NotValidator:
        return _forbidden(request)
    name, person = policies.display_name(found.policy), found.user.get_full_name() or found.user.email
    form = ReasonForm(request.POST, prefix=action) if action in ("refuse", "revoke") else None
    try:
        if action == "approve":
            decisions.approve(found, decider, request=request)
            done = _("%(person)s's request is approved; a validation code is on its way.")
        elif action == "resend":
            decisions.resend_code(found, decider, request=request)
            done = _("A new validation code is on its way to %(person)s.")
        elif not form.is_valid():
            return _review(request, found, **{f"{action}_form": form}, status=400)
        elif action == "refuse":
            decisions.refuse(found, decider, form.cleaned_data["reason"], request=request)
            done = _("%(person)s's request is refused; they receive your reason by e-mail.")
        else:
            decisions.revoke(found, decider, form.cleaned_data["reason"], request=request)
            done = _("%(person)s's access to %(application)s is revoked; they receive your reason by e-mail.")
    except NotValidator:
        return _forbidden(request)
    except LimenError as error:
        if form is not None and error.field:
            status = show_on(form, error)
            return _review(request, found, **{f"{action}_form": form}, status=status)
        messages.error(request, str(error.message))
        return redirect("access:review", pk=found.public_id)
    messages.success(request, done % {"person": person, "application": name})
    return redirect("access:validators")
