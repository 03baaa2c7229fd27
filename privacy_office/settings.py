"""Settings for the privacy back-office.

The environment is read once, here, with django-environ. With no environment at all the
demo runs on SQLite under ``var/``, an embedded Celery broker (kombu's filesystem transport,
no server) and console e-mail. Production turns real services on with variables only
(a separate code path would go untested); bad configuration fails at start-up with a sentence saying what to set.
"""

import os
from pathlib import Path

import csp.constants as csp
import environ
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(environ.Env().str("PRIVACY_OFFICE_VAR_DIR", default=str(BASE_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=True)

# The mode the process was started in. Django's test runner turns DEBUG off while tests run, so
# what depends on the deployment (setup_demo's refusal, two-factor by default) reads this instead.
PRODUCTION_MODE = not DEBUG

_INSECURE_KEY = "django-insecure-demo-key-only-for-local-use-never-in-production"
SECRET_KEY = env.str("SECRET_KEY", default=_INSECURE_KEY if DEBUG else "")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"] if DEBUG else [])

# Keys that were published (the demo's, docker-compose's old default) or that say they are
# placeholders: anyone can sign sessions and password-reset tokens with them.
_PUBLISHED_KEYS = {
    _INSECURE_KEY,
    "change-me-change-me-change-me-change-me-change-me-0123456789",
    "build-only-collectstatic-key-000000000000000000000000",
}
_PLACEHOLDER_WORDS = (
    "change-me", "change_me", "changeme", "insecure", "placeholder", "replace-me", "replace_me",
    "your-secret", "secret-key-here", "dummy", "not-secret", "notsecret",
)


def _is_placeholder_key(key: str) -> bool:
    lowered = key.lower()
    return key in _PUBLISHED_KEYS or any(word in lowered for word in _PLACEHOLDER_WORDS) or len(set(key)) < 5


if not DEBUG:
    if not SECRET_KEY or len(SECRET_KEY) < 50:
        raise ImproperlyConfigured(
            "DJANGO_DEBUG=false needs a real SECRET_KEY: set SECRET_KEY to a random string of at "
            "least 50 characters (e.g. python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
    if _is_placeholder_key(SECRET_KEY):
        raise ImproperlyConfigured(
            "DJANGO_DEBUG=false needs a real SECRET_KEY: the one set is a published or placeholder key "
            "(it contains words like change-me, insecure or placeholder); set SECRET_KEY to a new random "
            "string (python -c 'import secrets; print(secrets.token_urlsafe(50))')."
        )
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured(
            "DJANGO_DEBUG=false needs ALLOWED_HOSTS: set it to the comma-separated host names the "
            "back-office is served under (e.g. ALLOWED_HOSTS=privacy.example.com)."
        )

SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000")

INSTALLED_APPS = [
    "privacy_office.apps.PrivacyAdminConfig",  # replaces django.contrib.admin: our site + dashboard
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "simple_history",
    "import_export",
    "axes",
    # Two-factor sign-in: authenticator apps (TOTP) and single-use recovery codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "csp",
    "privacy_office.apps.PrivacyOfficeConfig",
    "inventory_app",
    "requests_app",
    "breach_app",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    # The signed-in person's own language and time zone (staff profile), over the browser's.
    "privacy_office.preferences.StaffPreferencesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Where two-factor sign-in is required, a signed-in user without it reaches only enrollment.
    "privacy_office.middleware.TwoFactorRequiredMiddleware",
    "privacy_office.middleware.IdleSessionMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    # Axes must come last: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "privacy_office.urls"
WSGI_APPLICATION = "privacy_office.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
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
# Django's widget templates, with plain inputs written in Python (same HTML): long change pages.
FORM_RENDERER = "privacy_office.form_renderer.PlainInputRenderer"

# --- Database -------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The demo's web server, worker and beat share the file: wait for locks instead of failing.
    # IMMEDIATE transactions wait for the write lock (up to the timeout) instead of failing with
    # "database is locked" when a read transaction must become a write; WAL lets readers go on.
    DATABASES["default"].setdefault("OPTIONS", {}).update({
        "timeout": 20, "transaction_mode": "IMMEDIATE", "init_command": "PRAGMA journal_mode=WAL;",
    })
    # A file, not memory: the integration tests' Celery worker and beat processes must see it.
    # One file per test run, so parallel runs never share a database.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-db-{os.getpid()}.sqlite3")}
    # The covering index of the open cases' clock carries INCLUDE columns, a PostgreSQL plan
    # optimisation; SQLite keeps the index's key columns, which is all the demo needs.
    SILENCED_SYSTEM_CHECKS = ["models.W040"]
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
    # One test database per test run, so two runs on one server never collide.
    DATABASES["default"]["TEST"] = {"NAME": f"test_{DATABASES['default']['NAME']}_{os.getpid()}"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache (dashboard counts, estimated totals) ---------------------------------------------
REDIS_URL = env.str("REDIS_URL", default="")
# Every key carries CACHE_KEY_PREFIX, so several deployments (or test runs) can share one Redis
# database and each removes only its own keys.
CACHE_KEY_PREFIX = env.str("CACHE_KEY_PREFIX", default="po")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                          "KEY_PREFIX": CACHE_KEY_PREFIX}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "KEY_PREFIX": CACHE_KEY_PREFIX}}

# --- Auth and login hardening ---------------------------------------------------------------
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "privacy_office.auth_backends.CachedPermissionsBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # "staff2staff2", "Aqara12345": the user's own names or the company's, padded with digits.
    {"NAME": "privacy_office.passwords.NotBuiltFromNamesValidator", "OPTIONS": {"words": ["aqara", "lumi"]}},
]
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)  # hours
# Lock the account as used from that address: a stranger elsewhere cannot lock a colleague out.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "privacy_office/lockout.html"
AXES_VERBOSE = False
# The client's address, for the lockout: X-Forwarded-For is read only through the configured number
# of trusted proxies (the right-most entries, which the proxies append; a client can only prepend).
# With none (the default) it is ignored, so rotating the header never escapes the lockout.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
if TRUSTED_PROXY_COUNT < 0:
    raise ImproperlyConfigured("TRUSTED_PROXY_COUNT must be 0 (no proxy) or the number of proxies in front of the site.")
