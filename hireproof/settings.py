"""Django settings: one file, every deployment choice from an environment variable.

| variable | default | meaning |
|---|---|---|
| HIREPROOF_DATA_DIR | ~/.local/share/hireproof | SQLite database, keys, uploaded files |
| DATABASE_URL | sqlite in the data folder | e.g. postgres://user:pass@host/db |
| SECRET_KEY | generated once into the data folder | Django's signing key |
| DEBUG | false | Django debug pages (never in production) |
| ALLOWED_HOSTS | localhost,127.0.0.1,[::1] | host names the server answers |
| EMAIL_URL | console | smtp://user:pass@host:port (smtps:// for TLS) |
| EMAIL_TIMEOUT_SECONDS | 15 | how long sending waits for the SMTP server before giving up |
| DEFAULT_FROM_EMAIL | hireproof@localhost | sender of invitations and notices |
| HIREPROOF_AUDIT_SIGNING_KEY | DATA_DIR/keys/audit-signing.key | Ed25519 checkpoint key file |
| HIREPROOF_KEK | DATA_DIR/keys/kek.key | key-encryption key (outside DATA_DIR in production) |
| HIREPROOF_CHECKPOINT_EVERY | 100 | sign a checkpoint once this many events wait for one ... |
| HIREPROOF_CHECKPOINT_SECONDS | 5 | ... and every event within this many seconds of its recording |
| HIREPROOF_LOG_ORIGIN | hireproof.local/audit | the log's name in its checkpoints |
| HIREPROOF_READY_CHECKPOINT_SECONDS | 60 | /readyz fails once a leaf waits this long unsigned |
| HIREPROOF_WITNESSES | (none) | comma-separated URL=VKEY pairs: witnesses sent each checkpoint |
| HIREPROOF_TASK_WORKERS | 2 | tasks each `hireproof worker` runs at once (one process each) |
| HIREPROOF_TASK_TIMEOUT_SECONDS | 120 | a task running longer is stopped, and tried again later |
| HIREPROOF_TASK_LEASE_SECONDS | 150 | a task whose worker died goes to another after this |
| HIREPROOF_TASK_POLL_SECONDS | 0.2 | how often an idle worker looks for a new task |
| HIREPROOF_TASKS_SYNC | false | run each task at once where it is queued (the tests) |
| HIREPROOF_ADMIN_EMAIL | admin@localhost | first administrator `hireproof serve` creates |
| SECURE_COOKIES | false | true when the site is served over HTTPS: cookies never go over HTTP |
| SESSION_SECONDS | 28800 | a staff session's longest life (also ends when the browser closes) |
| SIGN_IN_THROTTLE_FAILURES | 5 | failed sign-ins that lock one (account, address) pair ... |
| SIGN_IN_THROTTLE_CLIENT_FAILURES | 50 | ... or one address, whatever the accounts |
| SIGN_IN_THROTTLE_WINDOW_SECONDS | 900 | ... when they fall within this window |
| SIGN_IN_THROTTLE_LOCK_SECONDS | 900 | how long the lock lasts after the last failure |
| PASSWORD_RESET_THROTTLE_REQUESTS | 3 | reset emails one address is sent ... |
| PASSWORD_RESET_THROTTLE_CLIENT_REQUESTS | 20 | ... and reset requests one client makes ... |
| PASSWORD_RESET_THROTTLE_WINDOW_SECONDS | 3600 | ... within this window (then: no email) |
| SECURE_HSTS_SECONDS | 31536000 with SECURE_COOKIES, else 0 | HSTS max-age on HTTPS responses |
| SECURE_SSL_REDIRECT | SECURE_COOKIES | redirect plain HTTP to HTTPS (except /healthz) |
| SECURE_PROXY_SSL_HEADER | (none) | e.g. X-Forwarded-Proto: a header that says HTTPS (proxy-set) |
| HIREPROOF_API_RATE_LIMIT | 600 | requests one API key may make per window ... |
| HIREPROOF_API_WINDOW_SECONDS | 60 | ... of this many seconds (then 429 with Retry-After) |
| HIREPROOF_SITE_URL | http://localhost:8000 | the site's address, for the links webhooks carry |
| HIREPROOF_OUTBOUND_ALLOW_PRIVATE | false | outbound calls may reach private, loopback addresses |
| HIREPROOF_WEBHOOK_SECRET_OVERLAP_HOURS | 24 | a rotated secret still signs this long |
| HIREPROOF_WEBHOOK_PAUSE_AFTER_HOURS | 24 | an endpoint failing every try this long is paused |
| HIREPROOF_REPORT_LINK_DAYS | 90 | how long a signed report link given to an ATS opens the report |
| LOG_LEVEL | INFO | the least severe log records written (a line per request is INFO) |
| LOG_FORMAT | text | `json`: one JSON object per line (time, level, logger, message, request) |
"""

