"""Settings for the deputy liaison office portal.

Everything that differs between the demo and production comes from environment variables read
here, in one place. With no variables set the portal runs on SQLite with Celery tasks executed
in process; production sets DATABASE_URL, REDIS_URL, SECRET_KEY, ALLOWED_HOSTS and friends.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY", default="django-insecure-demo-key-change-me-in-production-0123456789")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",
    "django_filters",
    "simple_history",
    "django_celery_beat",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "liaison",
    "offices",
    "cases",
    "scoring",
    "reception",
    "reports",
]

# The apps whose portal.py adds navigation entries and home-page panels (liaison.portal), in the
# order that breaks ties between equal `order` values. The root composition names them; liaison
# itself names no app above it.
PORTAL_APPS = ("liaison", "offices", "reception", "cases", "scoring", "reports")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Sends the session's Redis read now; AccountMiddleware collects it (liaison/middleware.py).
    "liaison.middleware.SessionReadAheadMiddleware",
    "liaison.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # django-csp's, with the header built once (liaison/security/csp.py).
    "liaison.security.csp.CSPMiddleware",
    # Django's AuthenticationMiddleware and django-otp's OTPMiddleware in one, with the signed-in
    # account read from the cache under a version its saves bump, in the session's own round trip
    # (liaison/security/accounts.py): no query before the view. After the middleware that need no
    # user, which run while Redis answers the read sent ahead.
    "liaison.security.accounts.AccountMiddleware",
    # Security policy (issue 6, docs/security.md): staff IP allow-list, session idle/absolute
    # limits, no-store for signed-in pages, staff 2FA, password expiry and forced changes.
    "liaison.security.middleware.StaffNetworkMiddleware",
    "liaison.security.middleware.SessionLimitsMiddleware",
    "liaison.security.middleware.AccountPolicyMiddleware",
    # simple_history's, without its context manager (liaison/middleware.py).
    "liaison.middleware.HistoryRequestMiddleware",
    # Last, as django-axes requires: turns a lockout into the explanatory lockout page.
    "axes.middleware.AxesMiddleware",
]

# Benchmarks only (bench/README.md, "gunicorn"): a request sending X-Count-Queries: 1 gets its SQL
# count back in X-Query-Count; other requests pay nothing.
if env.bool("BENCH_QUERY_COUNT", default=False):
    MIDDLEWARE.insert(0, "liaison.lib.querycount.QueryCountMiddleware")

# Django's cookie-then-session storage, its backends built only when a message is added or read.
MESSAGE_STORAGE = "liaison.lib.messages_storage.LazyFallbackStorage"

ROOT_URLCONF = "liaison.urls"
WSGI_APPLICATION = "liaison.wsgi.application"

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
                "liaison.context_processors.navigation",
            ],
        },
    },
]

# SQLite by default; DATABASE_URL=postgres://user@host:5432/name for production.
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'var' / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Wait for a concurrent writer instead of failing at once (runserver + in-process tasks).
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
    if DATABASES["default"]["ENGINE"].endswith("postgresql"):
        # No JIT compilation (issue 10): the portal's queries are short page reads, and PostgreSQL
        # compiled those whose cost estimate crossed jit_above_cost, adding 60-90 ms to a query
        # that runs in 100 (the city-wide attendance sheet at 20,000 deputies: bench/README.md).
        # Random reads priced as what they are when the city's database is in memory (2.4 GB at
        # 10x) or on SSD: 1.1, not PostgreSQL's default 4, which assumes spinning disks (issue
        # 10). At 4 the unit inbox searched for a word in 2.4 % of the titles scanned the city's
        # 100,000 dispatched cases (100 ms) instead of walking the unit's shares in the index's
        # order until a page of them matched (8 ms). PG_RANDOM_PAGE_COST overrides it.
        random_page_cost = env.float("PG_RANDOM_PAGE_COST", default=1.1)
        # Parallel workers per query: none by default. A page's queries read a few hundred rows
        # in a few milliseconds; starting workers cost them 10-20 ms (the unit inbox searched,
        # sorted by district, at 10x: 15-27 ms with two workers, 5 ms without), and on a small
        # server the workers take the cores the web workers need (issue 10).
        parallel = env.int("PG_PARALLEL_WORKERS_PER_QUERY", default=0)
        options = DATABASES["default"].setdefault("OPTIONS", {})
        options["options"] = (
            f"{options.get('options', '')} -c jit=off -c random_page_cost={random_page_cost}"
            f" -c max_parallel_workers_per_gather={parallel}"
        ).strip()

# PostgreSQL: the role the portal runs as, which must own no table (docs/security.md). `migrate`,
# run as the owner role, grants it the use of every table but no way to change the audit log.
DATABASE_APP_ROLE = env("DATABASE_APP_ROLE", default="")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "liaison.User"
AUTHENTICATION_BACKENDS = [
    # First, as django-axes requires: refuses locked-out usernames and IPs before any password check.
    "liaison.security.backends.LockoutBackend",
    # Before ModelBackend: a permission is granted if any backend grants it, so the order changes
    # no answer, but the role's permissions (in code) are asked first and a staff member's
    # has_perm() no longer reads the user's and groups' permission tables on every page.
    "liaison.roles.RolePermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Passwords (MLPS 8.1.4.1): Argon2id first; older hashes are upgraded at the next login. The
# complexity rule chosen is "at least 12 characters" (not "8 with three character classes"), plus
# the common-password list, similarity to the account's name, and no all-digit passwords. The
# last PASSWORD_HISTORY_COUNT passwords cannot be reused; staff passwords expire.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "liaison.security.passwords.PasswordHistoryValidator"},
]
PASSWORD_HISTORY_COUNT = 5
STAFF_PASSWORD_MAX_AGE_DAYS = env.int("STAFF_PASSWORD_MAX_AGE_DAYS", default=90)

# Language and time: Chinese first, English complete.
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]  # shared templates; each app keeps its own locale/
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

# Static files are served by whitenoise from the app server: offices sit on intranets without
# internet access, so nothing may come from a CDN. A missing manifest entry (tests, or a checkout
# before collectstatic) falls back to the plain name instead of raising.
STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "var" / "static")
STATICFILES_DIRS = [BASE_DIR / "static"]
WHITENOISE_MANIFEST_STRICT = False
# Uploaded files (photos, attachments) live outside the static tree and are only ever served
# through permission-checked views; there is deliberately no MEDIA_URL route.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")
MEDIA_URL = "/media-not-served/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": env(
            "STATICFILES_STORAGE", default="whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
DATA_UPLOAD_MAX_MEMORY_SIZE = 10_485_760
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=10 * 1024 * 1024)
# Pictures declaring more pixels are refused before any pixel is decoded (decompression bombs).
# 60 million lets a 50-megapixel phone's full-size photo (8160 × 6120) through; decoded it still
# fits in a few hundred MB, where 20,000 × 20,000 would take 1.2 GB.
UPLOAD_MAX_IMAGE_PIXELS = env.int("UPLOAD_MAX_IMAGE_PIXELS", default=60_000_000)
# Roster imports: the uploaded workbook waits here between preview and confirmation, named by a
# random token kept on the import's job row; never under MEDIA_ROOT or STATIC_ROOT.
IMPORT_ROOT = env.path("IMPORT_ROOT", default=BASE_DIR / "var" / "imports")
# Rows per roster import: a bigger file is refused with a message asking to split it.
ROSTER_IMPORT_MAX_ROWS = env.int("ROSTER_IMPORT_MAX_ROWS", default=25000)
# A roster file up to this size (about 500 deputy rows and 200 offices from the template) is read
# and checked inside the upload request (well under a second); a bigger one by a background job.
ROSTER_IMPORT_INLINE_CHECK_BYTES = env.int("ROSTER_IMPORT_INLINE_CHECK_BYTES", default=48 * 1024)

# The public online office (cases/public_*). PUBLIC_BASE_URL is the address residents reach from
# the internet (e.g. https://dbgzs.example.gov.cn); the offices' QR posters encode it, since staff
# print them from an intranet address a resident's phone cannot open, and the links in residents'
# SMS use it (no request to build them from). Empty = the address of the request that renders the
# poster, and the local demo's address in SMS; `check --deploy` warns (liaison.W004).
PUBLIC_BASE_URL = env("PUBLIC_BASE_URL", default="").rstrip("/")
# Photos a resident may add to an opinion: how many, and how large each.
PUBLIC_PHOTOS_MAX = env.int("PUBLIC_PHOTOS_MAX", default=4)
PUBLIC_PHOTO_MAX_BYTES = env.int("PUBLIC_PHOTO_MAX_BYTES", default=5 * 1024 * 1024)
# Photos of a form sent back with an error wait here (named by random tokens kept in the resident's
# session) so the resident need not pick them again; never under MEDIA_ROOT or STATIC_ROOT.
PUBLIC_STAGING_ROOT = env.path("PUBLIC_STAGING_ROOT", default=BASE_DIR / "var" / "public-staging")
# Bookings: the office's open half-days from this many days ahead (it needs time to prepare) to that many.
PUBLIC_BOOKING_MIN_DAYS_AHEAD = env.int("PUBLIC_BOOKING_MIN_DAYS_AHEAD", default=1)
PUBLIC_BOOKING_DAYS_AHEAD = env.int("PUBLIC_BOOKING_DAYS_AHEAD", default=28)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Redis carries the Celery broker, results and the cache when REDIS_URL is set. Without it,
# tasks run in process (the demo) and the cache is per-process memory.
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    # Short socket timeouts: the cache holds the public pages' rate-limit counters, and a Redis
    # that hangs must turn into a quick refusal (liaison.lib.ratelimit), not a hung worker.
    CACHES = {
        "default": {
            # Django's backend, reusing one client per connection pool (liaison/lib/redis_cache.py).
            "BACKEND": "liaison.lib.redis_cache.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
            # Keeps two portals apart on one Redis database (bench/side_by_side.sh serves the 1x
            # and the 10x data sets one after the other; cached versions must not cross over).
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", default=""),
        }
    }
    # Sessions are read from Redis and written through to the database (issue 10): a signed-in
    # request no longer reads its session row from PostgreSQL. Logout, expiry and the idle limit
    # flush both copies (the cached one first: liaison/session_store.py). The account is read
    # from Redis too, under a version that every save and delete of it bumps
    # (liaison/security/accounts.py), so a deactivated account or a changed password still ends
    # its sessions at the next request.
    SESSION_ENGINE = "liaison.session_store"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Read models cached under versions (liaison/lib/versions.py: the signed-in account, the live
# standings) need a cache every process shares, or one process's bump would not reach the others.
VERSIONED_CACHE = env.bool("VERSIONED_CACHE", default=bool(REDIS_URL))

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL or "memory://")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=REDIS_URL or None)
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_QUEUE", default="liaison")
# A task that dies with its worker is redelivered, not lost: ack only after the work is done.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)}
CELERY_BEAT_SCHEDULER = "liaison.beat:SeedingDatabaseScheduler"
# Every periodic job, in one place. Beat copies the ones it does not know yet into
# django-celery-beat's tables (admin: Periodic tasks), where staff change times or switch a job
# off; a restart of beat does not undo their edits.
CELERY_BEAT_SCHEDULE = {
    # Delete audit entries older than AUDIT_RETENTION_DAYS (never younger ones), nightly.
    "audit-purge": {"task": "liaison.tasks.audit_purge_task", "schedule": crontab(hour=2, minute=30)},
    # Deliver queued SMS that are due: quiet-hour deferrals at 08:00, retries, rows of dead workers.
    "sms-send-due": {"task": "liaison.tasks.sms_send_due", "schedule": crontab(minute="*/5")},
    # Flag cases not forwarded in time and units past their reply deadline; remind owners, units, staff.
    "cases-overdue-scan": {"task": "cases.tasks.case_overdue_scan_task", "schedule": crontab(hour=8, minute=10)},
    # Anonymize residents' data in cases archived more than RESIDENT_DATA_RETENTION_YEARS ago, nightly.
    "resident-data-retention": {"task": "cases.tasks.resident_data_retention_task", "schedule": crontab(hour=3, minute=10)},
    # SMS + notice to every serving deputy a week before each reception period [000 十一], daily.
    "reception-reminders": {"task": "reception.tasks.reception_reminders_task", "schedule": crontab(hour=9, minute=0)},
    # Close ended reception periods: record absences and raise the escalation steps of [000 十一].
    "periods-close-due": {"task": "reception.tasks.periods_close_due", "schedule": crontab(hour=1, minute=15)},
    # Keep a year of reception periods laid out ahead of today, from each district's rule.
    "reception-periods-ahead": {
        "task": "reception.tasks.reception_periods_ahead", "schedule": crontab(day_of_month=1, hour=3, minute=0)
    },
    # Blank the sealed initial passwords of roster imports nobody came back for, hourly.
    "roster-import-secrets-purge": {
        "task": "offices.tasks.roster_import_secrets_purge_task", "schedule": crontab(minute=40)
    },
}
# Reception reminders: how many days ahead, and how many deputies per transaction.
RECEPTION_REMINDER_DAYS_BEFORE = env.int("RECEPTION_REMINDER_DAYS_BEFORE", default=7)
RECEPTION_REMINDER_BATCH_SIZE = env.int("RECEPTION_REMINDER_BATCH_SIZE", default=500)

# Residents' side of a case (cases.resident_services). CASE_RATING_DAYS: how many days the signed
# link in the answer SMS lets the resident rate the answer themselves; once it has expired unrated,
# a liaison or staff member who is not the case's owner records a phone follow-up 回访 instead,
# and until one of the two is recorded the case is not archived.
CASE_RATING_DAYS = env.int("CASE_RATING_DAYS", default=7)
# A case is forwarded to the organization department within this many days of receipt
# [001 第五篇 三(二)] 在3日内; districts may set their own rule. Read through cases.rules.
CASE_FORWARD_DAYS = env.int("CASE_FORWARD_DAYS", default=3)

# Rate limits of the public pages, {scope: "count/period"} (e.g. RATE_LIMITS=public_track_ip=30/h):
# overrides of the defaults each app declares in its rules module (cases.rules, liaison.rules).
RATE_LIMITS = env.dict("RATE_LIMITS", default={})

# SMS: like EMAIL_BACKEND. The database outbox is the default and is browsable in the admin.
SMS_BACKEND = env("SMS_BACKEND", default="liaison.lib.sms.outbox.OutboxBackend")
SMS_SIGN_NAME = env("SMS_SIGN_NAME", default="党代表工作室")
SMS_QUIET_START = env.int("SMS_QUIET_START", default=22)  # no SMS from 22:00 ...
SMS_QUIET_END = env.int("SMS_QUIET_END", default=8)  # ... to 08:00 Asia/Shanghai (equal values: no quiet hours)
# Our template name -> the provider's approved template id, e.g. "reception_reminder=1234567".
SMS_TEMPLATE_IDS = env.dict("SMS_TEMPLATE_IDS", default={})
# Delivery of queued messages: batch size, how long a worker's claim lasts before another run may
# take the row over (a worker that died), exponential back-off base and attempts before giving up.
SMS_BATCH_SIZE = env.int("SMS_BATCH_SIZE", default=200)
SMS_CLAIM_LEASE_SECONDS = env.int("SMS_CLAIM_LEASE_SECONDS", default=300)
SMS_RETRY_BASE_SECONDS = env.int("SMS_RETRY_BASE_SECONDS", default=60)
SMS_MAX_ATTEMPTS = env.int("SMS_MAX_ATTEMPTS", default=8)
# Tencent Cloud SMS (SMS_BACKEND=liaison.lib.sms.tencent.TencentSmsBackend).
SMS_TENCENT_SECRET_ID = env("SMS_TENCENT_SECRET_ID", default="")
SMS_TENCENT_SECRET_KEY = env("SMS_TENCENT_SECRET_KEY", default="")
SMS_TENCENT_SDK_APP_ID = env("SMS_TENCENT_SDK_APP_ID", default="")
SMS_TENCENT_REGION = env("SMS_TENCENT_REGION", default="ap-guangzhou")
SMS_TENCENT_ENDPOINT = env("SMS_TENCENT_ENDPOINT", default="sms.tencentcloudapi.com")
SMS_TENCENT_PROTOCOL = env("SMS_TENCENT_PROTOCOL", default="https")
SMS_TENCENT_TIMEOUT = env.int("SMS_TENCENT_TIMEOUT", default=10)

# Security headers. HTTPS-only settings follow from SECURE_SSL_REDIRECT in production.
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=SECURE_SSL_REDIRECT)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=SECURE_SSL_REDIRECT)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env.bool("BEHIND_PROXY", default=False) else None
SESSION_COOKIE_HTTPONLY = True
# HSTS subdomain/preload are a deployment decision: a portal on a shared government domain may
# not be able to commit every subdomain to HTTPS. When the environment opts out, the matching
# deploy-check warnings are silenced (documented in docs/security.md).
SILENCED_SYSTEM_CHECKS = []
if SECURE_HSTS_SECONDS and not SECURE_HSTS_INCLUDE_SUBDOMAINS:
    SILENCED_SYSTEM_CHECKS.append("security.W005")
if SECURE_HSTS_SECONDS and not SECURE_HSTS_PRELOAD:
    SILENCED_SYSTEM_CHECKS.append("security.W021")

# Content Security Policy: scripts and styles only from our own origin, no inline script.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        # data: for the server-rendered 2FA enrolment QR code.
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

# No report-only policy (django-csp reads this name; declared so that every setting is here).
CONTENT_SECURITY_POLICY_REPORT_ONLY = None

# Sessions (MLPS 8.1.4.2): logged out after 30 idle minutes and 12 hours after login whatever the
# activity; the session is flushed at logout. Signed-in pages are sent with Cache-Control: no-store.
SESSION_IDLE_TIMEOUT = timedelta(minutes=env.int("SESSION_IDLE_MINUTES", default=30))
SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=env.int("SESSION_ABSOLUTE_HOURS", default=12))
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_TIMEOUT.total_seconds())

# Login failures: 5 failures lock the username (from any address) and the address (for any
# username) for 30 minutes. Every attempt is kept by django-axes and in the audit log; the
# security administrator can unlock early.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_LOCKOUT_CALLABLE = "liaison.security.views.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"] if env.bool("BEHIND_PROXY", default=False) else ["REMOTE_ADDR"]

# Two-factor authentication (TOTP) for every admin-site role. On by default in production; the
# demo (DEMO_MODE, set by run.sh) and the test suite leave it off so the documented demo logins work.
REQUIRE_STAFF_2FA = env.bool("REQUIRE_STAFF_2FA", default=not DEBUG and not env.bool("DEMO_MODE", default=False))
OTP_TOTP_ISSUER = "党代表工作室"
OTP_STATIC_RECOVERY_CODES = 10

# Staff pages (admin site and every page of an admin-site role) only from these networks, when
# set: ADMIN_ALLOWED_NETWORKS=10.0.0.0/8,192.168.1.0/24. Empty means no restriction.
ADMIN_ALLOWED_NETWORKS = env.list("ADMIN_ALLOWED_NETWORKS", default=[])

# Audit log retention (MLPS: at least six months; the Cybersecurity Law and the issue: one year).
AUDIT_RETENTION_DAYS = env.int("AUDIT_RETENTION_DAYS", default=365)
# Residents' name, phone and address in archived cases are anonymized this many years after the
# case was archived (PIPL art. 19); the public privacy notice states the same number.
RESIDENT_DATA_RETENTION_YEARS = env.int("RESIDENT_DATA_RETENTION_YEARS", default=3)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="WARNING")},
}

# The portal's own knobs.
PORTAL_NAME = _("Deputy liaison office portal")
DEMO_MODE = env.bool("DEMO_MODE", default=False)
