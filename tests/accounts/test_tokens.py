"""Single-use, short-lived link tokens whose digest only is stored."""

from __future__ import annotations

import hashlib

import pytest

from limen.accounts import tokens
from limen.accounts.errors import TokenExpired, TokenInvalid, TokenUsed
from limen.accounts.models import AccountToken, TokenPurpose
from limen.core import clock

VERIFY = TokenPurpose.VERIFY_EMAIL
RESET = TokenPurpose.RESET_PASSWORD


def test_issue_and_consume_once(user):
    token = tokens.issue(user, VERIFY, 3600)
    assert len(token) >= 40  # 256 bits, url-safe
    entry = tokens.consume(token, VERIFY)
    assert entry.user == user
    entry.refresh_from_db()
    assert entry.used is not None
    with pytest.raises(TokenUsed) as info:
        tokens.consume(token, VERIFY)
    assert info.value.params["user"] == user


def test_peek_does_not_use_the_token(user):
    token = tokens.issue(user, VERIFY, 3600)
    for _ in range(3):
        assert tokens.peek(token, VERIFY).used is None
    tokens.consume(token, VERIFY)
    with pytest.raises(TokenUsed):
        tokens.peek(token, VERIFY)


def test_only_the_digest_is_stored(user):
    token = tokens.issue(user, RESET, 3600)
    entry = AccountToken.objects.get(user=user, purpose=RESET)
    assert entry.digest == hashlib.sha256(token.encode()).hexdigest()
    for field in AccountToken._meta.concrete_fields:
        value = getattr(entry, field.attname)
        assert token not in str(value)


def test_expiry(user):
    token = tokens.issue(user, RESET, 3600)
    clock.advance(seconds=3599)
    assert tokens.peek(token, RESET)
    clock.advance(seconds=2)
    with pytest.raises(TokenExpired):
        tokens.peek(token, RESET)
    with pytest.raises(TokenExpired):
        tokens.consume(token, RESET)
    assert AccountToken.objects.get(user=user, purpose=RESET).used is None


def test_reissue_cancels_older_tokens_of_that_purpose_only(user):
    old_reset = tokens.issue(user, RESET, 3600)
    verify = tokens.issue(user, VERIFY, 3600)
    new_reset = tokens.issue(user, RESET, 3600)
    with pytest.raises(TokenUsed):
        tokens.consume(old_reset, RESET)
    assert tokens.consume(new_reset, RESET).user == user
    assert tokens.consume(verify, VERIFY).user == user


def test_reissue_for_one_user_leaves_other_users_alone(make_user):
    a, b = make_user(), make_user()
    token_a = tokens.issue(a, RESET, 3600)
    tokens.issue(b, RESET, 3600)
    assert tokens.consume(token_a, RESET).user == a


def test_wrong_purpose(user):
    token = tokens.issue(user, VERIFY, 3600)
    with pytest.raises(TokenInvalid):
        tokens.peek(token, RESET)
    with pytest.raises(TokenInvalid):
        tokens.consume(token, TokenPurpose.CHANGE_EMAIL)
    assert tokens.consume(token, VERIFY)  # still usable for its own purpose


@pytest.mark.django_db
@pytest.mark.parametrize("garbage", ["", "x", "not-a-token", "A" * 43, "A" * 101, "ü" * 43, "\x00" * 10,
                                     "'; DROP TABLE accounts_user; --"])
def test_garbage_tokens_are_invalid(garbage):
    with pytest.raises(TokenInvalid):
        tokens.peek(garbage, VERIFY)
    with pytest.raises(TokenInvalid):
        tokens.consume(garbage, VERIFY)


def test_over_long_token_with_a_valid_prefix(user):
    token = tokens.issue(user, VERIFY, 3600)
    with pytest.raises(TokenInvalid):
        tokens.peek(token + "A" * 100, VERIFY)
    with pytest.raises(TokenInvalid):
        tokens.peek(token[:-1], VERIFY)


def test_tokens_differ_each_time(user):
    assert len({tokens.issue(user, RESET, 60) for _ in range(10)}) == 10


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/verify/{}/", "/password/reset/{}/", "/account/email/confirm/{}/"])
@pytest.mark.parametrize("garbage", ["nonsense", "A" * 500, "%C3%BC%C3%BC%C3%BC", "%00%01"])
def test_garbage_in_links_shows_the_token_problem_page(client, path, garbage):
    response = client.get(path.format(garbage))
    assert response.status_code == 400
    assert "accounts/token_problem.html" in [t.name for t in response.templates]
    assert response.context["error"].code == "token_invalid"