AXES_CLIENT_IP_CALLABLE = "privacy_office.middleware.client_ip"

# Two-factor sign-in (django-otp): required for every account in production, optional in the demo
# and the tests. Whoever has set up an authenticator is always asked for a code.
OTP_REQUIRED = env.bool("OTP_REQUIRED", default=PRODUCTION_MODE)
OTP_TOTP_ISSUER = env.str("OTP_TOTP_ISSUER", default="Aqara Privacy Office")
OTP_ADMIN_HIDE_SENSITIVE_DATA = True
TWO_FACTOR_RECOVERY_CODES = 10

# Sessions end after an idle hour and when the browser closes. They are read from the cache and
# kept in the database; the idle expiry moves on at most every 5 minutes (one write, not three
# queries a page: privacy_office.middleware.IdleSessionMiddleware).
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_AGE = env.int("SESSION_IDLE_SECONDS", default=3600)
SESSION_IDLE_RESOLUTION = 300
if SESSION_COOKIE_AGE < SESSION_IDLE_RESOLUTION:
    # The expiry moves on at most every SESSION_IDLE_RESOLUTION seconds: a shorter timeout would
    # end the sessions of people who are working.
    raise ImproperlyConfigured(
        f"SESSION_IDLE_SECONDS={SESSION_COOKIE_AGE} is too short: set it to at least "
        f"{SESSION_IDLE_RESOLUTION} (5 minutes); shorter timeouts sign out people who are working."
    )
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
LOGIN_URL = "admin:login"

