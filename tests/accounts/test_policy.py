"""Password policy: length, character groups, personal data, common passwords."""

from __future__ import annotations

import pytest
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError

from limen.accounts import policy
from limen.accounts.models import User


def codes(password: str, user=None) -> set[str]:
    try:
        password_validation.validate_password(password, user)
    except ValidationError as error:
        return {e.code for e in error.error_list}
    return set()


@pytest.fixture
def person():
    # Not saved: the validators only read the attributes.
    return User(email="Johan.Svensson+work@example.org", first_name="Zoë", last_name="Åkesson-Brönte")


@pytest.mark.parametrize("password", ["Tr0ub4dor-x", "9-plaid-Otter", "Kaffe mit Milch 7", "ÖlUndBrot1234",
                                      "correct horse battery Staple"])
def test_good_passwords_pass(password, person):
    assert codes(password, person) == set()


def test_minimum_length_is_ten():
    assert "password_too_short" in codes("Ab1-xyzqw")  # 9
    assert "password_too_short" not in codes("Ab1-xyzqwe")  # 10


@pytest.mark.parametrize("password,ok", [
    ("abcdefghijkl", False),  # one group
    ("abcdefGHIJKL", False),  # two
    ("abcdef123456", False),  # two
    ("abcdef-+*?!&", False),  # two
    ("abcdefGHI123", True),  # three
    ("abcdef12-+*?", True),
    ("ABCDEF12-+*?", True),
    ("abcDEF12-+*?", True),  # four
])
def test_three_of_four_groups(password, ok):
    assert ("password_too_simple" not in codes(password)) is ok


def test_space_and_non_ascii_count_as_groups():
    assert policy.character_classes("abc def") == 2  # space is special
    assert policy.character_classes("ÅÄÖ") == 1  # upper case, not special
    assert policy.character_classes("éèê") == 1


def test_maximum_length():
    ok = "Aa1-" * 64  # 256
    assert "password_too_long" not in codes(ok)
    assert "password_too_long" in codes(ok + "x")


@pytest.mark.parametrize("password", [
    "johan.svensson-42",  # the whole local part
    "xxJOHAN-2024xx",  # a piece of the local part, any case
    "Svensson!2024",
    "Work-and-more-1",  # "work" is a piece of the local part
    "Zoe-rocks-2024",  # first name without its accent
    "ZOË-ROCKS-2024",  # with accent, upper case
    "akesson#Plenty9",  # last name part, accent folded
    "Bronte-Bronte-1",  # second part of the last name
])
def test_personal_data_refused(password, person):
    assert "password_has_personal_data" in codes(password, person)


def test_short_name_fragments_are_allowed():
    user = User(email="jo@example.org", first_name="Li", last_name="Ng")
    assert codes("Jo-Li-Ng-2024x", user) == set()


def test_personal_data_needs_a_user():
    assert "password_has_personal_data" not in codes("Johan.Svensson-42")


def test_domain_of_the_address_is_not_personal(person):
    assert "password_has_personal_data" not in codes("Example-Org-2024", person)


@pytest.mark.parametrize("password", ["Password123", "1Q2W3E4R5t", "Qwertyuiop1", "pe#5gz29ptzmse"])
def test_common_passwords_refused(password):
    assert codes(password) == {"password_too_common"}


def test_messages_are_clear():
    with pytest.raises(ValidationError) as info:
        password_validation.validate_password("short")
    text = " ".join(info.value.messages)
    assert "at least 10 characters" in text
    assert "at least 3 of the four groups" in text


def test_help_texts_describe_the_rules():
    texts = " ".join(policy.help_texts())
    assert "10 characters" in texts
    assert "3 of these groups" in texts
    assert "Not your name" in texts
    assert "" not in policy.help_texts()


def test_sample_passwords_satisfy_the_policy(person):
    samples = policy.sample_passwords(20)
    assert len(samples) == 20 and len(set(samples)) == 20
    for sample in samples:
        assert len(sample) >= 12
        assert policy.character_classes(sample) == 4
        assert codes(sample) == set()


def test_settings_change_the_rules(settings):
    settings.PASSWORD_MIN_LENGTH = 16
    settings.PASSWORD_MIN_CLASSES = 4
    assert "password_too_short" in codes("Ab1-Ab1-Ab1-Ab1")  # 15
    assert "password_too_simple" in codes("abcdefghIJKLMNOP1234")
    assert codes("abcdefgh-IJKLMNOP-1234") == set()
    texts = " ".join(policy.help_texts())
    assert "16 characters" in texts and "4 of these groups" in texts
    for sample in policy.sample_passwords(5):
        assert len(sample) >= 18
        assert codes(sample) == set()


def test_settings_can_relax_the_groups(settings):
    settings.PASSWORD_MIN_CLASSES = 1
    assert codes("onlylowercaseletters") == set()


def test_rules_are_shown_on_the_password_pages(settings, signed_in_client):
    settings.PASSWORD_MIN_LENGTH = 14
    page = signed_in_client.get("/account/password/").content.decode()
    assert "At least 14 characters." in page
