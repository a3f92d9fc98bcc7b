"""A stolen session must not allow unlimited guesses of the current password."""

from tests.conftest import DEFAULT_PASSWORD


def test_wrong_current_passwords_lock_the_account_and_end_the_session(signed_in_client, settings, outbox):
    user = signed_in_client.user
    for attempt in range(settings.LOCKOUT_THRESHOLD):
        response = signed_in_client.post("/account/password/", {
            "current_password": f"Guess-{attempt}-xyz!", "new_password": "Brand-New-Pass-99",
            "confirm_password": "Brand-New-Pass-99"})
    user.refresh_from_db()
    assert user.is_locked
    assert response.status_code == 302 and response["Location"].startswith("/login/")
    # The session is gone and the password unchanged.
    assert signed_in_client.get("/account/").status_code == 302
    assert user.check_password(DEFAULT_PASSWORD)
    assert outbox.last(user.email).kind == "account_locked"


def test_wrong_password_on_email_change_counts_too(signed_in_client, settings):
    user = signed_in_client.user
    for _ in range(settings.LOCKOUT_THRESHOLD - 1):
        response = signed_in_client.post("/account/email/", {
            "new_email": "new@example.org", "new_email_confirm": "new@example.org", "password": "nope-Nope-1"})
        assert response.status_code == 200
    user.refresh_from_db()
    assert user.failed_signins == settings.LOCKOUT_THRESHOLD - 1 and not user.is_locked
    # The right password resets the count.
    signed_in_client.post("/account/email/", {
        "new_email": "new@example.org", "new_email_confirm": "new@example.org", "password": DEFAULT_PASSWORD})
    user.refresh_from_db()
    assert user.failed_signins == 0