# --- Production hardening (all on when DJANGO_DEBUG=false; `check --deploy` is clean) --------
# X-Forwarded-Proto says "https" only when a trusted proxy set it; from a client it means nothing.
if TRUSTED_PROXY_COUNT:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("DJANGO_SECURE_COOKIES", default=not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# Scripts only from our own static files (no inline script, no eval): an injected <script> or
# onclick does not run. Inline styles stay allowed: Django's own change list, import-export and
# simple-history templates carry style attributes, and a style cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [csp.SELF],
        "script-src": [csp.SELF],
        "style-src": [csp.SELF, csp.UNSAFE_INLINE],
        "img-src": [csp.SELF, "data:"],
        "font-src": [csp.SELF],
        "connect-src": [csp.SELF],
        "form-action": [csp.SELF],
        "frame-ancestors": [csp.NONE],
        "base-uri": [csp.NONE],
        "object-src": [csp.NONE],
    },
}
# The back-office needs no camera, microphone, location or any other device feature.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer", "autoplay", "bluetooth", "camera", "display-capture", "encrypted-media",
        "fullscreen", "gamepad", "geolocation", "gyroscope", "hid", "idle-detection", "magnetometer",
        "microphone", "midi", "payment", "picture-in-picture", "publickey-credentials-get",
        "screen-wake-lock", "serial", "usb", "web-share", "xr-spatial-tracking",
    )
}

# --- Language and time ----------------------------------------------------------------------
LANGUAGE_CODE = env.str("LANGUAGE_CODE", default="zh-hans")
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "privacy_office" / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- Static and files -----------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
PRIVATE_STORAGE_ROOT = Path(env.str("PRIVATE_STORAGE_ROOT", default=str(VAR_DIR / "private")))
STORAGES = {
    # Nothing the office uploads is public: identity documents go to "private", which has no URL
    # and is only ever streamed by a permission-checked, logged admin view.
    "default": {
        "BACKEND": "privacy_office.storage.PrivateFileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_STORAGE_ROOT)},
    },
    "private": {
        "BACKEND": "privacy_office.storage.PrivateFileSystemStorage",
        "OPTIONS": {"location": str(PRIVATE_STORAGE_ROOT)},
    },
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage",
    },
}
FILE_UPLOAD_PERMISSIONS = 0o600
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 10000

# --- E-mail ---------------------------------------------------------------------------------
vars().update(env.email_url("EMAIL_URL", default="consolemail://"))
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="privacy-office@aqara.example")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)

# --- Celery (JSON only, time limits set) ---------------------------------------------------------
# No broker configured: kombu's filesystem transport under var/, so the demo's worker and beat
# really run without a server. REDIS_URL or CELERY_BROKER_URL switches to Redis.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL or "filesystem://")
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = VAR_DIR / "celery" / "queue"
    _processed_dir = VAR_DIR / "celery" / "processed"
    _queue_dir.mkdir(parents=True, exist_ok=True)
    _processed_dir.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(_processed_dir),
        "control_folder": str(VAR_DIR / "celery" / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600}
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = 5 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 4 * 60
# A task is acknowledged after it ran, so a worker that dies mid-send leaves it on the queue.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")

