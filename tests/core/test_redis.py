"""LIMEN_REDIS_URL: rate limits in Redis, the `redis` extra, and a clear refusal when the package is missing.

The live test starts a real redis-server (Debian's) on a free port and a real
Limen (`limen serve`) that uses it; it is skipped, with the reason, only when
redis-server is not installed.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from limen.core import config
from limen.core.config import ConfigurationError
from tests.oidc.live import Browser
from tests.support.limen_server import ROOT, LimenServer
from tests.support.redis_server import RedisServer

TOO_MANY = "Too many attempts from your network."


@pytest.fixture(scope="module")
def redis_server():
    with RedisServer() as server:
        yield server


# --- configuration ---------------------------------------------------------------

def test_without_redis_the_cache_is_a_database_table():
    cache = config.caches("")["default"]
    assert cache["BACKEND"] == "limen.core.dbcache.DatabaseCache"
    assert cache["LOCATION"] == "limen_cache"


@pytest.mark.parametrize("url", ["redis://127.0.0.1:6379/0", "rediss://:secret@cache.example.org:6380/1",
                                 "unix:///run/redis/redis.sock"])
def test_redis_url_selects_the_redis_cache(url):
    cache = config.caches(url)["default"]
    assert (cache["BACKEND"], cache["LOCATION"]) == ("limen.core.rediscache.RedisCache", url)
    # A Redis that hangs must not hang requests: short socket timeouts (the limits then fail closed).
    assert cache["OPTIONS"]["socket_timeout"] <= 1 and cache["OPTIONS"]["socket_connect_timeout"] <= 1


@pytest.mark.parametrize("url", ["http://127.0.0.1:6379", "127.0.0.1:6379", "redis://"])
def test_a_redis_url_that_is_not_one_is_refused(url):
    with pytest.raises(ConfigurationError) as info:
        config.caches(url)
    assert info.value.variable == "LIMEN_REDIS_URL"


def test_redis_url_without_the_package_is_refused_with_the_remedy(monkeypatch):
    monkeypatch.setitem(sys.modules, "redis", None)  # what `import redis` does when it is not installed
    with pytest.raises(ConfigurationError) as info:
        config.caches("redis://127.0.0.1:6379/0")
    assert info.value.variable == "LIMEN_REDIS_URL"
    assert "pip install 'limen[redis]'" in str(info.value)


def test_limen_refuses_to_start_without_the_package(tmp_path):
    """The whole command, as an operator sees it: one line naming the variable and the remedy, no traceback."""
    code = "import sys; sys.modules['redis'] = None; from limen.cli import main; main(['check'])"
    env = {"PATH": "/usr/bin:/bin", "LIMEN_DATA_DIR": str(tmp_path), "LIMEN_REDIS_URL": "redis://127.0.0.1:1/0",
           "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "LIMEN_REDIS_URL" in done.stderr and "pip install 'limen[redis]'" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr, done.stderr


def test_the_redis_extra_installs_redis_py_and_hiredis():
    extras = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    names = {req.split(";")[0].split(">")[0].split("[")[0].strip() for req in extras["redis"]}
    assert {"redis", "hiredis"} <= names


# --- a real Redis ----------------------------------------------------------------

def _attempt(server, email: str, password: str):
    browser = Browser()
    response = browser.post_form(server.url + "/login/", {"email": email})
    assert response.status_code == 302, response.text[:500]
    return browser.post_form(server.url + response.headers["Location"], {"password": password})


def test_rate_limits_count_in_redis(redis_server, tmp_path):
    redis = redis_server.client()
    redis.flushall()
    with LimenServer(name="redis", email_url="console:",
                     env={"LIMEN_REDIS_URL": redis_server.url, "LIMEN_RATE_LIMIT_SIGNIN_PER_IP": "3"}) as server:
        for _ in range(3):
            assert _attempt(server, "nobody@example.org", "Wrong-Password-1").status_code == 400
        refused = _attempt(server, "nobody@example.org", "Wrong-Password-1")
        assert refused.status_code == 429 and TOO_MANY in refused.text

        # The counters are in Redis (Django's key prefix and version, then Limen's rl:<scope>:...):
        keys = [k.decode() for k in redis.keys("*rl:*")]
        assert keys, redis.keys("*")
        assert any(int(redis.get(k)) >= 3 for k in keys)
        # ...and only there: emptying Redis lifts the limit, whatever the database holds.
        redis.flushall()
        assert _attempt(server, "nobody@example.org", "Wrong-Password-1").status_code == 400
        assert "Internal Server Error" not in server.log()


def test_the_cache_keeps_one_client_per_pool_and_counts_in_redis(redis_server, settings):
    from django.core.cache import caches

    settings.CACHES = config.caches(redis_server.url)
    cache = caches.create_connection("default")
    cache.set("limen-test", 1, 30)
    assert cache.incr("limen-test") == 2 and cache.get("limen-test") == 2
    client = cache._cache.get_client(write=True)
    assert cache._cache.get_client(write=True) is client and cache._cache.get_client() is client  # one server
    assert redis_server.client().get(cache.make_and_validate_key("limen-test")) == b"2"
