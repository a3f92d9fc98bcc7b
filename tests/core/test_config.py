"""Parsing of the operator's LIMEN_* variables (limen.core.config)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest

from limen.core import config
from limen.core.config import ConfigurationError


# --- database URLs ---------------------------------------------------------

def test_no_database_url_means_sqlite_in_the_data_dir(tmp_path):
    db = config.database("", tmp_path)
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert db["NAME"] == str(tmp_path / "limen.sqlite3")


def test_sqlite_url_with_absolute_path(tmp_path):
    db = config.database("sqlite:////srv/limen/db.sqlite3", tmp_path)
    assert db["ENGINE"] == "django.db.backends.sqlite3"
    assert db["NAME"] == "/srv/limen/db.sqlite3"


def test_sqlite_url_with_relative_path(tmp_path):
    # As dj-database-url and SQLAlchemy: three slashes and a relative path, four for an absolute one.
    db = config.database("sqlite:///var/limen.sqlite3", tmp_path)
    assert db["NAME"] == "var/limen.sqlite3"


def test_sqlite_url_without_path_falls_back_to_the_data_dir(tmp_path):
    db = config.database("sqlite://", tmp_path)
    assert db["NAME"] == str(tmp_path / "limen.sqlite3")


def test_postgres_url_with_every_part(tmp_path):
    db = config.database("postgres://limen:s%40cr%2Fet@db.example.org:6543/limen_prod?sslmode=verify-full",
                         tmp_path)
    assert db["ENGINE"] == "limen.core.postgresql"
    assert db["NAME"] == "limen_prod"
    assert db["USER"] == "limen"
    assert db["PASSWORD"] == "s@cr/et"  # percent-encoded characters decoded
    assert db["HOST"] == "db.example.org"
    assert db["PORT"] == "6543"
    assert db["OPTIONS"] == {"sslmode": "verify-full", "prepare_threshold": 5}


def test_postgresql_scheme_and_defaults(tmp_path):
    db = config.database("postgresql://db", tmp_path)
    assert db["ENGINE"] == "limen.core.postgresql"
    assert db["NAME"] == "limen"
    assert db["USER"] == "" and db["PASSWORD"] == ""
    assert db["HOST"] == "db"
    assert db["PORT"] == ""
    # psycopg may keep prepared statements (only limen.core.prepared's cursors ask for them)
    assert db["OPTIONS"] == {"prepare_threshold": 5}


def test_prepared_statements_can_be_turned_off_for_a_pooler(tmp_path):
    assert config.database("postgres://db/limen?prepare=off", tmp_path)["OPTIONS"] == {"prepare_threshold": None}
    assert config.database("postgres://db/limen?prepare=ON", tmp_path)["OPTIONS"] == {"prepare_threshold": 5}
    with pytest.raises(ConfigurationError, match="prepare must be on or off"):
        config.database("postgres://db/limen?prepare=maybe", tmp_path)


def test_the_health_check_skips_connections_that_just_worked_unless_told_always(tmp_path):
    # limen.core.postgresql: skipped for half a second after a request the connection served without an error
    db = config.database("postgres://db/limen", tmp_path)
    assert db["CONN_HEALTH_CHECKS"] is True and db["ALIVE_WINDOW"] == config.ALIVE_WINDOW_SECONDS == 0.5
    assert config.database("postgres://db/limen?health_check=Always", tmp_path)["ALIVE_WINDOW"] == 0.0
    assert config.database("postgres://db/limen?health_check=idle", tmp_path)["ALIVE_WINDOW"] == 0.5
    for bad in ("never", "0"):
        with pytest.raises(ConfigurationError, match="health_check must be idle or always"):
            config.database(f"postgres://db/limen?health_check={bad}", tmp_path)


def test_postgres_unix_socket_through_host_query(tmp_path):
    db = config.database("postgres:///limen?host=/var/run/postgresql&port=5433", tmp_path)
    assert db["HOST"] == "/var/run/postgresql"
    assert db["PORT"] == "5433"


@pytest.mark.parametrize("url", ["mysql://root@localhost/limen", "oracle://x", "just-a-path.sqlite3", "http://db/"])
def test_unknown_database_scheme_names_the_variable(tmp_path, url):
    with pytest.raises(ConfigurationError) as info:
        config.database(url, tmp_path)
    assert info.value.variable == "LIMEN_DATABASE_URL"
    assert "LIMEN_DATABASE_URL" in str(info.value)


def test_postgres_port_that_is_not_a_number_names_the_variable(tmp_path):
    with pytest.raises(ConfigurationError) as info:
        config.database("postgres://u:p@db:notaport/limen", tmp_path)
    assert info.value.variable == "LIMEN_DATABASE_URL"


# --- e-mail URLs -----------------------------------------------------------

def test_email_defaults_to_console(tmp_path):
    for url in ("", "console:"):
        assert config.email(url, tmp_path).backend == "django.core.mail.backends.console.EmailBackend"


def test_email_smtp_plain_with_default_port(tmp_path):
    cfg = config.email("smtp://mail.example.org", tmp_path)
    assert cfg.backend == "django.core.mail.backends.smtp.EmailBackend"
    assert (cfg.host, cfg.port, cfg.use_tls, cfg.use_ssl) == ("mail.example.org", 25, False, False)
    assert cfg.user == "" and cfg.password == ""


def test_email_smtp_with_credentials_and_starttls(tmp_path):
    cfg = config.email("smtp://no-reply%40example.org:p%3Ass@mail.example.org:587?starttls=1", tmp_path)
    assert (cfg.host, cfg.port) == ("mail.example.org", 587)
    assert cfg.user == "no-reply@example.org"
    assert cfg.password == "p:ss"
    assert cfg.use_tls is True and cfg.use_ssl is False


def test_email_starttls_off_values(tmp_path):
    assert config.email("smtp://mail.example.org:587?starttls=0", tmp_path).use_tls is False
    assert config.email("smtp://mail.example.org:587?starttls=true", tmp_path).use_tls is True


def test_email_smtps_uses_implicit_tls_on_465(tmp_path):
    cfg = config.email("smtps://mail.example.org", tmp_path)
    assert cfg.port == 465
    assert cfg.use_ssl is True and cfg.use_tls is False


def test_email_smtps_with_starttls_is_refused(tmp_path):
    # Django's SMTP backend refuses both at once; say so at start, naming the variable.
    with pytest.raises(ConfigurationError) as info:
        config.email("smtps://mail.example.org?starttls=1", tmp_path)
    assert info.value.variable == "LIMEN_EMAIL_URL"


def test_email_file_backend_with_and_without_path(tmp_path):
    cfg = config.email("file:/tmp/limen-mail", tmp_path)
    assert cfg.backend == "django.core.mail.backends.filebased.EmailBackend"
    assert cfg.file_path == "/tmp/limen-mail"
    assert config.email("file:", tmp_path).file_path == str(tmp_path / "mail")


def test_email_memory_backend(tmp_path):
    assert config.email("memory:", tmp_path).backend == "django.core.mail.backends.locmem.EmailBackend"


@pytest.mark.parametrize("url", ["smtp://", "smtp://:25", "smtp://mail.example.org:port", "imap://mail.example.org",
                                 "sendmail", "mailto:admin@example.org"])
def test_bad_email_urls_name_the_variable(tmp_path, url):
    with pytest.raises(ConfigurationError) as info:
        config.email(url, tmp_path)
    assert info.value.variable == "LIMEN_EMAIL_URL"
    assert str(info.value).startswith("LIMEN_EMAIL_URL: ")


# --- env_bool / env_int / env_str -------------------------------------------

@pytest.fixture
def env(monkeypatch):
    def set_(name, value):
        if value is None:
            monkeypatch.delenv(name, raising=False)
        else:
            monkeypatch.setenv(name, value)
    return set_


@pytest.mark.parametrize("raw,expected", [("1", True), ("true", True), (" Yes ", True), ("ON", True),
                                          ("0", False), ("false", False), ("no", False), ("Off", False)])
def test_env_bool_values(env, raw, expected):
    env("LIMEN_TEST_FLAG", raw)
    assert config.env_bool("LIMEN_TEST_FLAG", not expected) is expected


def test_env_bool_unset_or_empty_gives_default(env):
    env("LIMEN_TEST_FLAG", None)
    assert config.env_bool("LIMEN_TEST_FLAG", True) is True
    env("LIMEN_TEST_FLAG", "  ")
    assert config.env_bool("LIMEN_TEST_FLAG", False) is False


@pytest.mark.parametrize("raw", ["maybe", "2", "y e s", "enabled"])
def test_env_bool_bad_value_names_the_variable(env, raw):
    env("LIMEN_TEST_FLAG", raw)
    with pytest.raises(ConfigurationError) as info:
        config.env_bool("LIMEN_TEST_FLAG")
    assert info.value.variable == "LIMEN_TEST_FLAG"
    assert repr(raw) in str(info.value)


def test_env_int_values_and_default(env):
    env("LIMEN_TEST_N", " 42 ")
    assert config.env_int("LIMEN_TEST_N", 7) == 42
    env("LIMEN_TEST_N", None)
    assert config.env_int("LIMEN_TEST_N", 7) == 7
    env("LIMEN_TEST_N", "")
    assert config.env_int("LIMEN_TEST_N", 7) == 7


@pytest.mark.parametrize("raw", ["ten", "1.5", "0x10", "12abc"])
def test_env_int_not_a_number(env, raw):
    env("LIMEN_TEST_N", raw)
    with pytest.raises(ConfigurationError) as info:
        config.env_int("LIMEN_TEST_N", 1)
    assert info.value.variable == "LIMEN_TEST_N"
    assert "whole number" in str(info.value)


def test_env_int_bounds(env):
    env("LIMEN_TEST_N", "3")
    with pytest.raises(ConfigurationError, match=">= 5"):
        config.env_int("LIMEN_TEST_N", 10, minimum=5)
    env("LIMEN_TEST_N", "11")
    with pytest.raises(ConfigurationError, match="between 1 and 10"):
        config.env_int("LIMEN_TEST_N", 2, minimum=1, maximum=10)
    env("LIMEN_TEST_N", "-1")
    with pytest.raises(ConfigurationError):
        config.env_int("LIMEN_TEST_N", 2)
    env("LIMEN_TEST_N", "10")
    assert config.env_int("LIMEN_TEST_N", 2, minimum=1, maximum=10) == 10


def test_env_str_strips(env):
    env("LIMEN_TEST_S", "  value \n")
    assert config.env_str("LIMEN_TEST_S") == "value"


def test_env_choice_ignores_case_and_names_the_variable(env):
    env("LIMEN_TEST_C", "JSON")
    assert config.env_choice("LIMEN_TEST_C", "text", ("json", "text")) == "json"
    env("LIMEN_TEST_C", None)
    assert config.env_choice("LIMEN_TEST_C", "text", ("json", "text")) == "text"
    env("LIMEN_TEST_C", "xml")
    with pytest.raises(ConfigurationError, match="json, text"):
        config.env_choice("LIMEN_TEST_C", "text", ("json", "text"))


def test_env_networks(env):
    env("LIMEN_TEST_NETS", " 10.0.0.0/8, 192.0.2.7 ,::1/128,")
    assert [str(n) for n in config.env_networks("LIMEN_TEST_NETS", "")] == ["10.0.0.0/8", "192.0.2.7/32", "::1/128"]
    env("LIMEN_TEST_NETS", None)
    assert [str(n) for n in config.env_networks("LIMEN_TEST_NETS", "127.0.0.1/32")] == ["127.0.0.1/32"]
    env("LIMEN_TEST_NETS", "")
    assert config.env_networks("LIMEN_TEST_NETS", "127.0.0.1/32") == ()


@pytest.mark.parametrize("raw", ["localhost", "10.0.0.0/33", "300.1.1.1", "10.0.0.0/8;192.0.2.0/24"])
def test_env_networks_bad_value_names_the_variable(env, raw):
    env("LIMEN_TEST_NETS", raw)
    with pytest.raises(ConfigurationError) as info:
        config.env_networks("LIMEN_TEST_NETS", "")
    assert info.value.variable == "LIMEN_TEST_NETS"


# --- secret key --------------------------------------------------------------

def test_secret_key_generated_once_with_private_permissions(env, tmp_path):
    env("LIMEN_SECRET_KEY", None)
    first = config.secret_key(tmp_path)
    assert len(first) >= 50
    assert config.secret_key(tmp_path) == first
    mode = stat.S_IMODE(os.stat(tmp_path / "secret_key").st_mode)
    assert mode == 0o600


def test_secret_key_from_environment_must_be_long(env, tmp_path):
    env("LIMEN_SECRET_KEY", "short")
    with pytest.raises(ConfigurationError) as info:
        config.secret_key(tmp_path)
    assert info.value.variable == "LIMEN_SECRET_KEY"
    env("LIMEN_SECRET_KEY", "x" * 40)
    assert config.secret_key(tmp_path) == "x" * 40
    assert not (tmp_path / "secret_key").exists()


def test_sqlite_connections_persist_between_requests(tmp_path):
    # Opening and checkpoint-closing a WAL connection per request cost 4x the CPU (bench/README.md).
    for url in ("", "sqlite:////srv/limen/db.sqlite3"):
        db = config.database(url, tmp_path)
        assert db["CONN_MAX_AGE"] > 0 and db["CONN_HEALTH_CHECKS"] is True
        assert "journal_mode=WAL" in db["OPTIONS"]["init_command"]


# --- keys of secrets at rest (LIMEN_ENCRYPTION_KEYS) -------------------------------

KEY_A = "q83vEjRWeJBhyUqvDy6F0hSt+0zKAmIvb6Vj9K5Ew+4="  # 32 bytes, standard alphabet (openssl rand -base64 32)
KEY_B = "tnMOPWXi-ZyqtL3nR8OV9Ld_o0rkDx1uInb8l4Zt8nI="  # 32 bytes, URL-safe alphabet


def test_encryption_keys_unset_means_only_the_key_of_before():
    assert config.encryption_keys("") == ()
    assert config.encryption_keys("   ") == ()


def test_encryption_keys_newest_first_with_legacy():
    keys = config.encryption_keys(f" 2026-11:{KEY_B} , 2025-06 : {KEY_A}, legacy ")
    assert [k.id for k in keys] == ["2026-11", "2025-06", "legacy"]
    assert keys[1].secret == bytes.fromhex("abcdef1234567890 61c94aaf0f2e85d214adfb4cca02622f6fa563f4ae44c3ee")
    assert len(keys[0].secret) == 32 and keys[2].secret is None
    assert KEY_A not in repr(keys)  # never in a log line or a traceback's locals summary


@pytest.mark.parametrize("value, message", [
    (f"2026-11:{KEY_A[:-4]}", "is 30 bytes long; it must be 32"),  # wrong length
    ("2026-11:" + "A" * 64, "is 48 bytes long; it must be 32"),
    ("2026-11:", "is 0 bytes long"),
    (f"2026-11:{KEY_A},2026-11:{KEY_B}", "the key id '2026-11' is listed twice"),  # duplicate ids
    ("legacy,legacy", "the key id 'legacy' is listed twice"),
    ("2026-11:not base64 at all!", "the key '2026-11' is not base64"),  # not base64
    (f"2026-11:{KEY_A[:-1]}", "is not base64"),  # padding missing
    (KEY_A, "write each key as id:base64-key"),  # no id
    (f"2026-11:{KEY_A},", "entry 2 is empty"),
    (f"nov 2026:{KEY_A}", "a key id is 1 to 32 letters"),
    (f"{'x' * 33}:{KEY_A}", "a key id is 1 to 32 letters"),
    (f":{KEY_A}", "a key id is 1 to 32 letters"),
    (f"legacy:{KEY_A}", "'legacy' names the key of LIMEN_ENCRYPTION_KEY"),
    (f"2026-11:{KEY_A},2025-06:{KEY_A}", "the keys '2026-11' and '2025-06' are the same key"),
])
def test_malformed_encryption_keys_name_the_variable_and_not_the_key(value, message):
    with pytest.raises(ConfigurationError) as info:
        config.encryption_keys(value)
    assert info.value.variable == "LIMEN_ENCRYPTION_KEYS"
    assert message in str(info.value)
    assert KEY_A not in str(info.value) and KEY_A[:-4] not in str(info.value)


def test_encryption_key_set_in_vain_is_refused():
    keys = config.encryption_keys(f"2026-11:{KEY_A}")
    with pytest.raises(ConfigurationError) as info:
        config.check_legacy_key(keys, "the key of before")
    assert info.value.variable == "LIMEN_ENCRYPTION_KEY"
    assert "does not list 'legacy'" in str(info.value) and "the key of before" not in str(info.value)
    config.check_legacy_key(config.encryption_keys(f"2026-11:{KEY_A},legacy"), "the key of before")
    config.check_legacy_key(keys, "")  # rotated away from it and unset
    config.check_legacy_key((), "the key of before")  # as before keys had names


def test_a_malformed_encryption_key_stops_the_start(tmp_path):
    env = {**os.environ, "LIMEN_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "limen.settings",
           "LIMEN_ENCRYPTION_KEYS": f"2026-11:{KEY_A},2026-11:{KEY_B}"}
    env.pop("LIMEN_DATABASE_URL", None)
    result = subprocess.run([sys.executable, "-m", "limen.cli", "check"], env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode != 0
    assert "LIMEN_ENCRYPTION_KEYS: the key id '2026-11' is listed twice" in result.stderr
    assert KEY_A not in result.stderr and KEY_B not in result.stderr

    env["LIMEN_ENCRYPTION_KEYS"] = f"2026-11:{KEY_A},legacy"
    result = subprocess.run([sys.executable, "-m", "limen.cli", "check"], env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr


# --- LIMEN_PRIVACY_CONTACT ------------------------------------------------------------

def contact(value="", sender="Limen <no-reply@login.example.org>", sender_set=False, hostname="login.example.org"):
    return config.privacy_contact(value, sender=sender, sender_set=sender_set, hostname=hostname)


def test_privacy_contact_as_the_operator_sets_it():
    assert contact("dpo@example.org") == "dpo@example.org"
    assert contact("https://example.org/privacy") == "https://example.org/privacy"


@pytest.mark.parametrize("value", ["nobody", "@example.org", "http://example.org/privacy", "two words@x.org"])
def test_privacy_contact_that_is_no_address_names_the_variable(value):
    with pytest.raises(config.ConfigurationError) as error:
        contact(value)
    assert error.value.variable == "LIMEN_PRIVACY_CONTACT"


def test_privacy_contact_from_a_sender_that_takes_replies():
    assert contact(sender="Login service <support@example.org>", sender_set=True) == "support@example.org"
    # A no-reply sender, or Limen's own default sender, is no contact.
    assert contact(sender="Limen <no-reply@example.org>", sender_set=True) == "privacy@login.example.org"
    assert contact() == "privacy@login.example.org"


@pytest.mark.parametrize("hostname", ["127.0.0.1", "::1", "localhost", "limen", "login.localhost", "box.local",
                                      "limen.test"])
def test_no_privacy_contact_on_a_development_address(hostname):
    assert contact(sender=f"Limen <no-reply@{hostname}>", hostname=hostname) == ""
    assert contact(sender=f"Limen <support@{hostname}>", sender_set=True, hostname=hostname) == ""


# --- LIMEN_WEBPUSH_SUBJECT ------------------------------------------------------------

def test_webpush_subject_is_a_mailto_or_https_uri_even_without_a_privacy_contact():
    subject = config.webpush_subject
    assert subject("mailto:ops@example.org", contact="", sender="") == "mailto:ops@example.org"
    assert subject("", contact="dpo@example.org", sender="") == "mailto:dpo@example.org"
    assert subject("", contact="https://example.org/privacy", sender="") == "https://example.org/privacy"
    # A development address has no privacy contact: "mailto:" alone is refused by push services.
    assert subject("", contact="", sender="Limen <no-reply@localhost>") == "mailto:no-reply@localhost"


@pytest.mark.parametrize("value", ["ops@example.org", "mailto:", "http://example.org"])
def test_webpush_subject_that_is_no_uri_names_the_variable(value):
    with pytest.raises(config.ConfigurationError) as error:
        config.webpush_subject(value, contact="", sender="")
    assert error.value.variable == "LIMEN_WEBPUSH_SUBJECT"