# --- Reminders ------------------------------------------------------------------------------
REMINDER_FROM_EMAIL = env.str("REMINDER_FROM_EMAIL", default=DEFAULT_FROM_EMAIL)
# Days before a case's due date the assignee is reminded (plus on the day, and daily when overdue).
REMINDER_DAYS_BEFORE = env.list("REMINDER_DAYS_BEFORE", cast=int, default=[7, 3, 1])
# Chase a requester's identity proof after this many days without it.
REMINDER_IDENTITY_CHASER_DAYS = env.int("REMINDER_IDENTITY_CHASER_DAYS", default=5)
# Remind before the last day an extension notice can be sent, this many days ahead.
REMINDER_EXTENSION_DAYS_BEFORE = env.list("REMINDER_EXTENSION_DAYS_BEFORE", cast=int, default=[3, 1])
# Fractions (percent) of an obligation's window at which the owner and managers are reminded.
REMINDER_OBLIGATION_PERCENTS = env.list("REMINDER_OBLIGATION_PERCENTS", cast=int, default=[50, 75, 90])
# "Days" (e.g. "3 days before") are counted in this time zone; the morning hour reminders go out.
REMINDER_TIME_ZONE = env.str("REMINDER_TIME_ZONE", default=TIME_ZONE)
REMINDER_DAY_HOUR = env.int("REMINDER_DAY_HOUR", default=9)
# A day-based reminder whose moment passed while the system was down is still sent (marked late)
# for this many days; older ones (e.g. at first deployment) are not.
REMINDER_CATCH_UP_DAYS = env.int("REMINDER_CATCH_UP_DAYS", default=7)
# Weekly digests: day of week (0 = Monday) and hour, in REMINDER_TIME_ZONE.
REMINDER_DIGEST_WEEKDAY = env.int("REMINDER_DIGEST_WEEKDAY", default=0)
REMINDER_DIGEST_HOUR = env.int("REMINDER_DIGEST_HOUR", default=9)
# The sweep runs this often. The shortest clock is 1 h (CAC, CII operators): 90 % of it is 54 min,
# so a one-minute sweep catches every threshold within a minute.
REMINDER_SWEEP_SECONDS = env.float("REMINDER_SWEEP_SECONDS", default=60.0)

CELERY_BEAT_SCHEDULE: dict = {
    "reminders-sweep": {"task": "privacy_office.tasks.sweep_reminders", "schedule": REMINDER_SWEEP_SECONDS},
    # Identity documents past their retention are deleted (a record of them stays), hourly.
    "identity-documents-retention": {
        "task": "requests_app.tasks.delete_expired_identity_documents", "schedule": 3600.0,
    },
    # Large exports' files past their download period are deleted (the job stays, marked expired), hourly.
    "exports-purge": {"task": "privacy_office.tasks.purge_expired_exports", "schedule": 3600.0},
    # Public-form submissions whose e-mail address was never confirmed are deleted once expired, hourly.
    "public-form-expired": {"task": "requests_app.tasks.delete_expired_public_submissions", "schedule": 3600.0},
}

# --- The privacy mailbox (IMAP intake) and letters sent by e-mail -----------------------------
# MAILBOXES names the mailboxes to poll (e.g. "privacy"); each is read from MAILBOX_<NAME>_HOST,
# _PORT, _SECURITY (ssl | starttls | plain), _USER, _PASSWORD, _FOLDER, _ADDRESS (the office's
# address there) and _DONE_FLAG (the IMAP keyword set on a message once it is imported; "\\Seen"
# on a server without keywords). No mailbox: intake is off (the demo needs none).
def _mailboxes() -> dict:
    mailboxes = {}
    for name in env.list("MAILBOXES", default=[]):
        prefix = f"MAILBOX_{name.upper().replace('-', '_')}_"
        security = env.str(prefix + "SECURITY", default="ssl")
        if security not in ("ssl", "starttls", "plain"):
            raise ImproperlyConfigured(f"{prefix}SECURITY must be ssl, starttls or plain.")
        config = {
            "host": env.str(prefix + "HOST", default=""),
            "port": env.int(prefix + "PORT", default=993 if security == "ssl" else 143),
            "security": security,
            "user": env.str(prefix + "USER", default=""),
            "password": env.str(prefix + "PASSWORD", default=""),
            "folder": env.str(prefix + "FOLDER", default="INBOX"),
            "address": env.str(prefix + "ADDRESS", default=""),
            "done_flag": env.str(prefix + "DONE_FLAG", default="PrivacyOfficeImported"),
            "timeout": env.int(prefix + "TIMEOUT", default=30),
        }
        config["address"] = config["address"] or config["user"]
        missing = [key for key in ("host", "user", "password") if not config[key]]
        if missing:
            raise ImproperlyConfigured(
                f"Mailbox {name!r} is listed in MAILBOXES but has no " + ", ".join(prefix + k.upper() for k in missing) + "."
            )
        # A password in clear over the network: only on loopback, or to a host without a domain (a
        # service on the compose network, e.g. the demo's GreenMail "imap").
        if (security == "plain" and PRODUCTION_MODE and "." in config["host"]
                and config["host"] not in ("127.0.0.1", "::1")):
            raise ImproperlyConfigured(f"{prefix}SECURITY=plain sends the password in clear; use ssl or starttls.")
        mailboxes[name] = config
    return mailboxes


