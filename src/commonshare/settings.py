"""Django settings for Commonshare.

Everything that differs between machines comes from the environment:
``COMMONSHARE_DATA_DIR`` (where the SQLite database, uploads and the secret key
live), ``DATABASE_URL`` (PostgreSQL in production), ``COMMONSHARE_DEBUG`` and
``COMMONSHARE_ALLOWED_HOSTS``, ``COMMONSHARE_TRUSTED_PROXIES`` and
``COMMONSHARE_CACHE_URL``; mail from ``COMMONSHARE_EMAIL_*`` and
``COMMONSHARE_PUBLIC_URL`` (docs/deploy.md).
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from pathlib import Path

import dj_database_url

from commonshare.client_address import parse_trusted_proxies
from commonshare.paths import data_dir

DATA_DIR: Path = data_dir()
BASE_DIR = Path(__file__).resolve().parent


def _secret_key() -> str:
    if key := os.environ.get("COMMONSHARE_SECRET_KEY"):
        return key
    key_file = DATA_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("COMMONSHARE_DEBUG", "") == "1"
ALLOWED_HOSTS = os.environ.get("COMMONSHARE_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(
    ","
)

INSTALLED_APPS = [
    # No Django admin: nobody edits tables around the services, their rules and the audit trail.
    # The community app comes before django.contrib.auth so that its ``createsuperuser`` and
    # ``changepassword`` (which refuse, and say what to do instead) replace Django's.
    "commonshare.community",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    # django-ninja's app: /api/docs then serves Swagger UI from our own static files, not a CDN.
    "ninja",
    "commonshare.audit",
    "commonshare.work",
    "commonshare.books",
    "commonshare.governance",
    "commonshare.decisions",
    "commonshare.discussion",
    "commonshare.search",
    "commonshare.notifications",
    # the task queue (django-tasks, with its database backend): the worker sends mail
    "django_tasks",
    "django_tasks_db",
    "commonshare.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # a visitor's page, kept a few seconds for the next visitor (web/pagecache.py): stored
    # here, outside the middleware that adds the Vary headers its key follows ...
    "commonshare.web.pagecache.KeepVisitorPages",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # ... and served here, once the language is known, before the rest does any work
    "commonshare.web.pagecache.ServeVisitorPages",
    # a member's page, kept for their browser until anything changes (web/memberpages.py):
    # found by the session cookie before the session or the member is read
    "commonshare.web.memberpages.KeepMemberPages",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "commonshare.audit.middleware.ViaMiddleware",  # audit events say via: web / api
    "django.contrib.messages.middleware.MessageMiddleware",
    "commonshare.web.leavers.LeftMemberMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "commonshare.urls"
WSGI_APPLICATION = "commonshare.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "commonshare.web.context.community",
            ],
        },
    },
]

_sqlite_path = DATA_DIR / "commonshare.sqlite3"
# Each app thread keeps its connection for up to ten minutes (checked before reuse): a
# signed-in page served from the kept pages needs a few small queries, and opening a
# connection for each request cost more than they did.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{_sqlite_path}", conn_max_age=600, conn_health_checks=True
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while one writer commits; IMMEDIATE takes the write
    # lock at BEGIN so two writers queue instead of failing half-way.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    # A file, not memory, so that tests can hand the database to real subprocesses
    # (the crash-safety test kills a running `commonshare distribute`).
    DATABASES["default"]["TEST"] = {"NAME": str(DATA_DIR / "test-commonshare.sqlite3")}

# Derived data (the open books' running totals, keyed to the journal's head hash) lives
# where every app process, on this machine or another, sees it: in a table of the database
# (made by a migration: web/migrations/0001_shared_cache.py), or in Redis with
# COMMONSHARE_CACHE_URL=redis://... (then the `redis` package must be installed).
CACHE_TABLE = "commonshare_cache"


def _caches(url: str) -> dict[str, dict[str, object]]:
    if url.startswith(("redis://", "rediss://", "unix://")):
        redis: dict[str, object] = {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
        }
        return {"default": redis, "pages": {**redis, "KEY_PREFIX": "pages"}}
    if url:
        raise ValueError(
            f"COMMONSHARE_CACHE_URL: {url!r} is not a redis:// address; leave it unset to keep "
            "the cache in the database."
        )
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": CACHE_TABLE,
            # derived parts of pages; past this the oldest third is dropped
            "OPTIONS": {"MAX_ENTRIES": 5000},
        },
        # Visitors' pages, kept a few seconds (web/pagecache.py), stay in each process's
        # memory: a copy a few seconds old is right in any process, and keeping it in the
        # database would make every reader a writer (on SQLite, one writer at a time).
        "pages": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "commonshare-pages",
            "OPTIONS": {"MAX_ENTRIES": 2000},
        },
    }


CACHES = _caches(os.environ.get("COMMONSHARE_CACHE_URL", "").strip())


# Visitors' pages (not signed in) are kept this many seconds and served to the next visitor
# (web/pagecache.py); 0 turns that off. A signed-in member's page is kept for their own
# browser only until anything in the community changes, and at most
# COMMONSHARE_MEMBER_PAGE_SECONDS (web/memberpages.py).
def _seconds(name: str, default: int) -> int:
    given = os.environ.get(name, "").strip() or str(default)
    if not given.isdigit():
        raise ValueError(f"{name}: {given!r} is not a whole number of seconds (0 or more).")
    return int(given)


COMMONSHARE_PAGE_CACHE_SECONDS = _seconds("COMMONSHARE_PAGE_CACHE_SECONDS", 5)
COMMONSHARE_MEMBER_PAGE_SECONDS = _seconds("COMMONSHARE_MEMBER_PAGE_SECONDS", 60)

# The proxies (nginx) whose X-Forwarded-For is believed: addresses or networks, comma-separated.
# None by default: then every request's address is its direct peer's (commonshare.client_address).
COMMONSHARE_TRUSTED_PROXIES = parse_trusted_proxies(
    os.environ.get("COMMONSHARE_TRUSTED_PROXIES", "")
)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "community.Member"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # first: refuses a locked-out sign-in
    "django.contrib.auth.backends.ModelBackend",
]
# Password guessing (django-axes): after 10 wrong passwords for one email from one address,
# that email cannot sign in from that address for 15 minutes (by the pair, so that nobody can
# lock a member out from everywhere). A right password clears the count; no log of
# successful sign-ins is kept.
AXES_FAILURE_LIMIT = 10
AXES_COOLOFF_TIME = dt.timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_DISABLE_ACCESS_LOG = True
AXES_LOCKOUT_CALLABLE = "commonshare.community.lockout.locked_out"
# the name sign-ins use for the email (the login form's field, authenticate()'s keyword)
AXES_USERNAME_FORM_FIELD = "username"
AXES_USERNAME_CALLABLE = "commonshare.community.lockout.email_tried"
# the address counted is the client's, not a proxy's (COMMONSHARE_TRUSTED_PROXIES)
AXES_CLIENT_IP_CALLABLE = "commonshare.community.lockout.address_tried_from"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:home"

# The pages are written in English; the reader's variant of it (from Accept-Language) sets how
# dates and numbers read (commonshare.web.formatting): "1 December 2026" or "December 1, 2026".
LANGUAGE_CODE = "en-gb"
LANGUAGES = [("en-gb", "English (United Kingdom)"), ("en", "English (United States)")]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
# Static files are served by WhiteNoise from the apps; collectstatic is optional.
STATIC_ROOT = os.environ.get("COMMONSHARE_STATIC_ROOT") or None
# Heads published elsewhere (a file path or an http(s) URL of SEQ:HASH lines) that
# `books verify` checks when no --anchor is given (books/anchors.py).
COMMONSHARE_ANCHORS = os.environ.get("COMMONSHARE_ANCHORS", "")
MEDIA_URL = "/media/"
MEDIA_ROOT = DATA_DIR / "media"
# Upload limits: a request body (beside its files) of at most 10 MB, with at most
# 200 form fields and 10 files. Past them the API answers 413 {detail, field}.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 200
DATA_UPLOAD_MAX_NUMBER_FILES = 10
WHITENOISE_USE_FINDERS = True

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"

# Mail (verification and password-reset links). With COMMONSHARE_EMAIL_HOST set, mail goes
# through Django's SMTP backend; without it (the demo, a laptop) it is printed to the console.
EMAIL_HOST = os.environ.get("COMMONSHARE_EMAIL_HOST", "")
EMAIL_BACKEND = (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = int(os.environ.get("COMMONSHARE_EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("COMMONSHARE_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("COMMONSHARE_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("COMMONSHARE_EMAIL_TLS", "starttls") == "starttls"
EMAIL_USE_SSL = os.environ.get("COMMONSHARE_EMAIL_TLS", "starttls") == "ssl"
EMAIL_TIMEOUT = 20
DEFAULT_FROM_EMAIL = os.environ.get("COMMONSHARE_EMAIL_FROM", "Commonshare <noreply@localhost>")
# The address members reach the site at: the links in mail start with it.
COMMONSHARE_PUBLIC_URL = os.environ.get("COMMONSHARE_PUBLIC_URL", "http://127.0.0.1:8000")

# The largest avatar a member may upload, in bytes (2 MiB unless set).
AVATAR_MAX_BYTES = int(os.environ.get("COMMONSHARE_AVATAR_MAX_BYTES", str(2 * 1024 * 1024)))
# How long a mailed link works (verification and password reset), in seconds: three days.
PASSWORD_RESET_TIMEOUT = 3 * 24 * 3600

# Background work: django-tasks on its database backend, in the site's own database, so
# the queue needs nothing beside it. `commonshare worker` runs the queue (and the sweep,
# commonshare.worker); `commonshare serve` and `demo` start one worker themselves.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
