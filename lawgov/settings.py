"""The portal's one settings module: everything that differs between machines comes
from the environment (or a `.env` file beside manage.py)."""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=True)

# A production process must be given its own key; the development fallback is
# refused as soon as DEBUG is off.
SECRET_KEY = env.str("DJANGO_SECRET_KEY", default="" if not DEBUG else "dev-only-insecure-key")
if not SECRET_KEY:
    raise environ.ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is false")

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])

INSTALLED_APPS = [
    # Django's admin with the portal's site (lawgov.admin_site: superusers only, Chinese names).
    "lawgov.admin_site.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",  # hashed, expiring API tokens (the model is accounts.ApiToken, KNOX_TOKEN_MODEL)
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "django_otp",
    "accounts.apps.TotpConfig",  # django-otp's TOTP devices, under a Chinese heading
    "accounts.apps.AxesConfig",  # django-axes, under Chinese names in the admin
    "csp",
    "lawgov",  # no models: the backup and restore commands
    "metrics",
    "accounts",
    "reports",
]

MIDDLEWARE = [
    "lawgov.health.HealthCheckMiddleware",  # first: the container's check, before host checks
    "django.middleware.security.SecurityMiddleware",
    "lawgov.control_characters.ControlCharacterMiddleware",  # before anything reads the DB
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Remembers the request for the audit log; sends a user whose password has expired, or
    # who must enrol a second factor, to the page where they do so.
    "accounts.middleware.AccountMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "lawgov.errors.PortalNotFoundMiddleware",  # the Chinese 404 page with DEBUG on too
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a lockout into the lockout response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "lawgov.urls"
WSGI_APPLICATION = "lawgov.wsgi.application"

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
                "metrics.context_processors.site",
            ],
            # {{ value|figure }} everywhere, so that no page writes a number its own way.
            "builtins": ["metrics.templatetags.figures"],
        },
    },
]

# Without DATABASE_URL the portal runs on an SQLite file so that `make run` needs no server.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    # Concurrent web + worker writers: wait for the lock instead of failing at once.
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
# Connections kept between requests and between a worker's jobs: opening one to PostgreSQL
# costs ~13 ms on a busy 2-core machine, paid twice on the way from the click on 生成 to the
# job page and once more by the worker before each build (docs/benchmarks.md). Checked
# before reuse, so a connection the database dropped is replaced, not failed on.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "metrics.User"
# GB/T 22239-2019 8.1.4.1: passwords of some complexity, changed regularly.
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "accounts.validators.UserAttributeSimilarityValidator"},
    {
        "NAME": "accounts.validators.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "accounts.validators.CharacterClassesValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "accounts.validators.UsernameContainedValidator"},
    # Not one of the last 5 (checked against the hashes in accounts.PasswordHistory).
    {"NAME": "accounts.validators.PasswordHistoryValidator"},
    # Validates nothing: records when a password was changed (password age, audit log).
    {"NAME": "accounts.validators.PasswordChangeRecorder"},
]
# After this many days a user is sent to the password change page after login (0: never).
LAWGOV_PASSWORD_MAX_AGE_DAYS = env.int("LAWGOV_PASSWORD_MAX_AGE_DAYS", default=180)
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# django-axes: after repeated failed logins lock out the user name (from any address) and
# the address (whatever user names it tries): separate parameters, either one locks.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=1.0)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# The lockout page, or the API's JSON error (code locked_out) under /api/.
AXES_LOCKOUT_CALLABLE = "accounts.views.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # one row per failed login, listed in the admin
# Behind reverse proxies: how many of our own stand in front of the web process, and the
# header they append the client's address to. The lockout and the audit log read the client's
# address through accounts.addresses.client_address (0: REMOTE_ADDR, no proxy).
LAWGOV_TRUSTED_PROXY_COUNT = env.int("LAWGOV_TRUSTED_PROXY_COUNT", default=0)
LAWGOV_CLIENT_IP_HEADER = env.str("LAWGOV_CLIENT_IP_HEADER", default="HTTP_X_FORWARDED_FOR")
AXES_CLIENT_IP_CALLABLE = "accounts.addresses.client_address"

