"""Django settings: every value comes from `track2.config`, which reads the environment."""

from __future__ import annotations

from pathlib import Path

from whitenoise.compress import Compressor

from track2 import config
from track2.accounts.relying_party import relying_party_id

CONFIG = config.load()

BASE_DIR = CONFIG.home
SECRET_KEY = CONFIG.secret_key
DEBUG = CONFIG.debug
ALLOWED_HOSTS = list(CONFIG.allowed_hosts)
TRACK2_HOME = CONFIG.home
TRACK2_K_ANONYMITY = CONFIG.k_anonymity
TRACK2_KEYS_DIR = CONFIG.home / "keys"
TRACK2_INVITATION_DAYS = CONFIG.invitation_days
TRACK2_DEFAULT_INSTITUTION = CONFIG.default_institution
# The back channel (docs/backchannel.md): how long an envelope waits, and the keystore's Argon2id
# cost (tests lower it, STYLE.md §7); the log's signing key lives beside the pseudonym keys.
TRACK2_BACKCHANNEL_DAYS = CONFIG.backchannel_days
TRACK2_KEYSTORE_TIME_COST = CONFIG.keystore_time_cost
TRACK2_KEYSTORE_MEMORY_COST = CONFIG.keystore_memory_cost
TRACK2_BACKCHANNEL_LOG_KEY = TRACK2_KEYS_DIR / "backchannel-log.key"

INSTALLED_APPS = [
    # Our apps come first so that `track2 check` replaces Django's own `check`.
    "track2.site",
    "track2.accounts",
    "track2.institutions",
    "track2.people",
    "track2.dialogues",
    "track2.meetings",
    "track2.deliberation",
    "track2.reports",
    "track2.disclosure",
    "track2.audit",
    "track2.backchannel",
    "track2.live",
    "track2.operations",
    "track2.outcomes",
    "track2.facilitation",
    "track2.impact",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # Only for the Swagger UI files and template it ships (/api/v1/docs under our CSP, no CDN).
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "track2.site.static_files.StaticFilesMiddleware",
    "track2.site.middleware.ContentSecurityPolicyMiddleware",
    "track2.site.limits.BodySizeLimitMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "track2.accounts.middleware.NoStoreMiddleware",
    "track2.accounts.middleware.UserTimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "track2.urls"
WSGI_APPLICATION = "track2.wsgi.application"
ASGI_APPLICATION = "track2.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# ATOMIC_REQUESTS: a request that fails is rolled back whole, including writes made before a
# refusal or an error while rendering the answer (docs/decisions.md, "Bad input").
DATABASES = {"default": {**CONFIG.database, "ATOMIC_REQUESTS": True}}
# Request bodies (track2.site.limits): forms and JSON are small; files are roster CSVs (≤ 2 MB).
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
TRACK2_MAX_UPLOAD_BYTES = 3 * 1024 * 1024
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "site:home"
LOGOUT_REDIRECT_URL = "accounts:login"

PASSWORD_HASHERS = ["track2.accounts.hashers.Track2Argon2PasswordHasher"]
# Production Argon2 cost; tests lower it through these two settings (STYLE.md §7).
ARGON2_TIME_COST = CONFIG.argon2_time_cost
ARGON2_MEMORY_COST = CONFIG.argon2_memory_cost
ARGON2_PARALLELISM = 2

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Sign-in limits (accounts.throttle): password and code checks allowed in the window before a
# pause; a completed sign-in starts the account's count again. The strict limit is per account
# *and* network address; the account alone gets only a high ceiling, so that one machine cannot
# keep a known e-mail address paused. Pinned by tests/accounts/test_limits.py.
LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS = 5
LOGIN_FAILURES_PER_ACCOUNT = 50
LOGIN_FAILURES_PER_ADDRESS = 20
LOGIN_FAILURE_WINDOW_SECONDS = 15 * 60
# Wrong 6-digit codes after a right password, per account over a day: past this, codes are
# refused until a password reset (accounts.actions.check_second_factor).
SECOND_STEP_FAILURES_PER_ACCOUNT = 20
SECOND_STEP_FAILURE_WINDOW_SECONDS = 24 * 60 * 60
# Password-reset e-mails asked for, per address typed in and per network address.
PASSWORD_RESETS_PER_ACCOUNT = 3
PASSWORD_RESETS_PER_ADDRESS = 10
PASSWORD_RESET_WINDOW_SECONDS = 60 * 60

# Passkeys (WebAuthn): the relying party is the site's first named allowed host ("localhost" on
# loopback, where Chromium treats http as a secure context); see accounts/relying_party.py.
PASSKEY_RP_ID = relying_party_id(ALLOWED_HOSTS)

SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_AGE = 12 * 60 * 60
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "track2.site.views.csrf_failure"

# Served over HTTPS (usually behind a proxy): cookies only over TLS, HSTS, redirect.
SESSION_COOKIE_SECURE = CONFIG.https
CSRF_COOKIE_SECURE = CONFIG.https
SECURE_SSL_REDIRECT = CONFIG.https
SECURE_HSTS_SECONDS = 31536000 if CONFIG.https else 0
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if CONFIG.https else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Only our own static files may load; htmx's inline indicator styles are turned off in
# the base template so that style-src needs no 'unsafe-inline'.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "frame-ancestors 'none'; form-action 'self'"
)

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English")]
# Translations ship with the package (docs/translating.md), not in the data folder.
LOCALE_PATHS = [Path(__file__).resolve().parent / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = CONFIG.static_root or CONFIG.home / "static"
# Uploaded files kept by the site (backed up by `track2 backup`).
MEDIA_ROOT = CONFIG.home / "media"

# Argon2id cost of backup passphrases (libsodium's MODERATE: 3 passes, 256 MiB); tests lower it
# (STYLE.md §7), tests/operations/test_pouch.py asserts these production values.
BACKUP_KDF_OPSLIMIT = 3
BACKUP_KDF_MEMLIMIT = 256 * 1024 * 1024
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# Source maps (11 of the 19 MB of static files: the API explorer's) are fetched only by a
# developer's browser tools; pre-compressing them with Brotli took most of a start's 28 s.
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = (
    *Compressor.SKIP_COMPRESS_EXTENSIONS,
    "map",
)

DEFAULT_FROM_EMAIL = CONFIG.email_from
SERVER_EMAIL = CONFIG.email_from
for _name, _value in CONFIG.email.items():
    globals()[_name] = _value

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "filters": {"route_not_path": {"()": "track2.site.logs.RouteNotPath"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["route_not_path"],
        }
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "track2": {"level": "INFO"},
        # No line per request (an access trail, docs/security.md): 4xx answers are not logged at
        # all, and server errors name the route, never the path, which may hold a one-time secret.
        "django.request": {"level": "ERROR", "filters": ["route_not_path"]},
        "django.security.csrf": {"level": "ERROR", "filters": ["route_not_path"]},
        "uvicorn.access": {"handlers": [], "propagate": False},
    },
}
