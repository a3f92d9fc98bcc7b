"""Random strings: every string of the alphabet equally likely, one draw from the OS per string."""

from collections import Counter

import pytest

from limen.core import random_strings


def test_every_string_of_a_small_alphabet_is_about_equally_likely():
    counts = Counter(random_strings.draw("ab", 3) for _ in range(8000))
    assert set(counts) == {a + b + c for a in "ab" for b in "ab" for c in "ab"}
    assert all(800 < n < 1200 for n in counts.values()), counts  # 1000 expected, 6.7 standard deviations apart


def test_each_place_takes_every_character():
    alphabet = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
    drawn = [random_strings.draw(alphabet, 12) for _ in range(3100)]
    assert all(len(s) == 12 and set(s) <= set(alphabet) for s in drawn)
    for place in (0, 5, 11):  # 100 expected for each character
        counts = Counter(s[place] for s in drawn)
        assert set(counts) == set(alphabet) and max(counts.values()) < 170, counts


def test_one_draw_from_the_operating_system_per_string(monkeypatch):
    calls = []
    real = random_strings.secrets.randbelow
    monkeypatch.setattr(random_strings.secrets, "randbelow", lambda n: calls.append(n) or real(n))
    random_strings.draw("0123456789", 29)
    assert calls == [10 ** 29]


@pytest.mark.parametrize("alphabet,length", [("", 5), ("a", 5), ("abca", 5), ("ab", 0), ("ab", -1)])
def test_bad_arguments_are_refused(alphabet, length):
    with pytest.raises(ValueError):
        random_strings.draw(alphabet, length)
