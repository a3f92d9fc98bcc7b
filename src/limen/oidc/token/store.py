"""The lean path's reads and writes: one statement to read, one transaction to write.

A code exchange reads the code (the toolkit's Grant row) with its client, its sign-in record
(Authorization: acr, amr, sid, auth_time) and its account in one SELECT; a refresh reads the
refresh token with its client, access token, account and sign-in record. The write spends the
code (DELETE, which only one request can do) or the refresh token (a conditional UPDATE) first,
then writes the ID token, access token and refresh token rows as the toolkit would, in one
transaction: if the code or token was spent meanwhile, nothing is written (``Spent``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from types import SimpleNamespace

from django.contrib.auth import get_user_model
from django.db import transaction
from oauth2_provider.models import get_access_token_model, get_grant_model, get_id_token_model, \
    get_refresh_token_model

from limen.core import sql

from ..models import Authorization, Client, TokenIssue

Grant, AccessToken = get_grant_model(), get_access_token_model()
RefreshToken, IDToken = get_refresh_token_model(), get_id_token_model()

CLIENT = ["id", "client_id", "client_type", "client_secret", "token_endpoint_auth_method", "secret_encrypted",
          "jwks", "jwks_uri", "active", "authorization_grant_type", "pkce_required", "id_token_alg"]
PERSON = ["id", "uid", "email", "first_name", "last_name", "interface_language", "email_language", "email_verified",
          "is_active"]
SIGN_IN = ["id", "sid", "acr", "amr", "auth_time"]
GRANT = ["id", "expires", "redirect_uri", "scope", "code_challenge", "code_challenge_method", "nonce", "claims",
         "resource"]
REFRESH = ["id", "token_family", "resource"]
ACCESS = ["id", "expires", "scope"]


class Spent(Exception):
    """The code or refresh token was spent by another request after it was read: nothing was written."""


@dataclass(frozen=True)
class Person:
    """The account, as claims.user_claims reads it."""

    id: int
    uid: str
    email: str
    first_name: str
    last_name: str
    interface_language: str
    email_language: str
    email_verified: bool
    is_active: bool

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


@dataclass(frozen=True)
class Found:
    """What a token request spends: ``grant`` (a code) or ``refresh`` and ``access`` (a refresh token)."""

    client: SimpleNamespace
    person: Person
    sign_in: SimpleNamespace | None
    grant: SimpleNamespace | None = None
    refresh: SimpleNamespace | None = None
    access: SimpleNamespace | None = None


@dataclass(frozen=True)
class Tokens:
    """What the write stores: the tokens' digests (never the tokens), their expiry and their family."""

    access_checksum: str
    refresh_checksum: str
    family: uuid.UUID
    jti: uuid.UUID
    scope: str
    access_expires: dt.datetime
    id_expires: dt.datetime
    now: dt.datetime        # the toolkit's rows' created/updated (django.utils.timezone)
    clock_now: dt.datetime  # Limen's own rows (limen.core.clock)


def _person(p) -> Person:
    return Person(id=p.id, uid=str(p.uid), email=p.email, first_name=p.first_name, last_name=p.last_name,
                  interface_language=p.interface_language, email_language=p.email_language,
                  email_verified=bool(p.email_verified), is_active=bool(p.is_active))


def _sign_in(found) -> SimpleNamespace | None:
    return found if found.id is not None else None


