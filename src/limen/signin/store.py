"""Where transactions live: a table, bound to the browser that started them.

The browser's session holds a random secret (its digest is stored with each
transaction it starts) and a pointer to its current transaction. A form may
name a transaction explicitly (field ``tx``); one of another browser, one
that expired, or one already completed is refused and changes nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from urllib.parse import parse_qsl, urlsplit

from limen.core import clock

from . import rows
from .errors import NoTransaction, TransactionCompleted, TransactionExpired, TransactionForeign
from .models import SigninTransaction
from .transaction import Requirement, Transaction

BROWSER_KEY = "limen.browser"
CURRENT_KEY = "limen.signin.tx"
LIFETIME = 30 * 60          # a transaction lasts at most this long (seconds)
METHOD_IDLE = 10 * 60       # after the password, a method may wait this long between two steps
FRESH_FOR = 10 * 60         # a completed sign-in counts as fresh for its application this long
FIELD = "tx"


def _browser(request, *, create: bool) -> str | None:
    secret = request.session.get(BROWSER_KEY)
    if secret is None and create:
        secret = secrets.token_urlsafe(32)
        request.session[BROWSER_KEY] = secret
    return hashlib.sha256(secret.encode()).hexdigest() if secret else None


def same_place(a: str, b: str) -> bool:
    """Two next URLs name the same page, however their query is encoded or ordered."""
    pa, pb = urlsplit(a or ""), urlsplit(b or "")
    return pa.path == pb.path and sorted(parse_qsl(pa.query, keep_blank_values=True)) == sorted(
        parse_qsl(pb.query, keep_blank_values=True))


def _ts(value: dt.datetime | None) -> float | None:
    return value.timestamp() if value is not None else None


def _from_row(row) -> Transaction:
    """From a SigninTransaction, or a row of limen.signin.rows (the same attributes)."""
    return Transaction.from_row(id=row.id, data=row.data, created=row.created.timestamp(),
                                expires=row.expires.timestamp(), completed=_ts(row.completed))


def start(request, *, next_url: str, requirement: Requirement | None = None, email: str = "",
          user=None, step_up: bool = False) -> Transaction:
    """A new transaction for this browser, which becomes its current one."""
    now = clock.now()
    tx = Transaction(id=secrets.token_hex(16), next_url=next_url, created=now.timestamp(),
                     expires=(now + dt.timedelta(seconds=LIFETIME)).timestamp(),
                     requirement=requirement or Requirement(), email=email,
                     user_id=getattr(user, "pk", None), step_up=step_up)
    rows.insert(tx.id, _browser(request, create=True), tx.as_dict(), now,
                dt.datetime.fromtimestamp(tx.expires, tz=dt.timezone.utc))
    request.session[CURRENT_KEY] = tx.id
    return tx


def _row(request, tx_id: str | None):
    tx_id = (tx_id or request.session.get(CURRENT_KEY) or "")[:32]
    row = rows.load(tx_id) if tx_id else None
    if row is None:
        raise NoTransaction()
    browser = _browser(request, create=False) or ""
    if not hmac.compare_digest(row.browser.encode(), browser.encode()):
        raise TransactionForeign()
    return row


def load(request, tx_id: str | None = None, *, completed_ok: bool = False) -> Transaction:
    """The transaction named (or this browser's current one); raises a TransactionError."""
    row = _row(request, tx_id)
    if row.completed is not None and not completed_ok:
        raise TransactionCompleted()
    if row.expires <= clock.now():
        raise TransactionExpired()
    return _from_row(row)


def from_request(request, *, completed_ok: bool = False) -> Transaction:
    """The transaction a page works on: the one its form names, else the browser's current one."""
    named = request.POST.get(FIELD) if request.method == "POST" else request.GET.get(FIELD)
    return load(request, named or None, completed_ok=completed_ok)


def peek(request) -> Transaction | None:
    """This browser's current transaction if it can still go on, else None (never raises)."""
    try:
        return load(request)
    except (NoTransaction, TransactionExpired, TransactionForeign, TransactionCompleted):
        return None


def save(tx: Transaction) -> None:
    rows.save(tx.id, tx.as_dict())  # a completed one is left as it is


def mark_completed(tx: Transaction) -> bool:
    """Single use: True for the one caller that completes the transaction."""
    now = clock.now()
    done = rows.complete(tx.id, tx.as_dict(), now)
    if done:
        tx.completed = now.timestamp()
    return bool(done)


def abandon(tx: Transaction) -> None:
    """End a transaction without a sign-in (the person denied it in the app): it cannot be used again."""
    SigninTransaction.objects.filter(pk=tx.id, completed__isnull=True).update(expires=clock.now())


def method_idle(tx: Transaction) -> bool:
    """The method begun after the password has waited too long."""
    return clock.now().timestamp() - tx.since > METHOD_IDLE


def take_fresh(request, next_url: str) -> Transaction | None:
    """The transaction this browser just completed for ``next_url`` (once): the person has just
    proved who they are for the request that sent them. Taking it makes it not fresh any more."""
    browser = _browser(request, create=False)
    if not browser:
        return None
    now = clock.now()
    since = now - dt.timedelta(seconds=FRESH_FOR)
    for row in rows.completed_since(browser, since, 5):
        if same_place(row.data.get("next"), next_url) and rows.use(row.id, now):
            return _from_row(row)
    return None


def forget(request) -> None:
    request.session.pop(CURRENT_KEY, None)


def purge() -> int:
    """Delete what no one can use any more (the background worker runs this)."""
    now = clock.now()
    expired, _ = SigninTransaction.objects.filter(expires__lte=now).delete()
    done, _ = SigninTransaction.objects.filter(completed__lte=now - dt.timedelta(seconds=FRESH_FOR)).delete()
    return expired + done