from __future__ import annotations

import secrets
from pathlib import Path
from urllib.parse import unquote, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from hireproof.core.audit import parse_witness_vkey
from hireproof.core.errors import HireproofError
from hireproof.platform.env import env_bool, env_float, env_int, env_list, env_path, env_str

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = env_path("HIREPROOF_DATA_DIR", Path.home() / ".local" / "share" / "hireproof")
# 0700: the folder holds the database and, by default, the keys. An existing folder keeps its
# mode; every process that serves or writes refuses one open to other users
# (hireproof.audit.startup).
DATA_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)


def _secret_key() -> str:
    configured = env_str("SECRET_KEY", "")
    if configured:
        return configured
    key_file = DATA_DIR / "secret-key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # The product's parts, in layer order (see docs/architecture.md). They come first so that
    # their templates (the sign-in and password pages) take precedence over Django's own.
    "hireproof.platform",
    "hireproof.audit",
    "hireproof.accounts",
    "hireproof.hiring",
    "hireproof.views",
    "django_q",  # the task queue (hireproof.platform.tasks is the only module that imports it)
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    # django-ninja's templates and static files: the API's docs page, served from this site.
    "ninja",
]

MIDDLEWARE = [
    # One log line per request, with the status the client gets, whoever answered.
    "hireproof.platform.logs.RequestLogMiddleware",
    # The security headers first: every response, the error pages the middleware below answer
    # themselves included (a bad Host, malformed input, a method not allowed), carries them.
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Before anything reads a parameter or a form (the CSRF check does): text that is not
    # UTF-8, or holds NUL, is refused with 400 naming the field, never stored mangled.
    "hireproof.platform.middleware.RefuseMalformedInputMiddleware",
    "hireproof.platform.middleware.ErrorPageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

ROOT_URLCONF = "hireproof.urls"
WSGI_APPLICATION = "hireproof.wsgi.application"

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
                "hireproof.views.navigation.navigation",
            ],
        },
    }
]


def _database() -> dict[str, object]:
    url = env_str("DATABASE_URL", "")
    if not url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "hireproof.sqlite3",
            # IMMEDIATE: a writing transaction takes the write lock when it begins, so the
            # audit log's single writer never meets "database is locked" halfway through.
            "OPTIONS": {
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
                # secure_delete: SQLite overwrites deleted content with zeros, so an erased
                # candidate's rows do not linger in free pages of the file (nor in the WAL
                # after the checkpoint every erasure runs).
                "init_command": (
                    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA secure_delete=ON;"
                ),
            },
        }
    try:
        config: dict[str, object] = dict(dj_database_url.parse(url, conn_max_age=60))
    except ValueError as error:
        raise ImproperlyConfigured(f"DATABASE_URL: {error}") from None
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_AGE = env_int("SESSION_SECONDS", 8 * 3600, minimum=60)
# Sessions also end when the browser closes: staff pages show candidates' personal data and
# are often opened on shared machines. SESSION_COOKIE_AGE still caps a session on the server,
# which matters because browsers that "restore tabs" may keep session cookies alive.
SESSION_EXPIRE_AT_BROWSER_CLOSE = True

AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:sign_in"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "accounts:sign_in"
# Failed sign-ins: this many within the window lock (account, client address) for the lock
# time; CLIENT_FAILURES does the same for one address whatever the accounts it tries.
SIGN_IN_THROTTLE_FAILURES = env_int("SIGN_IN_THROTTLE_FAILURES", 5, minimum=1)
SIGN_IN_THROTTLE_CLIENT_FAILURES = env_int("SIGN_IN_THROTTLE_CLIENT_FAILURES", 50, minimum=1)
SIGN_IN_THROTTLE_WINDOW_SECONDS = env_int("SIGN_IN_THROTTLE_WINDOW_SECONDS", 15 * 60, minimum=1)
SIGN_IN_THROTTLE_LOCK_SECONDS = env_int("SIGN_IN_THROTTLE_LOCK_SECONDS", 15 * 60, minimum=1)
# Password-reset requests: this many for one address, or CLIENT_REQUESTS from one client
# address, within the window; past either the page answers the same and sends nothing.
PASSWORD_RESET_THROTTLE_REQUESTS = env_int("PASSWORD_RESET_THROTTLE_REQUESTS", 3, minimum=1)
PASSWORD_RESET_THROTTLE_CLIENT_REQUESTS = env_int(
    "PASSWORD_RESET_THROTTLE_CLIENT_REQUESTS", 20, minimum=1
)
PASSWORD_RESET_THROTTLE_WINDOW_SECONDS = env_int(
    "PASSWORD_RESET_THROTTLE_WINDOW_SECONDS", 60 * 60, minimum=1
)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
# Served over HTTPS (directly, or through `hireproof serve --trusted-proxy`): the browser then
# never sends the session or CSRF cookie over plain HTTP, where anyone on the way could read it.
# Off by default because `make run` serves plain HTTP on localhost, where such cookies are lost.
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)

# Production: served over HTTPS, or without debug pages to a host other than this machine.
# Every process that serves or writes then refuses a KEK kept inside the data folder (and only
# `hireproof serve` and the WSGI server warn otherwise).
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]", "::1", "testserver"})
HIREPROOF_PRODUCTION = SESSION_COOKIE_SECURE or (
    not DEBUG and any(host not in LOCAL_HOSTS for host in ALLOWED_HOSTS)
)

# --- security headers and HTTPS ---------------------------------------------------------------
# Content-Security-Policy (django-csp): scripts, styles, images and requests from this site
# only; no inline script or style (htmx's own indicator style is off: the base layout's
# htmx-config meta tag), no plugins, no framing, forms posted only here.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'none'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "manifest-src": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'none'"],
        "object-src": ["'none'"],
    }
}
# HSTS is sent only on HTTPS responses (SecurityMiddleware); on by default when the site says
# it is served over HTTPS (SECURE_COOKIES). Subdomains are left out: the site may share a
# domain with others it does not speak for.
SECURE_HSTS_SECONDS = env_int(
    "SECURE_HSTS_SECONDS", 365 * 24 * 3600 if SESSION_COOKIE_SECURE else 0, minimum=0
)
# A site served over HTTPS (SECURE_COOKIES) sends plain HTTP requests there too, except the
# health checks, which load balancers and monitors ask over plain HTTP from inside.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", SESSION_COOKIE_SECURE)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
# Honoured only when configured: a header a client sets itself would otherwise claim HTTPS.
# (`hireproof serve --trusted-proxy` has waitress read X-Forwarded-Proto from that proxy only.)
_PROXY_SSL_HEADER = env_str("SECURE_PROXY_SSL_HEADER", "")
if _PROXY_SSL_HEADER:
    SECURE_PROXY_SSL_HEADER = (
        "HTTP_" + _PROXY_SSL_HEADER.upper().replace("-", "_"),
        "https",
    )
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = False
USE_TZ = True

# Request bodies. Django reads at most DATA_UPLOAD_MAX_MEMORY_SIZE of form fields (its default,
# 2.5 MB: the questions page posts every answer at once, up to 10,000 characters each) and the
# largest file a form takes is 1 MB (a playbook, a CSV file of candidates). `hireproof serve`
# has waitress refuse (413) any body longer than MAX_REQUEST_BODY_BYTES before reading it:
# the largest legitimate request and room for its multipart framing, not waitress' own 1 GB.
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
MAX_REQUEST_BODY_BYTES = DATA_UPLOAD_MAX_MEMORY_SIZE + 64 * 1024

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
# Nothing is served from MEDIA_ROOT today (no view stores uploads as files), but the setting
# decides what a development or test server's media handler claims: unset, it claims every
# path and serves files from the working directory, the checkout itself. Media lives under the
# data folder, never beside the code.
MEDIA_URL = "media/"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}


