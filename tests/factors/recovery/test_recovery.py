"""Recovery codes: a set shown once, single use, hashed, regenerated, warned about when few remain."""

import re

import pytest

from limen.audit.events import Event
from limen.audit.models import AuditEvent
from limen.core import clock
from limen.factors.recovery import codes, services
from limen.factors.recovery.errors import CodeAlreadyUsed, NeedsAnotherMethod, TooManyAttempts, WrongCode
from limen.factors.recovery.models import RecoveryCode
from tests.factors.conftest import session_strengths, start_signin

pytestmark = pytest.mark.django_db


def test_codes_look_like_groups_of_an_unambiguous_alphabet():
    code = codes.new_code()
    assert len(code) == 12 and code[4] == "-" and code[9] == "-"
    assert not set(code.replace("-", "")) & set("01ilo")
    assert codes.normalise(code.upper().replace("-", " ")) == code.replace("-", "")
    assert codes.normalise("abcd-efgh-j") is None  # too short
    assert codes.normalise("abcd-efgh-j1") is None  # 1 is not in the alphabet
    assert codes.normalise("x" * 100) is None


def test_a_set_needs_another_method_first(user):
    with pytest.raises(NeedsAnotherMethod):
        services.generate(user)
    assert not RecoveryCode.objects.filter(user=user).exists()


def test_generate_stores_only_keyed_hashes_and_tells_the_owner(user, add_phone, outbox):
    add_phone(user)
    fresh = services.generate(user)
    assert len(fresh) == 10 and len(set(fresh)) == 10
    stored = list(RecoveryCode.objects.filter(user=user).values_list("digest", flat=True))
    assert len(stored) == 10
    for code in fresh:
        assert code not in stored and code.replace("-", "") not in stored
        assert codes.digest(codes.normalise(code)) in stored
    mail = outbox.last(user.email)
    assert mail.kind == "factor_added" and "Recovery codes" in mail.body
    assert AuditEvent.objects.filter(user=user, event=Event.RECOVERY_CODES_GENERATED).exists()


def test_regenerating_invalidates_the_old_set(user, add_phone):
    add_phone(user)
    old = services.generate(user)
    new = services.generate(user)
    with pytest.raises(WrongCode):
        services.verify(user, old[0])
    assert services.verify(user, new[0]) == 9


def test_a_code_works_once(user, add_recovery_codes):
    fresh = add_recovery_codes(user)
    assert services.verify(user, fresh[3].upper()) == 9
    with pytest.raises(CodeAlreadyUsed) as error:
        services.verify(user, fresh[3])
    assert "already been used" in str(error.value.message)
    assert services.remaining(user) == 9


def test_wrong_codes_change_nothing_and_are_limited(user, add_recovery_codes):
    fresh = add_recovery_codes(user)
    for _ in range(5):
        with pytest.raises(WrongCode):
            services.verify(user, "aaaa-bbbb-cc")
    with pytest.raises(TooManyAttempts):
        services.verify(user, fresh[0])  # even the right one waits now
    assert services.remaining(user) == 10
    assert AuditEvent.objects.filter(user=user, event=Event.FACTOR_FAILED).count() == 5


def test_the_owner_is_warned_when_few_remain(user, add_recovery_codes, outbox):
    fresh = add_recovery_codes(user, count=5)
    services.verify(user, fresh[0])
    assert outbox.last(user.email) is None or outbox.last(user.email).kind != "recovery_codes_low"
    services.verify(user, fresh[1])  # 3 left
    mail = outbox.last(user.email)
    assert mail.kind == "recovery_codes_low"
    assert "3" in mail.subject and "/account/recovery-codes/" in mail.body


# -- pages -------------------------------------------------------------------------

def test_sign_in_with_a_recovery_code(client, user, add_recovery_codes):
    fresh = add_recovery_codes(user, count=4)
    response = start_signin(client, user, "recovery_code")
    assert response.url == "/login/recovery-code/"
    page = client.get(response.url)
    assert "Type a recovery code" in page.content.decode()
    response = client.post("/login/recovery-code/", {"code": "zzzz-zzzz-zz"})
    assert response.status_code == 400 and "not correct" in response.content.decode()
    response = client.post("/login/recovery-code/", {"code": fresh[0]})
    assert response.status_code == 302 and response.url == "/account/"
    assert session_strengths(client) == ["PASSWORD_RECOVERY_CODE"]
    page = client.get("/account/")
    assert "3 unused recovery codes left" in page.content.decode()


