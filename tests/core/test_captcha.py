"""The CAPTCHA shown to clients that send many registration or reset forms."""

from __future__ import annotations

import pytest

from limen.accounts.models import User
from limen.core import captcha

REGISTRATION = {
    "first_name": "Grace", "last_name": "Hopper", "email": "grace@example.org",
    "email_confirm": "grace@example.org", "email_language": "en", "privacy": "on",
}


@pytest.fixture(autouse=True)
def captcha_after_two(settings):
    settings.CAPTCHA_AFTER = 2


def _use_up_free_submissions(client, url="/register/", n=2):
    for i in range(n):
        # Incomplete forms count as submissions too.
        response = client.post(url, {"email": "not-an-address"})
        assert response.status_code == 200
        # The submission that reaches the limit already shows the CAPTCHA,
        # so the next one is never refused for a check nobody saw.
        assert ("captcha" in response.context["form"].fields) == (i == n - 1)


def _challenge(client) -> dict:
    return client.session[captcha.SESSION_KEY]


@pytest.mark.django_db
def test_not_shown_at_first(client):
    for url in ("/register/", "/password/lost/"):
        response = client.get(url)
        assert response.status_code == 200
        assert "captcha" not in response.context["form"].fields
        assert b'name="captcha"' not in response.content
    assert captcha.SESSION_KEY not in client.session


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/register/", "/password/lost/"])
def test_shown_after_the_threshold(client, url):
    _use_up_free_submissions(client, url)
    response = client.get(url)
    assert "captcha" in response.context["form"].fields
    assert b'name="captcha"' in response.content
    assert b"/captcha.png?n=" in response.content
    challenge = _challenge(client)
    assert challenge["kind"] == "image"
    assert len(challenge["text"]) == 6
    assert set(challenge["text"]) <= set(captcha.ALPHABET)


@pytest.mark.django_db
def test_threshold_is_per_ip(client):
    _use_up_free_submissions(client)
    response = client.get("/register/", REMOTE_ADDR="192.0.2.99")
    assert "captcha" not in response.context["form"].fields


@pytest.mark.django_db
def test_wrong_answer_refused_and_nothing_created(client, outbox):
    _use_up_free_submissions(client)
    client.get("/register/")
    first = _challenge(client)
    wrong = "X" if first["text"] != "XXXXXX" else "Y"
    response = client.post("/register/", {**REGISTRATION, "captcha_kind": "image", "captcha": wrong * 6})
    assert response.status_code == 200
    assert response.context["form"].errors["captcha"] == [str(captcha.CaptchaMixin.captcha_wrong_message)]
    assert not User.objects.filter(email__iexact="grace@example.org").exists()
    assert outbox.all() == []
    # A fresh challenge replaces the used one, and the typed data is still there.
    assert _challenge(client)["text"] != first["text"] or _challenge(client)["nonce"] != first["nonce"]
    assert b'value="Grace"' in response.content
    # The answer field itself is emptied.
    assert response.context["form"]["captcha"].value() in ("", None)


@pytest.mark.django_db
def test_missing_answer_refused(client):
    _use_up_free_submissions(client)
    client.get("/register/")
    response = client.post("/register/", {**REGISTRATION, "captcha_kind": "image"})
    assert response.context["form"].errors["captcha"] == [str(captcha.CaptchaMixin.captcha_required_message)]
    assert not User.objects.filter(email__iexact="grace@example.org").exists()


@pytest.mark.django_db
def test_right_image_answer_accepted(client, outbox):
    _use_up_free_submissions(client)
    client.get("/register/")
    text = _challenge(client)["text"]
    response = client.post("/register/", {**REGISTRATION, "captcha_kind": "image", "captcha": text.lower()})
    assert response.status_code == 302, response.context["form"].errors
    assert User.objects.filter(email="grace@example.org").exists()
    assert outbox.last("grace@example.org").kind == "verify_email"


@pytest.mark.django_db
def test_answer_is_single_use(client):
    _use_up_free_submissions(client)
    client.get("/register/")
    text = _challenge(client)["text"]
    assert client.post("/register/", {**REGISTRATION, "captcha_kind": "image", "captcha": text}).status_code == 302
    # The same answer again, for another account: refused.
    again = {**REGISTRATION, "email": "other@example.org", "email_confirm": "other@example.org"}
    response = client.post("/register/", {**again, "captcha_kind": "image", "captcha": text})
    assert response.status_code == 200
    assert "captcha" in response.context["form"].errors
    assert not User.objects.filter(email="other@example.org").exists()