SESSION_COOKIE_AGE = env.int("DJANGO_SESSION_SECONDS", default=8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = env.bool("DJANGO_SESSION_EXPIRE_AT_BROWSER_CLOSE", default=False)
# Second factor (TOTP, django-otp): optional for everyone; users of these roles (reviewer,
# leader, admin) must enrol before they can use the portal. Empty: required for nobody.
LAWGOV_OTP_REQUIRED_ROLES = env.list("LAWGOV_OTP_REQUIRED_ROLES", default=[])
OTP_TOTP_ISSUER = env.str("LAWGOV_OTP_ISSUER", default="法治政府建设工作汇报门户")
# The account audit log (accounts.AccountEvent) is kept at least 180 days (网络安全法 第二十一条).
LAWGOV_ACCOUNT_EVENT_RETENTION_DAYS = env.int("LAWGOV_ACCOUNT_EVENT_RETENTION_DAYS", default=180)
if LAWGOV_ACCOUNT_EVENT_RETENTION_DAYS < 180:
    raise environ.ImproperlyConfigured("LAWGOV_ACCOUNT_EVENT_RETENTION_DAYS must be at least 180")
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# The portal is in Chinese only, whatever language the browser asks for: no LocaleMiddleware
# (which would follow Accept-Language to Django's English), and Chinese the one language.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
# Chinese for what django-axes and django-simple-history leave in English in the admin.
# django-axes' Chinese names are in accounts/locale (found as an installed app's locale).

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
MEDIA_ROOT = Path(env.str("LAWGOV_MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# HTTPS in production. Behind a TLS-terminating proxy, set DJANGO_SECURE_PROXY_SSL_HEADER to
# the header it sets, e.g. "HTTP_X_FORWARDED_PROTO,https".
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = not DEBUG
SECURE_HSTS_SECONDS = env.int("DJANGO_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
_proxy_header = env.list("DJANGO_SECURE_PROXY_SSL_HEADER", default=[])
if _proxy_header:
    SECURE_PROXY_SSL_HEADER = tuple(_proxy_header)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

# Only the portal's own static files: no CDN, no inline script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
    }
}

# The speech's `法治*建设` is filled with the district's short name.
DISTRICT_NAME = env.str("DISTRICT_NAME", default="示范")

# A history row's reason (who changed what and why) holds the reason as typed — up to 500
# characters (metrics.texts.REASON) plus what the service prefixes — not django-simple-history's
# default of 100, which PostgreSQL refused with a 500.
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True
# Where people reach the portal, for links in reminder emails (which have no request to ask).
PORTAL_BASE_URL = env.str("PORTAL_BASE_URL", default="http://127.0.0.1:8000").rstrip("/")
# Licensed 方正小标宋简体 / 仿宋_GB2312 / 楷体_GB2312 / 黑体 files dropped here take precedence.
REPORT_FONT_DIR = env.str("REPORT_FONT_DIR", default="") or None
# Fonts reduced once to the characters of Chinese government texts, so that each render
# neither re-reads 20 MB font collections nor embeds bloated subsets.
REPORT_FONT_CACHE_DIR = env.str("REPORT_FONT_CACHE_DIR", default=str(VAR_DIR / "fonts"))

# Background tasks. With REDIS_URL a real Celery worker consumes from Redis. Without it the
# portal needs no broker server: `make run` uses Kombu's file-system transport under var/
# (CELERY_BROKER_URL=filesystem://) and tests run tasks eagerly in-process.
REDIS_URL = env.str("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
# Lost broker connection: stop the running task rather than let it finish unacknowledged
# while the broker hands it to another worker.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# A pool process loads the report fonts before it reports alive (lawgov/celery.py,
# worker_process_init): about a second, more on a busy machine; Celery's default is 4 s.
CELERY_WORKER_PROC_ALIVE_TIMEOUT = 60
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TIMEZONE = TIME_ZONE
if CELERY_BROKER_URL.startswith("filesystem://"):
    _queue_dir = VAR_DIR / "celery-queue"
    for _folder in (_queue_dir, VAR_DIR / "celery-processed", VAR_DIR / "celery-control"):
        _folder.mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_queue_dir),
        "data_folder_out": str(_queue_dir),
        "processed_folder": str(VAR_DIR / "celery-processed"),
        "control_folder": str(VAR_DIR / "celery-control"),
        "store_processed": False,
    }
else:
    # A task is acknowledged once it has run (CELERY_TASK_ACKS_LATE); one whose worker was lost
    # goes back on the queue this many seconds after it was taken, and a worker's sweep (every
    # unacked_restore_interval seconds) hands it on: a lost report is built again within a
    # minute of a new worker starting (measured in docs/benchmarks.md). A report builds in
    # about a second (20 s without HarfBuzz's subsetter), so no live build is delivered twice;
    # a task running longer than this would be: keep every task shorter, or raise it.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=50),
        "unacked_restore_interval": 2,
        "unacked_restore_throttle": 1,
        "socket_connect_timeout": 3,
        "socket_timeout": 10,
    }
