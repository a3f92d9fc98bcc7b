"""Shared form helpers: control characters, e-mail field, focus."""

from __future__ import annotations

import pytest
from django import forms

from limen.core.forms import CleanForm, EmailField, has_control_characters


class SampleForm(CleanForm):
    name = forms.CharField(max_length=50)
    email = EmailField()
    note = forms.CharField(required=False, strip=False)


@pytest.mark.parametrize("value", ["\x00", "a\x07b", "Ada\u202eecalevol", "zero\u200bwidth", "tab\there",
                                   "line\nbreak", "bom\ufeff", "\x7f", "x\u2066y"])
def test_control_characters_detected(value):
    assert has_control_characters(value)


@pytest.mark.parametrize("value", ["Ada Lovelace", "Zoë O'Brien-Łukasz", "Ελένη", "李小龍", "emoji 🙂", ""])
def test_ordinary_text_is_not_control(value):
    assert not has_control_characters(value)


def test_clean_form_refuses_control_characters_with_a_clear_message():
    form = SampleForm({"name": "Ada\u202eecalevol", "email": "ada@example.org", "note": "ok"})
    assert not form.is_valid()
    assert form.errors["name"] == ["This field contains characters that are not allowed."]
    assert "email" not in form.errors


def test_clean_form_checks_every_text_field():
    form = SampleForm({"name": "Ada", "email": "ada@example.org", "note": "bell\x07"})
    assert not form.is_valid()
    assert list(form.errors) == ["note"]
    assert form.errors.as_data()["note"][0].code == "control_characters"


def test_null_character_is_refused():
    form = SampleForm({"name": "Ada\x00", "email": "ada@example.org"})
    assert not form.is_valid()
    assert "name" in form.errors


def test_clean_form_accepts_good_input():
    form = SampleForm({"name": "Zoë", "email": " ada@example.org ", "note": ""})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["email"] == "ada@example.org"


@pytest.mark.parametrize("email", ["not-an-address", "a@b", "ada@@example.org", "ada@example..org", "@example.org",
                                   "ada@exa mple.org"])
def test_email_field_invalid_message(email):
    form = SampleForm({"name": "Ada", "email": email})
    assert not form.is_valid()
    assert form.errors["email"] == ["Enter a valid e-mail address, such as name@example.org."]


def test_email_field_required_message_and_max_length():
    form = SampleForm({"name": "Ada", "email": ""})
    assert not form.is_valid()
    assert form.errors["email"] == ["Enter your e-mail address."]
    long_address = "a" * 64 + "@" + ("b" * 60 + ".") * 3 + "example.org"  # > 254 characters
    form = SampleForm({"name": "Ada", "email": long_address})
    assert not form.is_valid()
    assert "email" in form.errors


def test_focus_field_is_the_first_field_with_an_error():
    form = SampleForm({"name": "", "email": "bad"})
    form.is_valid()
    assert form.focus_field().name == "name"
    form = SampleForm({"name": "Ada", "email": "bad"})
    form.is_valid()
    assert form.focus_field().name == "email"
    form = SampleForm({"name": "Ada", "email": "ada@example.org"})
    form.is_valid()
    assert form.focus_field() is None
