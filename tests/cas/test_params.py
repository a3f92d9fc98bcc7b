"""Protocol parameters: which characters a parameter may carry."""

from urllib.parse import urlencode

import pytest
from django.http import QueryDict

from limen.cas import params
from limen.cas.errors import InvalidRequest


def query(**values) -> QueryDict:
    return QueryDict(urlencode(values))


@pytest.mark.parametrize("code_point", [*range(0x20), 0x7F])
def test_every_control_character_is_refused(code_point):
    with pytest.raises(InvalidRequest):
        params.read(query(service="https://app.example.org/" + chr(code_point)), ("service",))


@pytest.mark.parametrize("text", ["https://app.example.org/café", "a b", "\x80", "\x85", "\u00a0", "\u2028", "~"])
def test_other_characters_pass_through_unchanged(text):
    assert params.read(query(service=text), ("service",)) == {"service": text}


def test_the_refused_characters_over_every_code_point():
    assert [cp for cp in range(0x110000) if params.CONTROL_RE.search(chr(cp))] == [*range(0x20), 0x7F]