PRIVACY_MAILBOXES = _mailboxes()
MAILBOX_POLL_SECONDS = env.float("MAILBOX_POLL_SECONDS", default=60.0)
# A larger message is kept unread in the review queue (raw kept) instead of being filed.
MAILBOX_MAX_MESSAGE_BYTES = env.int("MAILBOX_MAX_MESSAGE_BYTES", default=40 * 1024 * 1024)
# Letters e-mailed from a case come from here (replies come back to the privacy mailbox).
LETTER_FROM_EMAIL = env.str(
    "LETTER_FROM_EMAIL",
    default=next((m["address"] for m in PRIVACY_MAILBOXES.values() if m["address"]), "") or DEFAULT_FROM_EMAIL,
)
if PRIVACY_MAILBOXES:
    CELERY_BEAT_SCHEDULE["mailbox-poll"] = {"task": "requests_app.tasks.poll_mailboxes", "schedule": MAILBOX_POLL_SECONDS}

# --- History and import/export --------------------------------------------------------------
SIMPLE_HISTORY_REVERT_DISABLED = True
# A reason is as long as the person needs (CharField(100) lost edits with a DataError).
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
SIMPLE_HISTORY_DATE_INDEX = "composite"
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "import"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "export"
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
IMPORT_EXPORT_TMP_STORAGE_CLASS = "import_export.tmp_storages.CacheStorage"
# Off: every export cell goes through privacy_office/spreadsheets.py instead. The library's escaping
# drops one "=" (so "==HYPERLINK(…)" survives), ignores + - @, and turns every number into text.
IMPORT_EXPORT_ESCAPE_FORMULAE_ON_EXPORT = False

# --- Limits on every input -----------------------------------------------------------------
# Identity documents: at most this size, and only these types, recognised by content (not name).
IDENTITY_DOCUMENT_MAX_BYTES = env.int("IDENTITY_DOCUMENT_MAX_BYTES", default=20 * 1024 * 1024)
IDENTITY_DOCUMENT_TYPES = ["application/pdf", "image/jpeg", "image/png", "image/heic", "image/webp"]
# Imports: the uploaded file, its rows, an XLSX's decompressed size (a zip bomb is refused before it
# is read) and one cell. Imports above IMPORT_BACKGROUND_ROWS rows run in a Celery task.
# The defaults admit the 100,000-row field spreadsheet of the issue with room to spare (7.7 MB as
# CSV, 51 MB unpacked as XLSX; ~450 MB and ~85 s per stage in a worker: bench_hostile_imports.py).
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=20 * 1024 * 1024)
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=100_000)
IMPORT_MAX_UNCOMPRESSED_BYTES = env.int("IMPORT_MAX_UNCOMPRESSED_BYTES", default=100 * 1024 * 1024)
IMPORT_MAX_CELL_CHARS = env.int("IMPORT_MAX_CELL_CHARS", default=10_000)
IMPORT_BACKGROUND_ROWS = env.int("IMPORT_BACKGROUND_ROWS", default=2_000)
# Exports: up to this many rows the file is streamed to the browser at once; more are written by
# the Celery worker to private storage, and the person who asked downloads it (link by e-mail and
# under "Exports") for EXPORT_DOWNLOAD_HOURS.
EXPORT_SYNC_MAX_ROWS = env.int("EXPORT_SYNC_MAX_ROWS", default=20_000)
EXPORT_DOWNLOAD_HOURS = env.int("EXPORT_DOWNLOAD_HOURS", default=72)
if EXPORT_SYNC_MAX_ROWS < 1 or EXPORT_DOWNLOAD_HOURS < 1:
    raise ImproperlyConfigured("EXPORT_SYNC_MAX_ROWS and EXPORT_DOWNLOAD_HOURS must be at least 1.")

