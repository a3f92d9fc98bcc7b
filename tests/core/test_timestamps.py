"""{% timestamp %}: one way to write a date and time on every list page, in the reader's language,
with the time zone."""

import datetime as dt

import pytest
from django.template import Context, Template
from django.utils import translation

WHEN = dt.datetime(2026, 11, 30, 16, 8, 42, tzinfo=dt.timezone.utc)


def render(source: str, **context) -> str:
    return Template("{% load i18n limen %}" + source).render(Context(context))


@pytest.mark.parametrize("language, text", [
    ("en", "30 Nov 2026, 16:08 UTC"),
    ("fr", "30 novembre 2026 16:08 UTC"),
])
def test_in_the_readers_language_with_the_time_zone(language, text):
    with translation.override(language):
        html = render("{% timestamp when %}", when=WHEN)
    assert html == f'<time datetime="2026-11-30T16:08:42+00:00">{text}</time>'


def test_nothing_yet():
    with translation.override("en"):
        assert render('{% timestamp when empty=_("Never") %}', when=None) == "Never"
        assert render("{% timestamp when %}", when=None) == ""


def test_inside_a_sentence():
    with translation.override("en"):
        html = render("{% timestamp when as at %}{% blocktranslate %}Created on {{ at }}.{% endblocktranslate %}",
                      when=WHEN)
    assert html == 'Created on <time datetime="2026-11-30T16:08:42+00:00">30 Nov 2026, 16:08 UTC</time>.'
