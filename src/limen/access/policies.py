"""Requiring validation for an application: the policy, its fields, who validates (`limen access_policy`,
the operators' site). Every change is an audit event."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from limen.audit.events import Event
from limen.audit.service import record
from limen.core import sql
from limen.signin import levels

from . import applications
from .applications import AppRef
from .errors import NotOperator
from .fields import FieldSpec, parse_specs
from .models import AccessPolicy, RequestField, ValidatorRole

MAX_MESSAGE = 2000


# The enabled policy of one application, compiled once (limen.core.sql): every CAS validation, OpenID
# Connect authorization and sign-in asks, most often for an application without one, and building the
# queryset each time cost a third of a CAS validation (0.4 ms of 1.15). One at most: the pair is unique.
_enabled_policy = sql.Select(lambda protocol, key: AccessPolicy.objects.filter(
    protocol=protocol, app_key=key, enabled=True).order_by("pk")[:1])


def policy_of(ref: AppRef, *, enabled_only: bool = True) -> AccessPolicy | None:
    if enabled_only:
        return _enabled_policy.first(ref.protocol, str(ref.key))
    return AccessPolicy.objects.filter(protocol=ref.protocol, app_key=str(ref.key)).first()


def app_of(policy: AccessPolicy) -> AppRef:
    """The application, with its current name (the registration may have been renamed)."""
    current = applications.get(policy.protocol, policy.app_key)
    return current or AppRef(policy.protocol, policy.app_key, policy.app_name)


def display_name(policy: AccessPolicy) -> str:
    return app_of(policy).name or policy.app_name


def fields_of(policy: AccessPolicy) -> list[FieldSpec]:
    return [FieldSpec.of(row) for row in policy.fields.all()]


def _check_message(value: str, name: str) -> str:
    value = (value or "").strip()
    if len(value) > MAX_MESSAGE or any(ord(c) < 32 and c not in "\n\r\t" for c in value):
        raise ValidationError({name: _("At most %(max)d characters, without control characters.")
                               % {"max": MAX_MESSAGE}})
    return value


def _check_slug(slug: str, policy_pk: int | None) -> str:
    value = slugify(slug)[:60].strip("-")
    if not value or value != slug:
        raise ValidationError({"slug": _("Use lower-case letters, digits and dashes, e.g. pension-fund.")})
    if AccessPolicy.objects.filter(slug=value).exclude(pk=policy_pk).exists():
        raise ValidationError({"slug": _("Another application's request page already has this address.")})
    return value


def free_slug(name: str) -> str:
    base = slugify(name)[:50].strip("-") or "application"
    slug, n = base, 1
    while AccessPolicy.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def check_level(value) -> int:
    level = value if isinstance(value, int) else levels.parse_level(str(value or ""))
    if level not in levels.LEVEL_NAMES or level > levels.max_level():
        raise ValidationError({"level": _("Choose a level a sign-in method reaches: BASIC or MEDIUM.")})
    return level


def replace_fields(policy: AccessPolicy, specs: list[FieldSpec]) -> None:
    policy.fields.all().delete()
    RequestField.objects.bulk_create(
        RequestField(policy=policy, order=number, **{k: v for k, v in spec.as_dict().items()})
        for number, spec in enumerate(specs))


@transaction.atomic
def configure(ref: AppRef, *, level=None, fields=None, intro: str | None = None,
              acknowledgement: str | None = None, slug: str | None = None, enabled: bool | None = None,
              operator=None, request=None) -> tuple[AccessPolicy, bool]:
    """Create or change the policy of ``ref``; left-out values keep what they were. Raises ValidationError."""
    policy = AccessPolicy.objects.select_for_update().filter(protocol=ref.protocol, app_key=str(ref.key)).first()
    created = policy is None
    specs = parse_specs(fields) if fields is not None else None
    if created:
        if specs is None:
            raise ValidationError({"fields": _("Say which fields the request asks for.")})
        policy = AccessPolicy(protocol=ref.protocol, app_key=str(ref.key), slug=free_slug(ref.name))
    policy.app_name = ref.name[:200]
    if level is not None:
        policy.level = check_level(level)
    if intro is not None:
        policy.intro = _check_message(intro, "intro")
    if acknowledgement is not None:
        policy.acknowledgement = _check_message(acknowledgement, "acknowledgement")
    if slug:
        policy.slug = _check_slug(slug, policy.pk)
    if enabled is not None:
        policy.enabled = enabled
    policy.save()
    if specs is not None:
        replace_fields(policy, specs)
    saved(policy, created=created, operator=operator, request=request)
    return policy, created


def saved(policy: AccessPolicy, *, created: bool, operator=None, request=None) -> None:
    record(Event.ACCESS_POLICY_SAVED, user=operator, request=request, application=policy.app_name,
           app=f"{policy.protocol}:{policy.app_key}", created=created, level=levels.LEVEL_NAMES.get(policy.level),
           fields=list(policy.fields.values_list("name", flat=True)), enabled=policy.enabled)


def remove(ref: AppRef, *, operator=None, request=None) -> bool:
    policy = policy_of(ref, enabled_only=False)
    if policy is None:
        return False
    name = policy.app_name
    policy.delete()
    record(Event.ACCESS_POLICY_REMOVED, user=operator, request=request, application=name, app=ref.id)
    return True


def application_removed(protocol: str, key) -> None:
    """The protocol deleted the application: its policy, requests and tokens go with it."""
    for policy in AccessPolicy.objects.filter(protocol=protocol, app_key=str(key)):
        name = policy.app_name
        policy.delete()
        record(Event.ACCESS_POLICY_REMOVED, application=name, app=f"{protocol}:{key}", reason="application removed")


def add_validator(policy: AccessPolicy, user, *, operator=None, request=None) -> bool:
    if not user.is_staff or not user.is_active:
        raise NotOperator()
    _role, created = ValidatorRole.objects.get_or_create(policy=policy, user=user)
    if created:
        record(Event.ACCESS_VALIDATOR_ADDED, user=operator, request=request, application=policy.app_name,
               validator=user.email)
    return created


def remove_validator(policy: AccessPolicy, user, *, operator=None, request=None) -> bool:
    deleted, _ = ValidatorRole.objects.filter(policy=policy, user=user).delete()
    if deleted:
        record(Event.ACCESS_VALIDATOR_REMOVED, user=operator, request=request, application=policy.app_name,
               validator=user.email)
    return bool(deleted)


def validates(user, policy: AccessPolicy) -> bool:
    """An operator with the validator role for this application."""
    return bool(user and user.is_authenticated and user.is_staff and user.is_active
                and ValidatorRole.objects.filter(policy=policy, user=user).exists())


def validated_by(user) -> list[AccessPolicy]:
    if not (user and user.is_authenticated and user.is_staff and user.is_active):
        return []
    return list(AccessPolicy.objects.filter(validators__user=user).order_by("app_name"))


def describe(policy: AccessPolicy) -> dict:
    """What `limen access_policy show` prints (and `set --fields` reads back)."""
    return {
        "application": f"{policy.protocol}:{policy.app_key}", "name": policy.app_name, "slug": policy.slug,
        "level": levels.LEVEL_NAMES.get(policy.level), "enabled": policy.enabled, "intro": policy.intro,
        "acknowledgement": policy.acknowledgement,
        "fields": [spec.as_dict() for spec in fields_of(policy)],
        "validators": list(policy.validators.values_list("user__email", flat=True)),
        "tokens": [{"id": t.public_id, "name": t.name, "revoked": bool(t.revoked)} for t in policy.tokens.all()],
    }
