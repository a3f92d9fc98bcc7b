"""limen.core.browsers: "Firefox on Windows" for people, from the User-Agent header."""

import pytest
from django.utils import translation

from limen.core import browsers

FIREFOX_WINDOWS = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0"
CHROME_LINUX = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 "
                "Safari/537.36")
EDGE_WINDOWS = CHROME_LINUX.replace("X11; Linux x86_64", "Windows NT 10.0; Win64; x64") + " Edg/130.0.0.0"
SAFARI_IPHONE = ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
                 "Version/17.5 Mobile/15E148 Safari/604.1")
SAMSUNG_ANDROID = ("Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) "
                   "SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36")


@pytest.mark.parametrize("user_agent, expected", [
    (FIREFOX_WINDOWS, "Firefox on Windows"),
    (CHROME_LINUX, "Chrome on Linux"),
    (EDGE_WINDOWS, "Edge on Windows"),
    (SAFARI_IPHONE, "Safari on iOS"),
    (SAMSUNG_ANDROID, "Samsung Internet on Android"),
    ("limen-authenticator/0.1 (python-requests)", "limen-authenticator"),
    ("curl/8.5.0", "curl"),
    ("Mozilla/5.0 (compatible; something)", "Unknown browser"),
    ("", "Unknown browser"),
    (None, "Unknown browser"),
])
def test_summary(user_agent, expected):
    with translation.override("en"):
        assert browsers.summary(user_agent) == expected


def test_short_is_the_same_in_every_language():
    with translation.override("fr"):
        assert browsers.short(FIREFOX_WINDOWS) == "Firefox · Windows"
        assert browsers.short("") == "?"