# --- Domain settings ------------------------------------------------------------------------
# Identity documents are deleted this many days after verification or closure (data minimisation: they prove identity once).
IDENTITY_DOCUMENT_RETENTION_DAYS = env.int("IDENTITY_DOCUMENT_RETENTION_DAYS", default=30)
# An ended case keeps its requester's personal data this many days after closure; then a manager may
# erase it, leaving a tombstone (requests_app.erasure.dsar_erase_personal_data). Default 3 years (with
# a leap day): governance-cn 1.3, PIPL Art. 56(2) keeps processing records at least 3 years. Below
# 24 months is refused: CCPA regulations (11 CCR §7101(a)) keep request records that long.
CASE_RETENTION_DAYS = env.int("CASE_RETENTION_DAYS", default=1096)
if CASE_RETENTION_DAYS < 730:
    raise ImproperlyConfigured(
        "CASE_RETENTION_DAYS must be at least 730 (24 months, 11 CCR §7101(a)); the default is 1096 (3 years)."
    )

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # Never below INFO, whatever LOG_LEVEL says: at DEBUG these log SQL parameters and rejected
    # import values, i.e. record content (no record content in logs: errors name ids).
    "loggers": {"django.db.backends": {"level": "INFO"}, "import_export": {"level": "INFO"}},
}

# Most rows one bulk admin action (assigning cases) changes in one go: each is one transaction
# holding its rows' locks, and a larger selection ("select all 1,000,796") is refused with a message.
BULK_ACTION_MAX_ROWS = env.int("BULK_ACTION_MAX_ROWS", default=2000)
if BULK_ACTION_MAX_ROWS < 1:
    raise ImproperlyConfigured("BULK_ACTION_MAX_ROWS must be at least 1.")

# --- The public request form (/request/) ------------------------------------------------------
# The link that confirms the requester's e-mail address is valid this long; then the submission is
# deleted, unconfirmed. Submissions per address and per client address (TRUSTED_PROXY_COUNT) in a
# window; more are refused with HTTP 429. Files per submission (each as an identity document).
PUBLIC_FORM_CONFIRM_HOURS = env.int("PUBLIC_FORM_CONFIRM_HOURS", default=24)
PUBLIC_FORM_MAX_PER_EMAIL = env.int("PUBLIC_FORM_MAX_PER_EMAIL", default=5)
PUBLIC_FORM_MAX_PER_IP = env.int("PUBLIC_FORM_MAX_PER_IP", default=20)
PUBLIC_FORM_RATE_WINDOW_SECONDS = env.int("PUBLIC_FORM_RATE_WINDOW_SECONDS", default=3600)
PUBLIC_FORM_MAX_FILES = env.int("PUBLIC_FORM_MAX_FILES", default=5)
PUBLIC_FORM_FROM_EMAIL = env.str("PUBLIC_FORM_FROM_EMAIL", default=DEFAULT_FROM_EMAIL)
if min(PUBLIC_FORM_CONFIRM_HOURS, PUBLIC_FORM_MAX_PER_EMAIL, PUBLIC_FORM_MAX_PER_IP,
       PUBLIC_FORM_RATE_WINDOW_SECONDS, PUBLIC_FORM_MAX_FILES) < 1:
    raise ImproperlyConfigured(
        "PUBLIC_FORM_CONFIRM_HOURS, PUBLIC_FORM_MAX_PER_EMAIL, PUBLIC_FORM_MAX_PER_IP, "
        "PUBLIC_FORM_RATE_WINDOW_SECONDS and PUBLIC_FORM_MAX_FILES must each be at least 1."
    )