def test_a_reused_code_is_refused_at_sign_in(client, user, add_recovery_codes):
    fresh = add_recovery_codes(user)
    services.verify(user, fresh[0])
    start_signin(client, user, "recovery_code")
    response = client.post("/login/recovery-code/", {"code": fresh[0]})
    assert response.status_code == 400
    assert "already been used" in response.content.decode()
    assert not client.session.get("limen.sso")


def test_challenge_without_a_pending_signin_starts_again(client):
    response = client.get("/login/recovery-code/", follow=True)
    assert response.redirect_chain[-1][0].startswith("/login/")
    assert "Please start again" in response.content.decode()


def test_create_show_once_and_download(client, user, add_phone, sign_in_with_sms):
    sign_in_with_sms(client, user)
    assert "Create recovery codes" in client.get("/account/recovery-codes/").content.decode()
    assert client.get("/account/recovery-codes/new/").status_code == 200
    response = client.post("/account/recovery-codes/new/")
    assert response.status_code == 302 and response.url == "/account/recovery-codes/show/"
    page = client.get(response.url).content.decode()
    stored = list(RecoveryCode.objects.filter(user=user).values_list("digest", flat=True))
    shown = re.findall(r"<code>([a-z0-9-]{12})</code>", page)
    assert len(shown) == 10 and all(codes.digest(codes.normalise(c)) in stored for c in shown)
    download = client.get("/account/recovery-codes/download/")
    assert download["Content-Disposition"] == 'attachment; filename="recovery-codes.txt"'
    assert download["Content-Type"].startswith("text/plain")
    assert all(code in download.content.decode() for code in shown)
    client.post("/account/recovery-codes/show/")  # "I have saved my codes"
    again = client.get("/account/recovery-codes/show/")
    assert again.status_code == 302
    assert client.get("/account/recovery-codes/download/").status_code == 302
    assert "shown only once" in client.get("/account/recovery-codes/").content.decode()


def test_codes_on_display_expire(client, user, sign_in_with_sms):
    sign_in_with_sms(client, user)
    client.post("/account/recovery-codes/new/")
    session = client.session
    session["limen.recovery.display"]["at"] -= 3600
    session.save()
    assert client.get("/account/recovery-codes/show/").status_code == 302


def test_creating_codes_needs_the_second_factor_in_this_session(client, user, add_phone):
    add_phone(user)
    client.post("/login/", {"email": user.email})
    client.post("/login/password/", {"password": "Correct-Horse-42", "method": "password"})
    response = client.post("/account/recovery-codes/new/")
    assert response.status_code == 302 and response.url.startswith("/login/step-up/")
    assert not RecoveryCode.objects.filter(user=user).exists()


def test_manage_page_warns_when_few_remain(signed_in_client, add_recovery_codes, add_phone):
    user = signed_in_client.user
    add_phone(user)
    fresh = add_recovery_codes(user, count=4)
    services.verify(user, fresh[0])
    page = signed_in_client.get("/account/recovery-codes/").content.decode()
    assert "You have 3 unused recovery codes." in page and "before they run out" in page


def test_my_account_has_a_tile(signed_in_client):
    page = signed_in_client.get("/account/").content.decode()
    assert "Manage my recovery codes" in page


def test_clock_is_used_for_creation_dates(user, add_phone):
    add_phone(user)
    clock.advance(days=3)
    services.generate(user)
    created = RecoveryCode.objects.filter(user=user).first().created
    assert (created - clock.now()).total_seconds() < 5 and created.date() >= clock.now().date()


def test_codes_made_before_a_key_rotation_work_while_their_key_is_listed(user, add_recovery_codes,
                                                                         encryption_keys):
    from tests.support.keys import new_key

    before = add_recovery_codes(user)  # under the key of before (legacy)
    old = new_key()
    encryption_keys(f"2025-06:{old},legacy")
    middle = add_recovery_codes(user, 2)
    encryption_keys(f"2026-11:{new_key()},2025-06:{old},legacy")  # a rotation to a newer key
    after = add_recovery_codes(user, 2)
    assert {d.split(":")[0] for d in RecoveryCode.objects.values_list("digest", flat=True) if ":" in d} \
        == {"2025-06", "2026-11"}
    assert services.verify(user, before[0]) == 13
    assert services.verify(user, middle[0]) == 12
    assert services.verify(user, after[0]) == 11
    # Once the key of before is removed, its codes no longer work (digests cannot be re-made: new set).
    encryption_keys(f"2026-11:{new_key()},2025-06:{old}")
    with pytest.raises(WrongCode):
        services.verify(user, before[1])
    assert services.verify(user, middle[1]) == 10