@pytest.mark.django_db
def test_switch_to_question_keeps_typed_data(client):
    _use_up_free_submissions(client)
    client.get("/register/")
    response = client.post("/register/", {**REGISTRATION, "captcha_kind": "image", "captcha": "",
                                          "captcha_switch": "1"})
    assert response.status_code == 200
    assert not User.objects.filter(email__iexact="grace@example.org").exists()
    challenge = _challenge(client)
    assert challenge["kind"] == "question"
    form = response.context["form"]
    assert form.captcha_challenge["kind"] == "question"
    assert f"What is {challenge['a']} plus {challenge['b']}?" in response.content.decode()
    for value in (b'value="Grace"', b'value="Hopper"', b'value="grace@example.org"'):
        assert value in response.content
    assert b'name="captcha_kind" value="question"' in response.content
    assert form["privacy"].value() == "on"
    assert "checked" in str(form["privacy"])  # the privacy box stays ticked
    # Switching is not a wrong answer: no error is shown for it.
    assert str(captcha.CaptchaMixin.captcha_wrong_message) not in response.content.decode()
    assert b"error-summary" not in response.content
    # The question is answered in digits.
    response = client.post("/register/", {**REGISTRATION, "captcha_kind": "question",
                                          "captcha": str(challenge["a"] + challenge["b"])})
    assert response.status_code == 302
    assert User.objects.filter(email="grace@example.org").exists()


@pytest.mark.django_db
def test_switch_back_to_image(client):
    _use_up_free_submissions(client, "/password/lost/")
    client.get("/password/lost/")
    client.post("/password/lost/", {"email": "a@example.org", "captcha_kind": "image", "captcha_switch": "1"})
    assert _challenge(client)["kind"] == "question"
    response = client.post("/password/lost/", {"email": "a@example.org", "captcha_kind": "question",
                                               "captcha_switch": "1"})
    assert _challenge(client)["kind"] == "image"
    assert b'value="a@example.org"' in response.content


@pytest.mark.django_db
def test_wrong_question_answer_refused(client):
    _use_up_free_submissions(client)
    client.get("/register/")
    client.post("/register/", {**REGISTRATION, "captcha_kind": "image", "captcha_switch": "1"})
    challenge = _challenge(client)
    response = client.post("/register/", {**REGISTRATION, "captcha_kind": "question",
                                          "captcha": str(challenge["a"] + challenge["b"] + 1)})
    assert response.status_code == 200
    assert "captcha" in response.context["form"].errors
    assert not User.objects.filter(email="grace@example.org").exists()
    # Still a question after a wrong answer.
    assert _challenge(client)["kind"] == "question"


@pytest.mark.django_db
def test_lost_password_with_captcha(client, user, outbox):
    _use_up_free_submissions(client, "/password/lost/")
    client.get("/password/lost/")
    response = client.post("/password/lost/", {"email": user.email, "captcha_kind": "image", "captcha": "WRONG1"})
    assert response.status_code == 200
    assert outbox.all() == []
    text = _challenge(client)["text"]
    response = client.post("/password/lost/", {"email": user.email, "captcha_kind": "image", "captcha": text})
    assert response.status_code == 200
    assert "accounts/link_sent.html" in [t.name for t in response.templates]
    assert outbox.last(user.email).kind == "password_reset"


@pytest.mark.django_db
def test_expired_challenge_refused(client):
    _use_up_free_submissions(client)
    client.get("/register/")
    text = _challenge(client)["text"]
    # Age the challenge itself: moving the whole clock would also end the
    # rate-limit window that makes the CAPTCHA needed (near the top of an hour).
    session = client.session
    challenge = session[captcha.SESSION_KEY]
    challenge["expires"] = 0
    session[captcha.SESSION_KEY] = challenge
    session.save()
    response = client.post("/register/", {**REGISTRATION, "captcha_kind": "image", "captcha": text})
    assert response.status_code == 200
    assert "captcha" in response.context["form"].errors
    assert not User.objects.filter(email="grace@example.org").exists()


@pytest.mark.django_db
def test_image_endpoint_serves_png_only_for_an_image_challenge(client):
    assert client.get("/captcha.png").status_code == 404
    _use_up_free_submissions(client)
    client.get("/register/")
    response = client.get("/captcha.png?n=1")
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response.content.startswith(b"\x89PNG\r\n\x1a\n")
    assert "no-cache" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    # The image does not use up the challenge.
    assert _challenge(client)["kind"] == "image"
    # With a question there is no image to serve.
    client.post("/register/", {**REGISTRATION, "captcha_kind": "image", "captcha_switch": "1"})
    assert _challenge(client)["kind"] == "question"
    assert client.get("/captcha.png").status_code == 404


def test_png_renders_for_any_text():
    png = captcha.render_png("ACDEF3")
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(png) > 500


@pytest.mark.django_db
def test_captcha_after_zero_means_always(client, settings):
    settings.CAPTCHA_AFTER = 0
    response = client.get("/register/")
    assert "captcha" in response.context["form"].fields
