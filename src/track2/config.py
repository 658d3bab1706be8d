"""Read and validate every environment variable Track2 uses, once, into a frozen object.

Django's settings module is built from this object, and `track2 check` reports on it.
A `ConfigError` carries a one-line message that says what is wrong and what to do; the
`track2` command prints it without a traceback.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
import stat
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit


class ConfigError(Exception):
    """A setting is missing, malformed or unusable."""


# Every environment variable Track2 reads, with its meaning. docs/configuration.md must
# describe each one; tests/test_docs.py fails when it does not.
SETTINGS_DOC = {
    "TRACK2_HOME": "data folder (database, keys, secret key, static files); default ~/.track2",
    "TRACK2_STATIC_ROOT": "absolute folder the static files are collected into (default TRACK2_HOME/static); sites of one version may share it",
    "TRACK2_DATABASE_URL": "sqlite:///path or postgresql://user:pass@host:port/name; default SQLite in TRACK2_HOME",
    "TRACK2_SECRET_KEY": "Django secret key; generated into TRACK2_HOME/secret_key (mode 0600) when absent",
    "TRACK2_ALLOWED_HOSTS": "comma-separated host names the site answers to",
    "TRACK2_EMAIL_URL": "smtp://user:pass@host:port, smtps://…, file:///folder, console:// or locmem://; default: the outbox folder",
    "TRACK2_EMAIL_FROM": "sender address of the site's e-mail",
    "TRACK2_DEBUG": "1 to turn on Django's debug mode (development only)",
    "TRACK2_HTTPS": "1 when served over HTTPS (secure cookies, HSTS, redirect to https)",
    "TRACK2_K_ANONYMITY": "default k for new dialogues and the floor under every breakdown (default 3, at least 3)",
    "TRACK2_ARGON2_TIME_COST": "Argon2 passes per password hash (default 3)",
    "TRACK2_ARGON2_MEMORY_COST": "Argon2 memory per password hash in KiB (default 65536)",
    "TRACK2_INVITATION_DAYS": "days an invitation link stays valid (default 14)",
    "TRACK2_DEMO_HOME": "data folder used by `track2 demo` (default ~/.track2-demo)",
    "TRACK2_TRUSTED_PROXIES": "comma-separated addresses or networks of proxies whose X-Forwarded-For is believed (default none)",
    "TRACK2_DEFAULT_INSTITUTION": "name of the convening institution that an upgrade puts existing dialogues in",
    "TRACK2_BACKCHANNEL_DAYS": "days an unacknowledged back-channel envelope is kept before it is deleted (default 30)",
    "TRACK2_KEYSTORE_TIME_COST": "Argon2id passes that derive a back-channel keystore's key from its passphrase (default 3)",
    "TRACK2_KEYSTORE_MEMORY_COST": "Argon2id memory, in KiB, for a back-channel keystore's key (default 262144)",
    # Read by track2.operations.passphrases (backup commands only), listed here to be documented.
    "TRACK2_BACKUP_PASSPHRASE": "passphrase of `track2 backup`/`restore`/`backup-keys`/`restore-keys` for scripts",
}

LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]", "::1")


@dataclass(frozen=True)
class Config:
    home: Path
    database: dict[str, object]
    database_url_display: str
    secret_key: str
    allowed_hosts: tuple[str, ...]
    email: dict[str, object]
    email_from: str
    debug: bool
    https: bool
    k_anonymity: int
    argon2_time_cost: int
    argon2_memory_cost: int
    invitation_days: int
    trusted_proxies: tuple[str, ...] = ()
    # Read only by the upgrade that introduced institutions (see docs/configuration.md).
    default_institution: str = ""
    backchannel_days: int = 30
    keystore_time_cost: int = 3
    keystore_memory_cost: int = 262144
    static_root: Path | None = None  # None: TRACK2_HOME/static


def _flag(name: str, env: dict[str, str]) -> bool:
    raw = env.get(name, "").strip().lower()
    if raw in ("", "0", "false", "no", "off"):
        return False
    if raw in ("1", "true", "yes", "on"):
        return True
    raise ConfigError(f"{name}={raw!r} is not a yes/no value; use 1 or 0.")


def _positive_int(name: str, env: dict[str, str], default: int, minimum: int = 1) -> int:
    raw = env.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a whole number; use e.g. {default}.") from None
    if value < minimum:
        raise ConfigError(f"{name}={value} is too small; use {minimum} or more.")
    return value


def prepare_home(path: Path) -> Path:
    """Create the data folder (mode 0700) and prove it is writable."""
    path = path.expanduser()
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        probe = path / ".write-test"
        probe.write_text("ok")
        probe.unlink()
    except OSError as err:
        raise ConfigError(
            f"TRACK2_HOME {path} is not writable ({err.strerror}); "
            "point TRACK2_HOME at a folder you can write to."
        ) from None
    return path.resolve()


def _secret_key(home: Path, env: dict[str, str]) -> str:
    given = env.get("TRACK2_SECRET_KEY", "").strip()
    if given:
        if len(given) < 32:
            raise ConfigError(
                "TRACK2_SECRET_KEY is shorter than 32 characters; use a long random value."
            )
        return given
    key_file = home / "secret_key"
    if key_file.exists():
        mode = stat.S_IMODE(key_file.stat().st_mode)
        if mode & 0o077:
            raise ConfigError(
                f"{key_file} is readable by other users (mode {mode:o}); run: chmod 600 {key_file}"
            )
        return key_file.read_text().strip()
    key = secrets.token_urlsafe(50)
    # O_EXCL: two processes starting at once must not write two different keys.
    try:
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return key_file.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key


def parse_database_url(url: str, home: Path) -> tuple[dict[str, object], str]:
    """Return Django's DATABASES['default'] and a display form without the password."""
    if not url:
        url = f"sqlite:///{home / 'track2.sqlite3'}"
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "sqlite":
        # sqlite:///relative.db and sqlite:////absolute/path.db, as SQLAlchemy spells them.
        name = unquote(parts.netloc + parts.path)
        name = name[1:] if name.startswith("/") else name
        if not name:
            raise ConfigError(
                "TRACK2_DATABASE_URL sqlite:/// needs a file path, e.g. sqlite:////srv/track2/db.sqlite3"
            )
        settings = {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": name,
            "OPTIONS": {
                # WAL lets readers go on while one writer writes; IMMEDIATE makes a writer
                # take the lock at BEGIN, so busy waits happen there, not as mid-transaction errors.
                # secure_delete zeroes what is deleted (retention, erasure) instead of leaving it
                # in free pages for anyone with the file or a backup: some builds of SQLite turn
                # it on, most do not, so it is not left to the build.
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; "
                    "PRAGMA secure_delete=ON;"
                ),
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
        return settings, f"sqlite:///{name}"
    if scheme in ("postgres", "postgresql", "pgsql"):
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        name = unquote(parts.path.lstrip("/"))
        if not name:
            raise ConfigError(
                "TRACK2_DATABASE_URL has no database name; use postgresql://user:pass@host:5432/track2"
            )
        host = unquote(parts.hostname or "") or query.pop("host", "")
        try:
            port = parts.port
        except ValueError:
            raise ConfigError("TRACK2_DATABASE_URL has a port that is not a number.") from None
        settings = {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": name,
            "USER": unquote(parts.username or ""),
            "PASSWORD": unquote(parts.password or ""),
            "HOST": host,
            "PORT": str(port or ""),
            "CONN_MAX_AGE": 60,
            "CONN_HEALTH_CHECKS": True,
            "OPTIONS": {"connect_timeout": 5, **query},
        }
        shown = f"postgresql://{settings['USER']}@{host or 'localhost'}:{port or 5432}/{name}"
        return settings, shown
    raise ConfigError(
        f"TRACK2_DATABASE_URL scheme {scheme!r} is not supported; use sqlite:///path or postgresql://…"
    )


OUTBOX_BACKEND = "track2.site.outbox.OutboxBackend"


def parse_email_url(url: str, home: Path) -> dict[str, object]:
    if not url:
        # No mail server yet: keep mail in a private folder rather than print working links.
        return {"EMAIL_BACKEND": OUTBOX_BACKEND, "EMAIL_FILE_PATH": str(home / "outbox")}
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    if scheme == "locmem":
        return {"EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend"}
    if scheme == "file":
        folder = Path(unquote(parts.path) or home / "outbox")
        return {"EMAIL_BACKEND": OUTBOX_BACKEND, "EMAIL_FILE_PATH": str(folder)}
    if scheme in ("smtp", "smtps", "smtp+tls"):
        if not parts.hostname:
            raise ConfigError(
                "TRACK2_EMAIL_URL has no host; use smtp://user:pass@mail.example.org:587"
            )
        try:
            port = parts.port
        except ValueError:
            raise ConfigError("TRACK2_EMAIL_URL has a port that is not a number.") from None
        return {
            "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "EMAIL_HOST": parts.hostname,
            "EMAIL_PORT": port or (465 if scheme == "smtps" else 587),
            "EMAIL_HOST_USER": unquote(parts.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
            "EMAIL_USE_SSL": scheme == "smtps",
            "EMAIL_USE_TLS": scheme == "smtp+tls" or (scheme == "smtp" and (port or 587) == 587),
            "EMAIL_TIMEOUT": 10,
        }
    raise ConfigError(
        f"TRACK2_EMAIL_URL scheme {scheme!r} is not supported; use console://, smtp://, smtps:// or file://"
    )


def describe_email(email: dict[str, object]) -> tuple[str, str | None]:
    """Where the site's mail goes, in words, and a warning when it does not reach anyone."""
    backend = str(email["EMAIL_BACKEND"])
    if backend == OUTBOX_BACKEND:
        return (
            f"kept in the outbox {email['EMAIL_FILE_PATH']} (one private file per message)",
            "no mail is sent: invitations and password resets wait in the outbox until you "
            "forward them; set TRACK2_EMAIL_URL=smtp://… to send mail",
        )
    if backend.endswith("console.EmailBackend"):
        return (
            "printed to the server's output",
            "anyone who can read the server's output can use the invitation and reset links in it; "
            "set TRACK2_EMAIL_URL=smtp://… to send mail",
        )
    if backend.endswith("smtp.EmailBackend"):
        security = (
            "TLS"
            if email.get("EMAIL_USE_SSL")
            else "STARTTLS"
            if email.get("EMAIL_USE_TLS")
            else "no encryption"
        )
        return f"sent through {email['EMAIL_HOST']}:{email['EMAIL_PORT']} ({security})", None
    return f"kept in memory by {backend} (tests only)", "no mail leaves this process"


def _institution_name(env: dict[str, str]) -> str:
    name = " ".join(env.get("TRACK2_DEFAULT_INSTITUTION", "").split())
    if len(name) > 200:
        raise ConfigError(
            "TRACK2_DEFAULT_INSTITUTION is longer than 200 characters; give the institution's usual name."
        )
    if any(ord(c) < 32 or ord(c) == 127 for c in name):
        raise ConfigError(
            "TRACK2_DEFAULT_INSTITUTION contains control characters; give a plain name."
        )
    return name


def _static_root(env: dict[str, str], home: Path) -> Path:
    raw = env.get("TRACK2_STATIC_ROOT", "").strip()
    if not raw:
        return home / "static"
    if any(ord(c) < 32 or ord(c) == 127 for c in raw):
        raise ConfigError(
            "TRACK2_STATIC_ROOT contains control characters; give a plain folder path."
        )
    path = Path(raw).expanduser()
    if not path.is_absolute():
        raise ConfigError(
            f"TRACK2_STATIC_ROOT={raw!r} is not an absolute path; give e.g. /var/lib/track2/static."
        )
    return path


def load(env: dict[str, str] | None = None) -> Config:
    env = dict(os.environ if env is None else env)
    home = prepare_home(Path(env.get("TRACK2_HOME") or "~/.track2"))
    database, display = parse_database_url(env.get("TRACK2_DATABASE_URL", "").strip(), home)
    hosts_raw = env.get("TRACK2_ALLOWED_HOSTS", "").strip()
    hosts = tuple(h.strip() for h in hosts_raw.split(",") if h.strip()) or LOOPBACK_HOSTS
    return Config(
        home=home,
        database=database,
        database_url_display=display,
        secret_key=_secret_key(home, env),
        allowed_hosts=hosts,
        email=parse_email_url(env.get("TRACK2_EMAIL_URL", "").strip(), home),
        email_from=env.get("TRACK2_EMAIL_FROM", "").strip() or "Track2 <track2@localhost>",
        debug=_flag("TRACK2_DEBUG", env),
        https=_flag("TRACK2_HTTPS", env),
        k_anonymity=_positive_int("TRACK2_K_ANONYMITY", env, 3, minimum=3),
        argon2_time_cost=_positive_int("TRACK2_ARGON2_TIME_COST", env, 3),
        argon2_memory_cost=_positive_int("TRACK2_ARGON2_MEMORY_COST", env, 65536, minimum=8),
        invitation_days=_positive_int("TRACK2_INVITATION_DAYS", env, 14),
        trusted_proxies=_networks("TRACK2_TRUSTED_PROXIES", env),
        default_institution=_institution_name(env),
        backchannel_days=_positive_int("TRACK2_BACKCHANNEL_DAYS", env, 30),
        keystore_time_cost=_positive_int("TRACK2_KEYSTORE_TIME_COST", env, 3),
        keystore_memory_cost=_positive_int("TRACK2_KEYSTORE_MEMORY_COST", env, 262144, minimum=8),
        static_root=_static_root(env, home),
    )


def _networks(name: str, env: dict[str, str]) -> tuple[str, ...]:
    """Proxy addresses or networks; the sign-in limits per address depend on believing only these."""
    found = []
    for item in (part.strip() for part in env.get(name, "").split(",")):
        if not item:
            continue
        try:
            found.append(str(ipaddress.ip_network(item, strict=False)))
        except ValueError:
            raise ConfigError(
                f"{name}: {item!r} is not an IP address or network; use e.g. 127.0.0.1 or 10.0.0.0/24."
            ) from None
    return tuple(found)
