"""DealerSales settings: one file, configured from the environment.

Every value comes from an environment variable with a default that lets a new
machine run with nothing installed (SQLite under var/, an embedded Celery broker,
a generated secret key). A malformed value stops start-up with a message that
names the variable. The README lists every variable.
"""

import os
import secrets
import zoneinfo
from datetime import timedelta
from pathlib import Path
from typing import Any

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    """Only true/false (and 1/0, yes/no) are accepted, so a typo never flips a switch."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off"):
        return False
    raise ImproperlyConfigured(f"{name}={raw!r} is not a boolean: use true or false.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name}={raw!r} is not a whole number.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def secret_key() -> str:
    """SECRET_KEY from the environment, else one generated once and kept in var/."""
    key = os.environ.get("SECRET_KEY")
    if key:
        if len(key) < 50:
            raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters long.")
        return key
    path = VAR_DIR / "secret_key"
    if not path.exists():
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


def database(url: str) -> Any:
    try:
        config = dj_database_url.parse(url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))
    except Exception as exc:  # the library raises several kinds; all mean a bad URL
        raise ImproperlyConfigured(f"DATABASE_URL={url!r} is not a database URL: {exc}") from None
    if not config.get("ENGINE"):
        raise ImproperlyConfigured(f"DATABASE_URL={url!r} names no known database engine.")
    config["ATOMIC_REQUESTS"] = False
    if config["ENGINE"] == "django.db.backends.postgresql":
        # JIT compiles the plan of a big query, and the portal's queries are short
        # ones read by index: at a dealer group's size it cost 32 ms of a 75 ms query
        # and over a second of the scorecards (issue 13). Off for the app's sessions.
        options = config.setdefault("OPTIONS", {})
        options["options"] = (options.get("options", "") + " -c jit=off").strip()
    return config


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = secret_key()
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

# HTTPS=true in production: redirect to https, secure cookies, HSTS.
HTTPS = env_bool("HTTPS", False)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = env_int("HSTS_SECONDS", 31536000 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
if env_bool("BEHIND_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "django_filters",
    "crispy_forms",
    "crispy_bootstrap5",
    "simple_history",
    "axes",
    "csp",
    # DealerSales apps, in the order records flow (DESIGN.md): an app imports
    # only from the apps listed above it.
    "apps.org",
    "apps.notifications",
    "apps.catalog",
    "apps.customers",
    "apps.stock",
    "apps.sales",
    "apps.activities",
    "apps.appointments",
    "apps.training",
    "apps.plans",
    "apps.scoring",
    "apps.incentives",
    "apps.aftersales",
    "apps.escalations",
    "apps.dashboard",
]

MIDDLEWARE = [
    "apps.org.middleware.HealthCheckMiddleware",  # first: before the host check and HTTPS redirect
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "apps.org.middleware.RejectNulMiddleware",
    "apps.org.middleware.BadInputMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "apps.org.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Content-Security-Policy (CONTENT_SECURITY_POLICY below) and Permissions-Policy.
    "csp.middleware.CSPMiddleware",
    "apps.org.middleware.PermissionsPolicyMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "apps.org.login_guard.LoginThrottleMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its response.
    "axes.middleware.AxesMiddleware",
]

# Scripts only from this site's own files: no inline <script>, no on...= handlers,
# no eval (templates put data in json_script blocks and data- attributes instead).
# Styles keep 'unsafe-inline': templates and Swagger UI still carry style
# attributes and a <style> block, which cannot run code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Browser features the portal never uses are switched off for every page.
PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), "
    "magnetometer=(), microphone=(), midi=(), payment=(), usb=()"
)

ROOT_URLCONF = "dealersales.urls"
WSGI_APPLICATION = "dealersales.wsgi.application"
ASGI_APPLICATION = "dealersales.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "apps.org.context_processors.navigation",
                "apps.notifications.context_processors.bell",
                "apps.org.context_processors.jobs_delayed",
            ],
        },
    },
]

DATABASES = {"default": database(env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'dealersales.sqlite3'}"))}
# A read replica (streaming replication of the primary) for the heavy report reads:
# apps/org/replica.py says which reads go there and why the rest never do.
if env_str("DATABASE_REPLICA_URL", ""):
    DATABASES["replica"] = database(env_str("DATABASE_REPLICA_URL", ""))
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["apps.org.replica.ReportReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "org.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
AUTHENTICATION_BACKENDS = [
    # Refuses a locked-out username before its password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Login protection (apps/org/login_guard.py): a username is locked after
# LOGIN_FAILURE_LIMIT wrong passwords for LOGIN_COOLOFF_MINUTES; never an address.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
if not 1 <= AXES_FAILURE_LIMIT <= 10:
    raise ImproperlyConfigured("LOGIN_FAILURE_LIMIT must be between 1 and 10.")
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "apps.org.login_guard.lockout_response"
AXES_VERBOSE = False
# axes warns when addresses are not locked; here they must not be (a shared office
# address), and login_guard throttles an address that sprays usernames instead.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
# An address that failed for this many usernames within the window is throttled to
# one attempt every LOGIN_THROTTLE_SECONDS.
LOGIN_THROTTLE_USERNAMES = env_int("LOGIN_THROTTLE_USERNAMES", 10)
LOGIN_THROTTLE_WINDOW = 15 * 60
LOGIN_THROTTLE_SECONDS = env_int("LOGIN_THROTTLE_SECONDS", 10)
# API tokens expire after this many days, and die with a password change or deactivation.
TOKEN_TTL_DAYS = env_int("TOKEN_TTL_DAYS", 30)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Text: English source strings with a complete Simplified Chinese translation.
LANGUAGE_CODE = env_str("LANGUAGE_CODE", "en")
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
if LANGUAGE_CODE not in dict(LANGUAGES):
    raise ImproperlyConfigured(f"LANGUAGE_CODE={LANGUAGE_CODE!r}: use one of en, zh-hans.")
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True

TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
if TIME_ZONE not in zoneinfo.available_timezones():
    raise ImproperlyConfigured(f"TIME_ZONE={TIME_ZONE!r} is not an IANA time zone.")
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
# Front-end libraries come from npm (package.json) at install time.
NODE_MODULES = BASE_DIR / "node_modules"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/chart.js", NODE_MODULES / "chart.js" / "dist"),
    ("vendor/swagger-ui", NODE_MODULES / "swagger-ui-dist"),
    ("vendor/tom-select", NODE_MODULES / "tom-select" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        # Hashed, compressed files once collectstatic has run (production image).
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if env_bool("STATIC_MANIFEST", False)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "media"

# Redis is the Celery broker and the cache. Without REDIS_URL the quick start uses
# an embedded broker (files under var/) and a per-process memory cache.
REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL and not REDIS_URL.startswith(("redis://", "rediss://", "unix://")):
    raise ImproperlyConfigured(f"REDIS_URL={REDIS_URL!r} must start with redis:// or rediss://.")
CELERY_RESULT_BACKEND: str | None
CELERY_VISIBILITY_TIMEOUT = env_int("CELERY_VISIBILITY_TIMEOUT", 300)
if CELERY_VISIBILITY_TIMEOUT < 1:
    raise ImproperlyConfigured("CELERY_VISIBILITY_TIMEOUT must be a positive number of seconds.")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    # A task taken by a worker that then died (kill -9, a lost machine: acks_late
    # leaves it unacknowledged) goes back to the queue this many seconds after it was
    # taken. It must outlast the longest job, which would otherwise run twice (every
    # task is idempotent, so only wasted work): the day's follow-ups for every store
    # take seconds (make bench). Redis's default is an hour. Workers look for such
    # tasks every tenth of it (at most every 10 s; kombu's default is ~100 s).
    CELERY_BROKER_TRANSPORT_OPTIONS: dict[str, Any] = {
        "visibility_timeout": CELERY_VISIBILITY_TIMEOUT,
        "unacked_restore_interval": max(1, min(10, CELERY_VISIBILITY_TIMEOUT // 10)),
        "unacked_restore_throttle": 1,
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = "filesystem://"
    CELERY_RESULT_BACKEND = None
    _queue = str(VAR_DIR / "celery" / "queue")
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": _queue,
        "data_folder_out": _queue,
        "processed_folder": str(VAR_DIR / "celery" / "processed"),
        "store_processed": False,
    }
# The web tier asks Redis whether it answers at most this often (apps/org/jobs.py):
# while it does not, jobs are kept in the database and managers see a banner.
BROKER_CHECK_SECONDS = env_int("BROKER_CHECK_SECONDS", 5)
CELERY_TIMEZONE = TIME_ZONE
# At-least-once delivery: a task is acknowledged after it ran and re-queued if the
# worker dies; every task is idempotent, so a second run is harmless.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BEAT_SCHEDULE: dict[str, dict[str, Any]] = {
    # Every minute: proves that beat schedules and a worker runs (admin status page).
    "heartbeat": {"task": "apps.dashboard.tasks.heartbeat", "schedule": 60.0},
    # Every minute: jobs kept while Redis was down are queued (apps/org/jobs.py).
    "pending-jobs-send": {"task": "apps.org.tasks.pending_jobs_send", "schedule": 60.0},
    # 01:00 daily: the day's after-sales follow-up tasks (SPEC §6).
    "followups-generate": {
        "task": "apps.aftersales.tasks.followups_generate",
        "schedule": crontab(hour=1, minute=0),
    },
    # Hourly at :05: send due SMS outside quiet hours (SPEC §6).
    "messages-send": {"task": "apps.aftersales.tasks.messages_send", "schedule": crontab(minute=5)},
    # Hourly at :10: notification SMS held back by quiet hours (new ones go on commit).
    "notifications-sms": {
        "task": "apps.notifications.tasks.notifications_sms_send",
        "schedule": crontab(minute=10),
    },
    # 23:50 daily: the day's open appointments become attended or no-shows.
    "appointments-close-day": {
        "task": "apps.appointments.tasks.appointments_close_day",
        "schedule": crontab(hour=23, minute=50),
    },
    # Every 10 minutes: climb the escalation ladders (complaints count hours).
    "escalations-run": {"task": "apps.escalations.tasks.ladders_run", "schedule": crontab(minute="*/10")},
    # 02:00 daily: prospects without follow-up go back to the public pool (SPEC §3).
    "customers-return-to-pool": {
        "task": "apps.customers.tasks.return_idle_prospects_to_pool",
        "schedule": crontab(hour=2, minute=0),
    },
}

# Text messages (SPEC §6) leave through a pluggable backend, like Django's e-mail backends:
# ConsoleBackend, FileBackend (one file a message under SMS_FILE_PATH) or HttpBackend
# (POST to the operator's gateway at SMS_HTTP_URL, with a timeout and retries).
SMS_BACKEND = env_str("SMS_BACKEND", "apps.aftersales.sms.ConsoleBackend")
SMS_FILE_PATH = env_str("SMS_FILE_PATH", str(VAR_DIR / "sms"))
SMS_HTTP_URL = env_str("SMS_HTTP_URL", "")
SMS_HTTP_TIMEOUT = env_int("SMS_HTTP_TIMEOUT", 5)
SMS_HTTP_RETRIES = env_int("SMS_HTTP_RETRIES", 2)
SMS_HTTP_SIGN = env_str("SMS_HTTP_SIGN", "DealerSales")
# No message leaves between these local hours (start, end): 21:00 to 09:00.
SMS_QUIET_HOURS = (env_int("SMS_QUIET_FROM", 21), env_int("SMS_QUIET_UNTIL", 9))
if SMS_HTTP_URL and not SMS_HTTP_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured(f"SMS_HTTP_URL={SMS_HTTP_URL!r} must start with http:// or https://.")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an anonymous request then gets 401 with WWW-Authenticate.
        "apps.org.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "apps.org.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "apps.org.api_input.ScopedFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "apps.org.api_input.ObjectJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "apps.org.api_base.AutoSchema",
    "EXCEPTION_HANDLER": "apps.org.api_base.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
    "DATETIME_FORMAT": "iso-8601",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "DealerSales API",
    "DESCRIPTION": "Sales management for car dealerships: the same records and rules as the pages.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its docs describe every endpoint: for signed-in users only.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI from npm (package.json), never from a CDN.
    "SWAGGER_UI_DIST": "/static/vendor/swagger-ui",
    "SWAGGER_UI_FAVICON_HREF": "/static/vendor/swagger-ui/favicon-32x32.png",
    # Choice sets that share a field name across apps get names of their own.
    "ENUM_NAME_OVERRIDES": {
        "CustomerKindEnum": "apps.customers.models.Kind",
        "FollowUpChannelEnum": "apps.aftersales.models.Channel",
    },
}

FILTERS_EMPTY_CHOICE_LABEL = _("Any")

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}
