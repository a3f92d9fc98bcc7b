"""eID use cases: sign in, link, unlink, eID-only accounts and merging them."""

from __future__ import annotations

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from limen.accounts.models import User
from limen.audit.events import Event
from limen.audit.service import record
from limen.core import clock
from limen.notify import notices
from limen.notify.outbox import send_templated_email
from limen.signin import sessions
from limen.signin.methods import registry

from .errors import AccountUnavailable, AlreadyLinked, EidError, LastWayIn, LinkedElsewhere, NotLinked
from .models import EidLink, UpstreamProvider

UNLINKED_KEY = "limen.eid.unlinked"
MERGE_KEY = "limen.eid.merge"
PENDING_SECONDS = 600
ACCOUNT_SALT = "limen.eid.account"


class AccountLinkInvalid(EidError):
    code = "eid_account_link_invalid"
    default_message = _("This confirmation link is not valid or has expired. Sign in with your eID again to "
                        "ask for a new one.")


class AccountAlreadyExists(EidError):
    code = "eid_account_exists"
    default_message = _("This account already exists. Sign in with your eID.")


class MergeNotPossible(EidError):
    code = "eid_merge_not_possible"
    default_message = _("These accounts cannot be merged. Sign in with your eID again and retry.")


def find_link(claims: dict) -> EidLink | None:
    return EidLink.objects.select_related("user", "provider").filter(
        issuer=claims["iss"], subject=claims["sub"]).first()


# ----------------------------------------------------------------- signing in


def signing_in(request, link: EidLink):
    """Passwordless sign-in with a linked eID: the account it opens (views complete the sign-in)."""
    user = link.user
    if not user.is_active:
        record(Event.EID_SIGNIN_FAILED, user=user, request=request, reason="account_disabled")
        raise AccountUnavailable()
    EidLink.objects.filter(pk=link.pk).update(last_used=clock.now())
    return user


def verify_second_factor(request, pending_user: User, claims: dict) -> None:
    """The person between password and second factor (or stepping up) proved their linked eID."""
    link = find_link(claims)
    if link is None or link.user_id != pending_user.pk:
        record(Event.EID_SIGNIN_FAILED, user=pending_user, request=request, reason="not_linked")
        raise NotLinked()
    EidLink.objects.filter(pk=link.pk).update(last_used=clock.now())


# ----------------------------------------------------------------- linking


@transaction.atomic
def link(user: User, provider: UpstreamProvider, claims: dict, *, request=None) -> EidLink:
    existing = find_link(claims)
    if existing is not None:
        raise AlreadyLinked() if existing.user_id == user.pk else LinkedElsewhere()
    created = EidLink.objects.create(user=user, provider=provider, issuer=claims["iss"], subject=claims["sub"],
                                     created=clock.now())
    record(Event.EID_LINKED, user=user, request=request, provider=provider.slug)
    notices.send(user, "eid_linked", provider=provider.name)
    return created


@transaction.atomic
def unlink(link: EidLink, *, request=None) -> None:
    user = link.user
    if not user.has_usable_password() and EidLink.objects.filter(user=user).count() <= 1:
        raise LastWayIn()
    provider = link.provider
    link.delete()
    record(Event.EID_UNLINKED, user=user, request=request, provider=provider.slug)
    notices.send(user, "eid_unlinked", provider=provider.name)


def unlink_all(user: User) -> int:
    """PANIC: remove every eID link of the account."""
    count, _ = EidLink.objects.filter(user=user).delete()
    if count:
        record(Event.EID_UNLINKED, user=user, provider="*", count=count, reason="panic")
    return count


# ----------------------------------------------------------------- an eID not linked yet


def remember_unlinked(request, provider: UpstreamProvider, claims: dict, next_url: str) -> None:
    request.session[UNLINKED_KEY] = {
        "provider": provider.pk, "iss": claims["iss"], "sub": claims["sub"],
        "given_name": str(claims.get("given_name") or "")[:100],
        "family_name": str(claims.get("family_name") or "")[:100],
        "email": str(claims.get("email") or "")[:254], "next": next_url, "since": clock.now().timestamp(),
    }


def unlinked(request) -> dict | None:
    data = request.session.get(UNLINKED_KEY)
    if not data or clock.now().timestamp() - data.get("since", 0) > PENDING_SECONDS:
        return None
    return data