class _Reads:
    """The two SELECTs, written once per connection."""

    def __init__(self, connection):
        qn, User = connection.ops.quote_name, get_user_model()
        t = {m: sql.table(m, connection) for m in (Grant, Client, Authorization, User, RefreshToken, AccessToken,
                                                     TokenIssue)}

        def col(alias, model, name):
            return sql.column(model, name, connection, alias)

        self.code_columns = sql.Columns(("g", Grant, GRANT, "grant_"), ("c", Client, CLIENT, "client_"),
                                        ("a", Authorization, SIGN_IN, "authz_"), ("u", User, PERSON, "user_"))
        self.code = (
            f"SELECT {self.code_columns.sql(connection)} FROM {t[Grant]} AS {qn('g')} "
            f"JOIN {t[Client]} AS {qn('c')} ON {col('c', Client, 'id')} = {col('g', Grant, 'application')} "
            f"JOIN {t[Authorization]} AS {qn('a')} ON {col('a', Authorization, 'code_digest')} = %s "
            f"AND {col('a', Authorization, 'client')} = {col('c', Client, 'id')} "
            f"JOIN {t[User]} AS {qn('u')} ON {col('u', User, 'id')} = {col('g', Grant, 'user')} "
            f"WHERE {col('g', Grant, 'code')} = %s AND {col('c', Client, 'client_id')} = %s")
        self.refresh_columns = sql.Columns(
            ("r", RefreshToken, REFRESH, "refresh_"), ("x", AccessToken, ACCESS, "access_"),
            ("c", Client, CLIENT, "client_"), ("u", User, PERSON, "user_"), ("a", Authorization, SIGN_IN, "authz_"))
        # A refresh token that already minted an access token was rotated: the toolkit decides (reuse).
        minted = (f"(SELECT COUNT(*) FROM {t[AccessToken]} AS {qn('m')} "
                  f"WHERE {col('m', AccessToken, 'source_refresh_token')} = {col('r', RefreshToken, 'id')})")
        self.refresh = (
            f"SELECT {self.refresh_columns.sql(connection)}, {minted} FROM {t[RefreshToken]} AS {qn('r')} "
            f"JOIN {t[Client]} AS {qn('c')} ON {col('c', Client, 'id')} = {col('r', RefreshToken, 'application')} "
            f"JOIN {t[AccessToken]} AS {qn('x')} "
            f"ON {col('x', AccessToken, 'id')} = {col('r', RefreshToken, 'access_token')} "
            f"JOIN {t[User]} AS {qn('u')} ON {col('u', User, 'id')} = {col('r', RefreshToken, 'user')} "
            f"LEFT JOIN {t[TokenIssue]} AS {qn('i')} "
            f"ON {col('i', TokenIssue, 'token_family')} = {col('r', RefreshToken, 'token_family')} "
            f"LEFT JOIN {t[Authorization]} AS {qn('a')} "
            f"ON {col('a', Authorization, 'id')} = {col('i', TokenIssue, 'authorization')} "
            f"WHERE {col('r', RefreshToken, 'token_checksum')} = %s AND {col('r', RefreshToken, 'revoked')} IS NULL "
            f"AND {col('c', Client, 'client_id')} = %s ORDER BY {col('i', TokenIssue, 'id')} LIMIT 1")


class _Writes:
    def __init__(self, connection):
        qn = connection.ops.quote_name

        def col(model, name):
            return sql.column(model, name, connection)

        self.spend_code = f"DELETE FROM {sql.table(Grant, connection)} WHERE {qn(Grant._meta.pk.column)} = %s"
        self.consume_sign_in = (f"UPDATE {sql.table(Authorization, connection)} SET {col(Authorization, 'consumed')} "
                                f"= %s WHERE {col(Authorization, 'id')} = %s AND {col(Authorization, 'consumed')} IS NULL")
        self.spend_refresh = (f"UPDATE {sql.table(RefreshToken, connection)} SET {col(RefreshToken, 'revoked')} = %s, "
                              f"{col(RefreshToken, 'access_token')} = NULL, {col(RefreshToken, 'updated')} = %s "
                              f"WHERE {col(RefreshToken, 'id')} = %s AND {col(RefreshToken, 'revoked')} IS NULL")
        self.delete_access = f"DELETE FROM {sql.table(AccessToken, connection)} WHERE {col(AccessToken, 'id')} = %s"


_INSERT_ID = sql.Insert(IDToken, ["user", "jti", "application", "expires", "scope", "created", "updated"])
_INSERT_ACCESS = sql.Insert(AccessToken, ["user", "source_refresh_token", "token", "token_checksum", "id_token",
                                          "application", "expires", "scope", "resource", "created", "updated"])
