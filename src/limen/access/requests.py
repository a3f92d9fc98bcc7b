"""The person's side of a request: ask for access, see where it stands, withdraw it."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import Q

from limen.audit.events import Event
from limen.audit.service import record
from limen.core import clock
from limen.signin.methods import registry

from . import notices
from .errors import AlreadyActive, AlreadyPending, NoPolicy, NotWithdrawable, RequestNotFound
from .models import OPEN, AccessPolicy, AccessRequest, Delivery, Status
from .policies import display_name


def open_request(user, policy: AccessPolicy) -> AccessRequest | None:
    """The request that is pending, has a code sent, or is active (at most one)."""
    return AccessRequest.objects.filter(user=user, policy=policy, status__in=OPEN).first()


def latest(user, policy: AccessPolicy) -> AccessRequest | None:
    return AccessRequest.objects.filter(user=user, policy=policy).order_by("-submitted", "-id").first()


def is_active(user, policy: AccessPolicy) -> bool:
    return AccessRequest.objects.filter(user=user, policy=policy, status=Status.ACTIVE).exists()


def of_person(user) -> list[AccessRequest]:
    """Every request of the person, newest first, with its policy (My Account)."""
    return list(AccessRequest.objects.filter(user=user).select_related("policy").order_by("-submitted", "-id"))


def _refuse_second(current: AccessRequest) -> None:
    raise AlreadyActive() if current.status == Status.ACTIVE else AlreadyPending()


def delivery_choices(user) -> list[tuple[str, str]]:
    """(value, shown) for how the code may come: e-mail, and each confirmed mobile number."""
    return [(Delivery.EMAIL.value, user.email)] + [
        (f"{Delivery.SMS.value}:{contact.number}", contact.shown) for contact in registry.contact_numbers(user)]


def submit(user, policy: AccessPolicy, values: dict, *, delivery: str = Delivery.EMAIL,
           request=None) -> AccessRequest:
    """Ask for access with the values of the request form (already cleaned). ``delivery`` is one of
    ``delivery_choices``: the code comes by e-mail, or by SMS to that number."""
    if not policy.enabled:
        raise NoPolicy()
    current = open_request(user, policy)
    if current is not None:
        _refuse_second(current)
    channel, _sep, number = delivery.partition(":")
    if delivery not in dict(delivery_choices(user)):
        channel, number = Delivery.EMAIL, ""
    try:
        with transaction.atomic():
            created = AccessRequest.objects.create(
                policy=policy, user=user, values=values, delivery=channel, number=number, submitted=clock.now())
    except IntegrityError:  # another request of this person won the race
        _refuse_second(open_request(user, policy) or AccessRequest(status=Status.PENDING))
    record(Event.ACCESS_REQUESTED, user=user, request=request, application=display_name(policy),
           access_request=str(created.public_id), delivery=channel)
    return created


def own(user, public_id) -> AccessRequest:
    found = AccessRequest.objects.select_related("policy").filter(user=user, public_id=public_id).first()
    if found is None:
        raise RequestNotFound()
    return found


def withdraw(user, access_request: AccessRequest, *, request=None) -> AccessRequest:
    """The person ends their request or their access (My Account); the application learns nothing more."""
    if access_request.user_id != user.pk:
        raise RequestNotFound()
    now = clock.now()
    changed = AccessRequest.objects.filter(Q(status__in=OPEN), pk=access_request.pk).update(
        status=Status.WITHDRAWN, ended=now, code_digest="")
    if not changed:
        raise NotWithdrawable()
    access_request.refresh_from_db()
    record(Event.ACCESS_WITHDRAWN, user=user, request=request, application=display_name(access_request.policy),
           access_request=str(access_request.public_id))
    notices.withdrawn(access_request)
    return access_request