def forget_unlinked(request) -> None:
    request.session.pop(UNLINKED_KEY, None)


def link_remembered(request, user: User) -> EidLink:
    """Signed in after proving an unlinked eID in this browser: link that eID now."""
    data = unlinked(request)
    provider = data and UpstreamProvider.objects.filter(pk=data["provider"], enabled=True).first()
    if not data or provider is None:
        raise AccountLinkInvalid()
    created = link(user, provider, {"iss": data["iss"], "sub": data["sub"]}, request=request)
    forget_unlinked(request)
    return created


def request_account(request, *, first_name: str, last_name: str, email: str, email_language: str) -> None:
    """An eID-only account is created once the person confirms the e-mail address."""
    data = unlinked(request)
    provider = data and UpstreamProvider.objects.filter(pk=data["provider"], enabled=True).first()
    if not data or provider is None:
        raise AccountLinkInvalid()
    existing = User.objects.find_by_email(email)
    if existing is not None:
        notices.send(existing, "eid_account_exists", provider=provider.name)
        return
    token = signing.dumps({"p": provider.pk, "iss": data["iss"], "sub": data["sub"], "fn": first_name,
                           "ln": last_name, "em": email, "lang": email_language}, salt=ACCOUNT_SALT, compress=True)
    send_templated_email(to=email, template="eid_account_confirm", language=email_language, context={
        "site_name": settings.SITE_NAME, "first_name": first_name, "provider": provider.name,
        "link": settings.BASE_URL + reverse("eid:confirm_account", args=[token]),
        "hours": settings.VERIFY_EMAIL_TTL // 3600 or 1,
    })


def _account_request(token: str) -> dict:
    try:
        return signing.loads(token, salt=ACCOUNT_SALT, max_age=settings.VERIFY_EMAIL_TTL)
    except signing.BadSignature:
        raise AccountLinkInvalid() from None


def peek_account(token: str) -> dict:
    data = _account_request(token)
    if EidLink.objects.filter(issuer=data["iss"], subject=data["sub"]).exists():
        raise AccountAlreadyExists()
    return data


@transaction.atomic
def confirm_account(token: str, *, request=None) -> User:
    data = peek_account(token)
    provider = UpstreamProvider.objects.filter(pk=data["p"]).first()
    if provider is None:
        raise AccountLinkInvalid()
    if User.objects.find_by_email(data["em"]) is not None:
        raise AccountAlreadyExists()
    user = User.objects.create_user(data["em"], None, first_name=data["fn"], last_name=data["ln"],
                                    email_language=data["lang"], email_verified=True)
    EidLink.objects.create(user=user, provider=provider, issuer=data["iss"], subject=data["sub"],
                           created=clock.now())
    record(Event.EID_ACCOUNT_CREATED, user=user, request=request, provider=provider.slug)
    return user


# ----------------------------------------------------------------- merging an eID-only account


def propose_merge(request, source_link: EidLink, target: User) -> None:
    request.session[MERGE_KEY] = {"source": source_link.user_id, "target": target.pk, "since": clock.now().timestamp()}


def merge_proposal(request, target: User) -> User | None:
    data = request.session.get(MERGE_KEY)
    if not data or data.get("target") != target.pk or clock.now().timestamp() - data.get("since", 0) > PENDING_SECONDS:
        return None
    source = User.objects.filter(pk=data["source"]).first()
    if source is None or source.pk == target.pk or source.has_usable_password():
        return None
    return source


def merge(request, target: User) -> str:
    """Move the eID-only account's eIDs into ``target`` and delete it. Returns its e-mail address."""
    source = merge_proposal(request, target)
    request.session.pop(MERGE_KEY, None)
    if source is None:
        raise MergeNotPossible()
    source_email = source.email
    with transaction.atomic():
        moved = EidLink.objects.filter(user=source).update(user=target)
        for method in registry.all():
            if method.key != "eid":
                method.remove_all(source)
        sessions.end_all(source)
        record(Event.EID_ACCOUNTS_MERGED, user=target, request=request, merged_email=source_email,
               merged_uid=str(source.uid), links=moved)
        source.delete()
    notices.send(target, "eid_accounts_merged", source_email=source_email)
    return source_email