_INSERT_REFRESH = sql.Insert(RefreshToken, ["user", "token", "token_checksum", "application", "access_token",
                                            "token_family", "resource", "created", "updated", "revoked"])
_INSERT_ISSUE = sql.Insert(TokenIssue, ["authorization", "token_family", "access_token_checksum", "created"])


@sql.per_connection
def _statements(connection) -> tuple[_Reads, _Writes]:
    return _Reads(connection), _Writes(connection)


def _connection():
    return sql.connection_for(AccessToken)


def find_code(code: str, code_digest: str, client_id: str) -> Found | None:
    """The code of ``client_id`` with its sign-in record and account, or None."""
    connection = _connection()
    reads, _ = _statements(connection)
    with connection.cursor() as cursor:
        sql.execute(cursor, reads.code, [code_digest, code, client_id])
        rows = cursor.fetchall()
    if not rows:
        return None
    part = reads.code_columns.parts(rows[0], connection)
    return Found(client=part["client_"], person=_person(part["user_"]), sign_in=_sign_in(part["authz_"]),
                 grant=part["grant_"])


def find_refresh(checksum: str, client_id: str) -> Found | None:
    """The live refresh token of ``client_id`` with its access token, account and sign-in record, or None
    (also when it has already minted an access token)."""
    connection = _connection()
    reads, _ = _statements(connection)
    with connection.cursor() as cursor:
        sql.execute(cursor, reads.refresh, [checksum, client_id])
        rows = cursor.fetchall()
    if not rows or rows[0][-1]:
        return None
    part = reads.refresh_columns.parts(rows[0][:-1], connection)
    return Found(client=part["client_"], person=_person(part["user_"]), sign_in=_sign_in(part["authz_"]),
                 refresh=part["refresh_"], access=part["access_"])


def _write_tokens(cursor, connection, found: Found, tokens: Tokens, source_refresh_token: int | None) -> None:
    user, client = found.person.id, found.client.id
    id_token = _INSERT_ID.run(cursor, connection, user, tokens.jti, client, tokens.id_expires, tokens.scope,
                              tokens.now, tokens.now)
    access = _INSERT_ACCESS.run(cursor, connection, user, source_refresh_token, "", tokens.access_checksum, id_token,
                                client, tokens.access_expires, tokens.scope, [], tokens.now, tokens.now)
    _INSERT_REFRESH.run(cursor, connection, user, "", tokens.refresh_checksum, client, access, tokens.family, [],
                        tokens.now, tokens.now, None)


def spend_code(found: Found, tokens: Tokens, *, before_commit=lambda: None) -> None:
    """Spend the code and store the tokens (one transaction, ``before_commit`` called last in it: an
    exception there writes nothing); Spent if another request spent the code."""
    connection = _connection()
    _, writes = _statements(connection)
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        sql.execute(cursor, writes.spend_code, [found.grant.id])
        if cursor.rowcount != 1:
            raise Spent()
        sql.execute(cursor, writes.consume_sign_in, [sql.prep(Authorization, "consumed", tokens.clock_now, connection),
                                                found.sign_in.id])
        _write_tokens(cursor, connection, found, tokens, None)
        _INSERT_ISSUE.run(cursor, connection, found.sign_in.id, tokens.family, tokens.access_checksum,
                          tokens.clock_now)
        before_commit()


def spend_refresh(found: Found, tokens: Tokens, *, before_commit=lambda: None) -> None:
    """Rotate: revoke the refresh token and delete its access token, store the new ones (one
    transaction, as spend_code); Spent if another request rotated it first."""
    connection = _connection()
    _, writes = _statements(connection)
    now = sql.prep(RefreshToken, "revoked", tokens.now, connection)
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        sql.execute(cursor, writes.spend_refresh, [now, now, found.refresh.id])
        if cursor.rowcount != 1:
            raise Spent()
        sql.execute(cursor, writes.delete_access, [found.access.id])
        _write_tokens(cursor, connection, found, tokens, found.refresh.id)
        before_commit()
