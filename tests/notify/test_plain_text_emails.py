"""E-mails are plain text: names must arrive as typed, not HTML-escaped."""

from limen.notify import notices


def test_apostrophes_and_ampersands_are_not_escaped(make_user, outbox):
    user = make_user(first_name="Seán O'Brien & co", last_name="d'Alembert")
    notices.send(user, "password_changed", ip="192.0.2.1")
    body = outbox.last(user.email).body
    assert "Seán O'Brien & co" in body
    assert "&#x27;" not in body and "&amp;" not in body


def test_lockout_message_uses_singular_for_one_minute(client, make_user, settings):
    settings.LOCKOUT_MINUTES = 1
    user = make_user()
    client.post("/login/", {"email": user.email})
    for _ in range(settings.LOCKOUT_THRESHOLD):
        response = client.post("/login/password/", {"password": "wrong-Password-1"})
    text = response.content.decode()
    assert "paused for 1 minute." in text