def _email() -> dict[str, object]:
    url = env_str("EMAIL_URL", "console")
    if url == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    parts = urlsplit(url)
    if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
        raise ImproperlyConfigured(
            f"EMAIL_URL={url!r}: expected 'console' or smtp://user:password@host:port"
        )
    try:
        port = parts.port  # urlsplit checks the port only when it is read
    except ValueError:
        raise ImproperlyConfigured(
            f"EMAIL_URL={url!r}: the port must be a number from 1 to 65535"
        ) from None
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parts.hostname,
        "EMAIL_PORT": port or (465 if parts.scheme == "smtps" else 587),
        "EMAIL_HOST_USER": unquote(parts.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
        "EMAIL_USE_SSL": parts.scheme == "smtps",
        "EMAIL_USE_TLS": parts.scheme == "smtp" and port != 25,
        # An unreachable mail server must fail a try in seconds (the outbox's task is tried
        # again later; a password-reset email, sent inside its request, fails that request),
        # not hold a worker or a server thread for the system's minutes-long TCP timeout.
        "EMAIL_TIMEOUT": env_int("EMAIL_TIMEOUT_SECONDS", 15, minimum=1),
    }


globals().update(_email())
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "hireproof@localhost")

KEYS_DIR = DATA_DIR / "keys"
HIREPROOF_AUDIT_SIGNING_KEY = env_path(
    "HIREPROOF_AUDIT_SIGNING_KEY", KEYS_DIR / "audit-signing.key"
)
HIREPROOF_KEK = env_path("HIREPROOF_KEK", KEYS_DIR / "kek.key")
HIREPROOF_CHECKPOINT_EVERY = env_int("HIREPROOF_CHECKPOINT_EVERY", 100, minimum=1)
HIREPROOF_CHECKPOINT_SECONDS = env_int("HIREPROOF_CHECKPOINT_SECONDS", 5, minimum=1)
HIREPROOF_LOG_ORIGIN = env_str("HIREPROOF_LOG_ORIGIN", "hireproof.local/audit")
# /readyz fails while an audit leaf has waited longer than this for a signed checkpoint.
HIREPROOF_READY_CHECKPOINT_SECONDS = env_int("HIREPROOF_READY_CHECKPOINT_SECONDS", 60, minimum=1)


def _witnesses() -> list[tuple[str, str]]:
    """``URL=VKEY`` pairs: each witness's address (the prefix of its ``/add-checkpoint``) and
    its cosignature vkey. The URL ends at the first ``=``; a vkey never holds a comma."""
    witnesses = []
    for pair in env_list("HIREPROOF_WITNESSES", []):
        url, _, vkey = pair.partition("=")
        url, vkey = url.strip().rstrip("/"), vkey.strip()
        if not url.startswith(("http://", "https://")) or not vkey:
            raise ImproperlyConfigured(
                f"HIREPROOF_WITNESSES: {pair!r} is not URL=VKEY with an http(s) URL"
            )
        try:
            parse_witness_vkey(vkey)
        except HireproofError as error:
            raise ImproperlyConfigured(f"HIREPROOF_WITNESSES: {url}: {error}") from None
        witnesses.append((url, vkey))
    return witnesses


HIREPROOF_WITNESSES = _witnesses()

# --- background work: Django-Q2 on its ORM broker (hireproof.platform.tasks) --------------------
# The queue is a table of this database: a task enqueued inside an action's transaction is seen
# by the workers only once that transaction commits, and never if it rolls back.
HIREPROOF_TASK_TIMEOUT_SECONDS = env_int("HIREPROOF_TASK_TIMEOUT_SECONDS", 120, minimum=1)
HIREPROOF_TASK_LEASE_SECONDS = env_int("HIREPROOF_TASK_LEASE_SECONDS", 150, minimum=2)
if HIREPROOF_TASK_LEASE_SECONDS <= HIREPROOF_TASK_TIMEOUT_SECONDS:
    raise ImproperlyConfigured(
        f"HIREPROOF_TASK_LEASE_SECONDS={HIREPROOF_TASK_LEASE_SECONDS} must be more than"
        f" HIREPROOF_TASK_TIMEOUT_SECONDS={HIREPROOF_TASK_TIMEOUT_SECONDS}: a task still running"
        " would be given to a second worker"
    )
