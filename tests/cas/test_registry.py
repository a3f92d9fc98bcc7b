"""Service URL patterns: what matches, what can never match."""

import pytest
from django.core.exceptions import ValidationError

from limen.cas import registry

PREFIX = "https://europass.example.org/portal/"


@pytest.mark.parametrize("url", [
    "https://europass.example.org/portal/",
    "https://europass.example.org/portal/login?next=%2Fhome",
    "https://EUROPASS.example.org:443/portal/cv/",
])
def test_prefix_matches(url):
    assert registry.matches(PREFIX, url)


@pytest.mark.parametrize("url", [
    "http://europass.example.org/portal/",             # another scheme
    "https://europass.example.org:8443/portal/",       # another port
    "https://europass.example.org.evil.test/portal/",  # another host that starts the same
    "https://evil.test/https://europass.example.org/portal/",
    "https://europass.example.org@evil.test/portal/",  # user information
    "https://europass.example.org/portalx/",           # not at a path boundary
    "https://europass.example.org/portal/../admin/",   # dot segments
    "https://europass.example.org/portal/%2e%2e/admin/",
    "https://europass.example.org/portal/\\evil",
    "https://europass.example.org/portal/ x",
    "javascript:alert(1)//https://europass.example.org/portal/",
    "",
])
def test_prefix_refuses(url):
    assert not registry.matches(PREFIX, url)


@pytest.mark.parametrize("bad", ["\t", "\n", "\x00", "\x1f", "\x7f", "\x85", "\u00a0", "\u2028", "\u3000", "\\"])
def test_whitespace_control_characters_and_backslashes_are_never_part_of_a_service_url(bad):
    assert not registry.is_acceptable_url(PREFIX + "a" + bad + "b")
    assert not registry.matches(PREFIX, PREFIX + "a" + bad + "b")


def test_other_characters_are_part_of_a_service_url():
    assert registry.matches(PREFIX, PREFIX + "café/~x")


def test_the_refused_characters_over_every_code_point():
    refused = [cp for cp in range(0x110000) if registry.REFUSED_RE.search(chr(cp))]
    assert refused == [cp for cp in range(0x110000) if chr(cp).isspace() or cp < 0x20 or chr(cp) in "\\\x7f"]


def test_prefix_without_trailing_slash_stops_at_a_segment():
    assert registry.matches("https://app.example.org/cas", "https://app.example.org/cas/login")
    assert registry.matches("https://app.example.org/cas", "https://app.example.org/cas?x=1")
    assert not registry.matches("https://app.example.org/cas", "https://app.example.org/cashier")


def test_regex_must_match_the_whole_url():
    pattern = r"^https://(www\.)?app\.example\.org/.*"
    assert registry.matches(pattern, "https://www.app.example.org/x")
    assert not registry.matches(r"^https://app\.example\.org/", "https://app.example.org/anything")


def test_longest_prefix_wins_and_disabled_services_never_match(db):
    registry.register(name="Portal", url_pattern="https://app.example.org/")
    registry.register(name="Admin", url_pattern="https://app.example.org/admin/")
    registry.register(name="Off", url_pattern="https://off.example.org/", enabled=False)
    assert registry.match("https://app.example.org/admin/x").name == "Admin"
    assert registry.match("https://app.example.org/x").name == "Portal"
    assert registry.match("https://off.example.org/") is None


@pytest.mark.parametrize("pattern", ["", "ftp://x.example.org/", "^(unclosed", "^.*", "app.example.org"])
def test_bad_patterns_are_refused(pattern):
    with pytest.raises(ValidationError):
        registry.check_pattern(pattern)


def test_register_is_idempotent_and_checks_everything(db):
    service, created = registry.register(name="Demo", url_pattern="http://127.0.0.1:8001/", attributes="all")
    assert created and service.attributes[0] == "uid"
    service, created = registry.register(name="Demo", url_pattern="http://127.0.0.1:8001/",
                                         attributes="email", level="MEDIUM")
    assert not created and service.attributes == ["email"] and service.level == 20
    with pytest.raises(ValidationError) as info:
        registry.register(name="Demo", url_pattern="http://127.0.0.1:8001/", attributes="shoeSize")
    assert "attributes" in info.value.message_dict
    with pytest.raises(ValidationError):
        registry.register(name="Demo", url_pattern="http://127.0.0.1:8001/", level="ULTRA")
    with pytest.raises(ValidationError):
        registry.register(name="Other", url_pattern="http://127.0.0.1:8001/")  # the same pattern twice


def test_same_service_ignores_host_case_and_default_port_only():
    assert registry.same_service("https://a.example.org/x?next=1", "https://A.example.org:443/x?next=1")
    assert not registry.same_service("https://a.example.org/x?next=1", "https://a.example.org/x?next=2")
    assert not registry.same_service("https://a.example.org/x", "https://a.example.org/y")
