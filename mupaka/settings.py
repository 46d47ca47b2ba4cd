"""Django settings for Mupaka.

Everything that differs between machines comes from the environment:

- ``DATABASE_URL``: defaults to an SQLite file under ``var/`` (WAL mode).
- ``MUPAKA_SECRET_KEY``: defaults to a random key kept in ``var/secret_key``.
- ``MUPAKA_ALLOWED_HOSTS``: comma separated, defaults to ``127.0.0.1,localhost``.
- ``MUPAKA_DEBUG``: ``1`` to turn debug on; off by default.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("MUPAKA_VAR_DIR", BASE_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    key = os.environ.get("MUPAKA_SECRET_KEY")
    if key:
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = os.environ.get("MUPAKA_DEBUG", "0") == "1"
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("MUPAKA_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("MUPAKA_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_htmx",
    "mupaka.core",
    "mupaka.members",
    "mupaka.ledger",
    "mupaka.loans",
    "mupaka.savings",
    "mupaka.shares",
    "mupaka.tellers",
    "mupaka.cob",
    "mupaka.reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "mupaka.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "mupaka.core.middleware.ErrorPageMiddleware",
]

ROOT_URLCONF = "mupaka.urls"
WSGI_APPLICATION = "mupaka.wsgi.application"

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
                "mupaka.core.context_processors.mupaka",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{VAR_DIR / 'mupaka.sqlite3'}"),
        conn_max_age=int(os.environ.get("MUPAKA_CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = {
        # WAL lets readers go on while a teller posts; IMMEDIATE takes the write
        # lock at BEGIN so two writers queue instead of failing on upgrade.
        # synchronous=FULL: a committed teller operation survives a power cut
        # (frequent where Mupaka runs); NORMAL is faster but may lose the last
        # commits. MUPAKA_SQLITE_SYNCHRONOUS overrides it.
        "init_command": (
            "PRAGMA journal_mode=WAL; "
            f"PRAGMA synchronous={os.environ.get('MUPAKA_SQLITE_SYNCHRONOUS', 'FULL')}; "
            "PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000; PRAGMA temp_store=MEMORY;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# Group commit (mupaka/core/commit_group.py): counter operations arriving together
# share one commit, so one disk flush. On by default on SQLite (one writer at a time);
# off on PostgreSQL, where transactions commit side by side.
GROUP_COMMIT = os.environ.get(
    "MUPAKA_GROUP_COMMIT",
    "on" if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3" else "off",
).lower() in ("on", "1", "true", "yes")
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Auth -----------------------------------------------------------------
AUTH_USER_MODEL = "core.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lockout after repeated failures (django-axes).
AXES_FAILURE_LIMIT = int(os.environ.get("MUPAKA_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.5  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# Sessions: a shared counter computer must not stay logged in.
SESSION_COOKIE_AGE = int(os.environ.get("MUPAKA_SESSION_SECONDS", str(30 * 60)))
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = os.environ.get("MUPAKA_SECURE_COOKIES", "0") == "1"
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True

# --- I18N -----------------------------------------------------------------
LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", _("French")), ("en", _("English"))]
# Languages for messages to members (SMS/USSD); staff screens use LANGUAGES.
MEMBER_LANGUAGES = [
    ("fr", _("French")),
    ("sw", _("Swahili")),
    ("rw", _("Kinyarwanda")),
    ("rn", _("Kirundi")),
    ("en", _("English")),
]
LOCALE_PATHS = [BASE_DIR / "mupaka" / "locale"]
TIME_ZONE = os.environ.get("MUPAKA_TIME_ZONE", "Africa/Lubumbashi")
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "mupaka_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600

# --- Static ---------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
TESTING = os.environ.get("MUPAKA_TESTING") == "1" or "pytest" in sys.modules
if TESTING:
    STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
        # A file, like production (WAL, IMMEDIATE transactions): concurrency tests
        # with real parallel connections run on SQLite too, which the in-memory
        # test database (one writer, table locks) cannot do.
        # One file per test run (the tag is inherited by xdist workers and child
        # processes): two runs in the same checkout never share a database.
        tag = os.environ.setdefault("MUPAKA_TEST_DB_TAG", str(os.getpid()))
        DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-mupaka-{tag}.sqlite3")}
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *PASSWORD_HASHERS]

# --- API ------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "mupaka.core.api.exception_handler",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Mupaka API",
    "DESCRIPTION": "JSON API of Mupaka for channels (USSD, SMS, mobile money) and integrations.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # several APIs have a "channel" with their own choices: one named enum each
    "ENUM_NAME_OVERRIDES": {
        "LoanChannelEnum": "mupaka.loans.models.Channel",
        "SavingsOpeningChannelEnum": ["cash", "transfer"],
        "SavingsDepositChannelEnum": ["cash", "bank"],
        "SharesChannelEnum": ["cash", "savings"],
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("MUPAKA_LOG_LEVEL", "WARNING")},
}