HIREPROOF_TASKS_SYNC = env_bool("HIREPROOF_TASKS_SYNC", False)
Q_CLUSTER = {
    "name": "hireproof",
    "orm": "default",
    "workers": env_int("HIREPROOF_TASK_WORKERS", 2, minimum=1),
    "timeout": HIREPROOF_TASK_TIMEOUT_SECONDS,
    # The lease: a task taken and not acknowledged by then (its worker was killed) is delivered
    # again. Failures are acknowledged: hireproof.platform.tasks schedules each retry itself,
    # with a growing delay, and keeps a task that keeps failing for administrators to see.
    "retry": HIREPROOF_TASK_LEASE_SECONDS,
    "ack_failures": True,
    "poll": env_float("HIREPROOF_TASK_POLL_SECONDS", 0.2, minimum=0.01),
    "sync": HIREPROOF_TASKS_SYNC,
    # A periodic job whose worker was down for an hour runs once when it is back, not 60 times.
    "catch_up": False,
    "save_limit": 200,  # successful tasks kept (the newest); failures are kept until cleared
    "label": "Background work",
}


LOG_FORMAT = env_str("LOG_FORMAT", "text")
if LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured(f"LOG_FORMAT={LOG_FORMAT!r}: expected 'text' or 'json'")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # A candidate's link is their credential: no log line carries its token.
    "filters": {"candidate_tokens": {"()": "hireproof.platform.logs.RedactCandidateTokens"}},
    # LOG_FORMAT=json: one JSON object per line (time, level, logger, message, request fields).
    "formatters": {"json": {"()": "hireproof.platform.logs.JsonFormatter"}},
    "handlers": {
        "console": {
            "()": "hireproof.platform.logs.StderrHandler",
            "filters": ["candidate_tokens"],
            **({"formatter": "json"} if LOG_FORMAT == "json" else {}),
        },
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # Django's own loggers write through the same handler (its default ones have no filter).
    "loggers": {
        "django": {"handlers": [], "propagate": True},
        "django.server": {"handlers": ["console"], "propagate": False},
        # The queue logs every task it enqueues and runs at INFO: only its problems are shown.
        # hireproof.platform.tasks logs each failure of a task, with what happens next.
        "django-q": {"level": "WARNING"},
    },
}

# --- the REST API -----------------------------------------------------------------------------
# Requests each API key may make per window (a fixed window, counted in the database so every
# server process shares the count); over it, 429 with Retry-After.
HIREPROOF_API_RATE_LIMIT = env_int("HIREPROOF_API_RATE_LIMIT", 600, minimum=1)
HIREPROOF_API_WINDOW_SECONDS = env_int("HIREPROOF_API_WINDOW_SECONDS", 60, minimum=1)

# --- webhooks and every outbound call -----------------------------------------------------------
# The site's address as receivers should follow the links a webhook carries.
HIREPROOF_SITE_URL = env_str("HIREPROOF_SITE_URL", "http://localhost:8000").rstrip("/")
if urlsplit(HIREPROOF_SITE_URL).scheme not in ("http", "https"):
    raise ImproperlyConfigured(
        f"HIREPROOF_SITE_URL={HIREPROOF_SITE_URL!r} is not an http(s) address"
    )
# Outbound calls refuse loopback, private and link-local addresses unless this is true (a
# receiver on the operator's own network): hireproof.platform.outbound.
HIREPROOF_OUTBOUND_ALLOW_PRIVATE = env_bool("HIREPROOF_OUTBOUND_ALLOW_PRIVATE", False)
HIREPROOF_WEBHOOK_SECRET_OVERLAP_HOURS = env_int(
    "HIREPROOF_WEBHOOK_SECRET_OVERLAP_HOURS", 24, minimum=0
)
HIREPROOF_WEBHOOK_PAUSE_AFTER_HOURS = env_int("HIREPROOF_WEBHOOK_PAUSE_AFTER_HOURS", 24, minimum=1)
# The signed, read-only report links given to applicant tracking systems open this many days
# after they were issued (hireproof.hiring.ats.links).
HIREPROOF_REPORT_LINK_DAYS = env_int("HIREPROOF_REPORT_LINK_DAYS", 90, minimum=1)
