"""Solving Limen's proof-of-work challenge (ALTCHA) the way a browser does, for tests.

A page carries the challenge as JSON in ``data-pow-challenge``; the browser
finds the counter and sends the payload in the hidden field ``altcha``. Tests
that post forms without a browser do the same work here, on the test
server's low difficulty.
"""

from __future__ import annotations

import html
import json
import re

from altcha import Challenge, Payload, solve_challenge

FIELD = "altcha"
_ATTRIBUTE = re.compile(r'data-pow-challenge="([^"]*)"')


def challenge_in(page: str) -> dict | None:
    """The challenge a page carries, or None if it asks for no proof of work."""
    match = _ATTRIBUTE.search(page)
    return json.loads(html.unescape(match.group(1))) if match else None


def solve(challenge: dict) -> str:
    """The payload for the ``altcha`` field: the challenge with its solution, in base64 JSON."""
    parsed = Challenge.from_dict(challenge)
    solution = solve_challenge(parsed, timeout=60)
    assert solution is not None, "the proof of work could not be solved in 60 seconds"
    return Payload(parsed, solution).to_base64()


def solved_field(page: str) -> dict:
    """``{"altcha": payload}`` for the challenge in ``page``, or {} if the page has none."""
    challenge = challenge_in(page)
    return {FIELD: solve(challenge)} if challenge else {}


def fresh() -> dict:
    """``{"altcha": payload}`` for a new challenge of the server under test (in-process tests)."""
    from limen.core import pow as server_side

    return {FIELD: solve(server_side.new_challenge())}