# With the broker down, refuse a request within seconds instead of hanging the page.
CELERY_BROKER_CONNECTION_TIMEOUT = 3
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.5,
    "interval_max": 1,
}
# A report job still queued after this long is marked failed and can be retried.
REPORT_JOB_TIMEOUT_SECONDS = env.int("REPORT_JOB_TIMEOUT_SECONDS", default=600)
# A build is stopped after the soft limit (failed with the reason) and its process killed at
# the hard one; both below the broker's visibility timeout, so a live build is never handed to
# a second worker. A job delivered this many times without finishing (its worker killed or
# lost each time, or its database away; the task retries itself 3 times) is failed instead
# of built again: a poison job ends, whatever restarts.
REPORT_BUILD_SOFT_TIME_LIMIT_SECONDS = env.int("REPORT_BUILD_SOFT_TIME_LIMIT_SECONDS", default=40)
REPORT_BUILD_TIME_LIMIT_SECONDS = env.int("REPORT_BUILD_TIME_LIMIT_SECONDS", default=45)
REPORT_BUILD_MAX_DELIVERIES = env.int("REPORT_BUILD_MAX_DELIVERIES", default=5)

# Reminders (催报) N days before a deadline and daily once overdue; periods lock themselves
# after their deadline (plus a grace period) unless METRICS_AUTO_LOCK is off.
CELERY_BEAT_SCHEDULE = {
    "metrics-send-due-reminders": {
        "task": "metrics.tasks.send_due_reminders",
        "schedule": crontab(hour=8, minute=30),
    },
    "metrics-send-unsent-reminder-emails": {
        "task": "metrics.tasks.send_unsent_reminder_emails",
        "schedule": crontab(minute="*/10"),
    },
    "metrics-lock-overdue-periods": {
        "task": "metrics.tasks.lock_overdue_periods",
        "schedule": crontab(hour=0, minute=15),
    },
    "lawgov-purge-account-events": {
        "task": "accounts.tasks.purge_account_events",
        "schedule": crontab(hour=3, minute=0),
    },
    "metrics-build-missing-rollup-totals": {
        "task": "metrics.tasks.build_missing_rollup_totals",
        "schedule": crontab(minute="*/5"),
    },
    "reports-fail-stuck-jobs": {
        "task": "reports.tasks.fail_stuck_jobs",
        "schedule": crontab(minute="*"),
    },
}
METRICS_REMINDER_DAYS_BEFORE = env.int("METRICS_REMINDER_DAYS_BEFORE", default=3)
METRICS_AUTO_LOCK = env.bool("METRICS_AUTO_LOCK", default=True)
METRICS_AUTO_LOCK_GRACE_DAYS = env.int("METRICS_AUTO_LOCK_GRACE_DAYS", default=0)

EMAIL_BACKEND = env.str(
    "DJANGO_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = env.str("DJANGO_DEFAULT_FROM_EMAIL", default="lawgov@localhost")

REST_FRAMEWORK = {
    # Token first, so that an anonymous request gets 401 with `WWW-Authenticate: Token`.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.tokens.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticated",
        # A one-time or expired password: refused until changed (password_change_required).
        "accounts.permissions.PasswordChanged",
        # A session not verified with the user's authenticator, as the pages (otp_required).
        "accounts.permissions.SecondFactorChecked",
    ],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 100,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "lawgov.api.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
# API tokens: stored only as a hash, expiring after LAWGOV_API_TOKEN_TTL_DAYS; the key
# starts with "lg_" so that a leaked one is recognisable.
KNOX_TOKEN_MODEL = "accounts.ApiToken"
# The tokens live in accounts.ApiToken: knox's own migrations would still create its unused table,
# whose foreign key to the users makes PostgreSQL refuse to empty the users table (TRUNCATE in
# the test suite's flush). Without them, knox creates nothing (its model is swapped out).
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {
    "TOKEN_TTL": timedelta(days=env.int("LAWGOV_API_TOKEN_TTL_DAYS", default=30)),
    "TOKEN_PREFIX": "lg_",
    "AUTH_HEADER_PREFIX": "Token",
    "TOKEN_LIMIT_PER_USER": env.int("LAWGOV_API_TOKEN_LIMIT_PER_USER", default=10),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "lawgov API",
    "DESCRIPTION": "法治政府建设工作汇报门户：部门数据报送、审核与讲话稿生成。",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # fontTools and WeasyPrint narrate every subset and layout step at INFO.
    "loggers": {
        # Django's own default config also prints to the console: once is enough.
        "django": {"handlers": ["console"], "level": "INFO", "propagate": False},
        "django.db.backends": {"level": "INFO"},
        "fontTools": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},
    },
}
