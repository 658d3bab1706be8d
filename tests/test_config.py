import os
import stat

import pytest

from track2 import config
from track2.config import ConfigError


def load(tmp_path, **env):
    return config.load({"TRACK2_HOME": str(tmp_path / "home"), **env})


def test_defaults_are_safe(tmp_path):
    cfg = load(tmp_path)
    assert cfg.debug is False
    assert cfg.https is False
    assert cfg.allowed_hosts[:2] == ("127.0.0.1", "localhost")
    assert cfg.database["ENGINE"] == "django.db.backends.sqlite3"
    assert cfg.database["NAME"] == str(tmp_path / "home" / "track2.sqlite3")
    assert "journal_mode=WAL" in cfg.database["OPTIONS"]["init_command"]
    assert cfg.database["OPTIONS"]["timeout"] >= 5
    assert cfg.email == {
        "EMAIL_BACKEND": "track2.site.outbox.OutboxBackend",
        "EMAIL_FILE_PATH": str(tmp_path / "home" / "outbox"),
    }
    assert cfg.k_anonymity == 3


def test_secret_key_is_generated_once_with_private_mode(tmp_path):
    first = load(tmp_path).secret_key
    key_file = tmp_path / "home" / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(first) >= 50
    assert load(tmp_path).secret_key == first


def test_world_readable_secret_key_is_refused(tmp_path):
    load(tmp_path)
    os.chmod(tmp_path / "home" / "secret_key", 0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        load(tmp_path)


def test_short_secret_key_from_environment_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="shorter than 32"):
        load(tmp_path, TRACK2_SECRET_KEY="changethis")


def test_unwritable_home_is_reported(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(ConfigError, match="not writable"):
        config.load({"TRACK2_HOME": str(blocker / "home")})


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("sqlite:////srv/t2/db.sqlite3", "/srv/t2/db.sqlite3"),
        ("sqlite:///relative.db", "relative.db"),
    ],
)
def test_sqlite_urls(tmp_path, url, expected):
    assert load(tmp_path, TRACK2_DATABASE_URL=url).database["NAME"] == expected


def test_postgresql_url(tmp_path):
    cfg = load(
        tmp_path,
        TRACK2_DATABASE_URL="postgresql://t2:s%40cret@db.example.org:6543/track2?sslmode=require",
    )
    db = cfg.database
    assert (db["ENGINE"], db["NAME"], db["USER"], db["PASSWORD"], db["HOST"], db["PORT"]) == (
        "django.db.backends.postgresql",
        "track2",
        "t2",
        "s@cret",
        "db.example.org",
        "6543",
    )
    assert db["OPTIONS"]["sslmode"] == "require"
    assert "s@cret" not in cfg.database_url_display


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("mysql://x@y/z", "not supported"),
        ("postgresql://x@y:5432/", "no database name"),
        ("postgresql://x@y:port/db", "not a number"),
        ("sqlite://", "needs a file path"),
    ],
)
def test_bad_database_urls(tmp_path, url, message):
    with pytest.raises(ConfigError, match=message):
        load(tmp_path, TRACK2_DATABASE_URL=url)


def test_email_urls(tmp_path):
    smtp = load(tmp_path, TRACK2_EMAIL_URL="smtp://u:p@mail.example.org:587").email
    assert smtp["EMAIL_HOST"] == "mail.example.org" and smtp["EMAIL_USE_TLS"] is True
    smtps = load(tmp_path, TRACK2_EMAIL_URL="smtps://mail.example.org").email
    assert smtps["EMAIL_PORT"] == 465 and smtps["EMAIL_USE_SSL"] is True
    with pytest.raises(ConfigError, match="not supported"):
        load(tmp_path, TRACK2_EMAIL_URL="carrier-pigeon://")
    with pytest.raises(ConfigError, match="no host"):
        load(tmp_path, TRACK2_EMAIL_URL="smtp://")


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("TRACK2_DEBUG", "maybe", "yes/no"),
        ("TRACK2_K_ANONYMITY", "three", "whole number"),
        ("TRACK2_K_ANONYMITY", "1", "too small"),
        ("TRACK2_K_ANONYMITY", "2", "use 3 or more"),  # the floor of every breakdown is at least 3
    ],
)
def test_bad_values_are_named(tmp_path, name, value, message):
    with pytest.raises(ConfigError, match=message) as err:
        load(tmp_path, **{name: value})
    assert name in str(err.value)


def test_production_argon2_cost_is_not_lowered(tmp_path):
    """Tests run with a cheap hash; this asserts what a real site gets (STYLE.md §7)."""
    cfg = load(tmp_path)
    assert cfg.argon2_time_cost == 3
    assert cfg.argon2_memory_cost == 65536


def test_where_mail_goes_is_said_with_a_warning_when_nobody_gets_it(tmp_path):
    where, warning = config.describe_email(load(tmp_path).email)
    assert str(tmp_path / "home" / "outbox") in where and "TRACK2_EMAIL_URL" in warning
    where, warning = config.describe_email(load(tmp_path, TRACK2_EMAIL_URL="console://").email)
    assert "printed" in where and "links" in warning
    where, warning = config.describe_email(
        load(tmp_path, TRACK2_EMAIL_URL="smtps://u:p@mail.example.org").email
    )
    assert (
        where == "sent through mail.example.org:465 (TLS)" and warning is None and "p@" not in where
    )
    folder = tmp_path / "elsewhere"
    assert load(tmp_path, TRACK2_EMAIL_URL=f"file://{folder}").email["EMAIL_FILE_PATH"] == str(
        folder
    )
