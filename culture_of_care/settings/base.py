"""Settings read from the environment.

With no environment at all the site runs on an embedded default: a SQLite file and Celery tasks
executed in-process. DATABASE_URL and REDIS_URL switch to PostgreSQL and Redis.
"""

from pathlib import Path

import environ
from celery.schedules import crontab

from culture_of_care.sso import openid_connect_providers

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=True)
# A development-only key; production.py refuses to start without SECRET_KEY.
SECRET_KEY = env("SECRET_KEY", default="django-insecure-development-only-key-do-not-use")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.humanize",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "crispy_forms",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    # allauth's openid_connect provider with the issuer, iss and ID token checked.
    "standards.accounts.oidc",
    "allauth.mfa",
    # The project package is an app for its template tags: the NHS.UK form pack's filters.
    "culture_of_care",
    "standards",
    "assessments",
    "reports",
]

MIDDLEWARE = [
    "culture_of_care.observability.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "culture_of_care.middleware.ContentSecurityPolicyMiddleware",
    "culture_of_care.middleware.RequestBodyLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "standards.middleware.SessionIdleTimeoutMiddleware",
    "standards.middleware.MfaRequiredMiddleware",
    "standards.middleware.NoStoreMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "culture_of_care.urls"

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
                "culture_of_care.context_processors.service",
            ],
        },
    },
]

WSGI_APPLICATION = "culture_of_care.wsgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # SQLite as a web server's database (the embedded default): readers never wait for a writer
    # (write-ahead log), a writer waits its turn for up to 20 s instead of failing at once, and
    # every transaction takes the write lock when it starts, so two requests that read and then
    # write can never deadlock into "database is locked" (decision 0030).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "standards.User"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"

# Accounts, sign-in, MFA and single sign-on: django-allauth (docs/decisions/0007).
# allauth's sign-in (username or email) with Django's password checks; the person read on each
# request also says whether they hold a trust role (standards/accounts/backends.py).
AUTHENTICATION_BACKENDS = ["standards.accounts.backends.PersonBackend"]
ACCOUNT_ADAPTER = "standards.accounts.adapter.AccountAdapter"
SOCIALACCOUNT_ADAPTER = "standards.accounts.social.SocialAccountAdapter"
MFA_ADAPTER = "standards.accounts.adapter.MfaAdapter"
# People sign in with the username or the email address their trust gave them.
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_FORMS = {
    "login": "standards.accounts.forms.SignInForm",
    "reset_password": "standards.accounts.forms.PasswordResetRequestForm",
}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_GET = False
ACCOUNT_LOGOUT_REDIRECT_URL = "account_login"
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_PASSWORD_RESET_BY_CODE_ENABLED = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Culture of Care: "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = env("ACCOUNT_DEFAULT_HTTP_PROTOCOL", default="http")
# The client address comes from X-Forwarded-For only through this many trusted proxies
# (0: REMOTE_ADDR, never the header).
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
# Sign-in protection (docs/decisions/0007, 0031; standards/accounts/protection.py): failures are
# counted per (account, address) and per address; an address that keeps failing is refused (a
# trust's shared egress address is only slowed), an account is only slowed down.
SIGN_IN_FAILURES_PER_ACCOUNT_AND_ADDRESS = env.int("SIGN_IN_FAILURES_PER_ACCOUNT_AND_ADDRESS", 5)
SIGN_IN_CODE_FAILURES_PER_ACCOUNT_AND_ADDRESS = env.int(
    "SIGN_IN_CODE_FAILURES_PER_ACCOUNT_AND_ADDRESS", 5
)
SIGN_IN_FAILURES_PER_ADDRESS = env.int("SIGN_IN_FAILURES_PER_ADDRESS", 30)
SIGN_IN_FAILURE_WINDOW_SECONDS = env.int("SIGN_IN_FAILURE_WINDOW_SECONDS", 15 * 60)
# Past this many failures for one account from any address, one attempt per SLOW_SECONDS.
SIGN_IN_SLOW_DOWN_AFTER = env.int("SIGN_IN_SLOW_DOWN_AFTER", 10)
SIGN_IN_SLOW_SECONDS = env.int("SIGN_IN_SLOW_SECONDS", 20)
# A trust's shared egress addresses or networks (comma-separated, e.g. 192.0.2.10,198.51.100.0/28):
# past the per-address limit they are slowed to one attempt every SHARED_ADDRESS_SECONDS, never
# refused, so one person's mistakes or an attacker cannot lock out a whole trust.
SIGN_IN_SHARED_ADDRESSES = env.list("SIGN_IN_SHARED_ADDRESSES", default=[])
SIGN_IN_SHARED_ADDRESS_SECONDS = env.int("SIGN_IN_SHARED_ADDRESS_SECONDS", 2)
# Sign-in posts of any kind from one address in a minute (a flood guard; shared addresses exempt).
SIGN_IN_POSTS_PER_ADDRESS = env.int("SIGN_IN_POSTS_PER_ADDRESS", 30)
ACCOUNT_RATE_LIMITS = {
    # Only allauth's own uses (re-entering a password or code while signed in); sign-in itself
    # is counted by standards/accounts/protection.py. Per key only: a success there clears it
    # without clearing any address's count.
    "login_failed": (
        f"{SIGN_IN_FAILURES_PER_ACCOUNT_AND_ADDRESS}/{SIGN_IN_FAILURE_WINDOW_SECONDS}s/key"
    ),
    # Sign-in posts per address: SIGN_IN_POSTS_PER_ADDRESS instead (shared addresses exempt).
    "login": None,
    # Password reset emails: per address and per account.
    "reset_password": env("RATE_LIMIT_PASSWORD_RESET", default="10/h/ip,3/h/key"),
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
    "reauthenticate": "10/m/user",
}
# New report (PDF) requests a person may make in an hour.
REPORT_REQUESTS_PER_HOUR = env.int("REPORT_REQUESTS_PER_HOUR", default=20)
# Uploads: a request body larger than this is refused from its Content-Length, before it is
# read (evidence files are at most EVIDENCE_MAX_BYTES; the rest is the form around them). Set
# the same limit in the reverse proxy (nginx: client_max_body_size 11m).
EVIDENCE_MAX_BYTES = env.int("EVIDENCE_MAX_BYTES", default=10 * 1024 * 1024)
REQUEST_BODY_MAX_BYTES = env.int("REQUEST_BODY_MAX_BYTES", default=11 * 1024 * 1024)
# Single sign-on by OpenID Connect (docs/decisions/0008): one identity provider per deployment,
# such as a trust's Microsoft Entra ID tenant or NHSmail. No OIDC_CLIENT_ID: password sign-in only.
# People are matched to the account their trust gave them by verified email, never created.
OIDC_PROVIDER_ID = env("OIDC_PROVIDER_ID", default="sso")
OIDC_SERVER_URL = env("OIDC_SERVER_URL", default="")
SOCIALACCOUNT_PROVIDERS = openid_connect_providers(
    provider_id=OIDC_PROVIDER_ID,
    name=env("OIDC_PROVIDER_NAME", default="your work account"),
    server_url=OIDC_SERVER_URL,
    client_id=env("OIDC_CLIENT_ID", default=""),
    secret=env("OIDC_CLIENT_SECRET", default=""),
    scopes=env.list("OIDC_SCOPES", default=["openid", "email", "profile"]),
    trust_email_verified=env.bool("OIDC_TRUST_EMAIL_VERIFIED", default=False),
)
# The adapter connects a verified email to its account itself (standards.accounts.social):
# allauth's own email authentication would wipe the password of every invited account.
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = False
SOCIALACCOUNT_AUTO_SIGNUP = False
# The button posts (with a CSRF token); a link alone never starts a sign-in.
SOCIALACCOUNT_LOGIN_ON_GET = False
SOCIALACCOUNT_STORE_TOKENS = False
SOCIALACCOUNT_REQUESTS_TIMEOUT = env.int("OIDC_REQUESTS_TIMEOUT", default=10)
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
# The second factor at sign-in, counted per (account, address) (standards/accounts/protection.py).
MFA_FORMS = {
    "authenticate": "standards.accounts.forms.SecondFactorForm",
    "authenticate_webauthn": "standards.accounts.forms.SecurityKeyForm",
}
MFA_PASSKEY_LOGIN_ENABLED = False
MFA_TOTP_ISSUER = "Culture of Care"
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = env.bool("MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN", default=DEBUG)
# Sessions: signed out after this many idle seconds (warned a few minutes before, and able to
# stay signed in), and after SESSION_COOKIE_AGE seconds whatever happens.
SESSION_IDLE_TIMEOUT_SECONDS = env.int("SESSION_IDLE_TIMEOUT_SECONDS", default=30 * 60)
SESSION_IDLE_WARNING_SECONDS = env.int("SESSION_IDLE_WARNING_SECONDS", default=2 * 60)

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

FIXTURE_DIRS = [BASE_DIR / "fixtures"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Uploaded evidence and generated reports: private, outside the static files and web root,
# served only through views that check access.
PRIVATE_STORAGE_ROOT = env.path("PRIVATE_STORAGE_ROOT", default=BASE_DIR / "var" / "private")
MEDIA_ROOT = PRIVATE_STORAGE_ROOT
# Never served by URL: files go through views that check access.
MEDIA_URL = "/private-files-are-not-served-here/"

CRISPY_ALLOWED_TEMPLATE_PACKS = ["nhsuk"]
CRISPY_TEMPLATE_PACK = "nhsuk"
CRISPY_FAIL_SILENTLY = not DEBUG

REDIS_URL = env("REDIS_URL", default="")

CACHES = {
    "default": (
        # Redis with short timeouts and a per-process fallback (culture_of_care/cache.py).
        {"BACKEND": "culture_of_care.cache.ResilientRedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Celery: Redis when REDIS_URL is set, otherwise tasks run in-process (the embedded default).
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
# With no worker, a report is made in a thread of the web process after the response (see
# reports.services.start_background_thread), not inside the request that asked for it.
REPORTS_RUN_IN_BACKGROUND_THREAD = env.bool(
    "REPORTS_RUN_IN_BACKGROUND_THREAD", default=not REDIS_URL
)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis redelivers an unacknowledged task after this many seconds; longer than any report.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", 3600),
    # Never hang a page on a broker that drops packets: fail fast and say reports are delayed.
    "socket_connect_timeout": 2,
    "socket_timeout": 5,
}
# Celery beat (`celery -A culture_of_care beat`): a board pack for every trust each month, at
# 06:00 on BOARD_PACK_SCHEDULE_DAY (1 to 28). BOARD_PACK_SCHEDULE_ENABLED=false turns it off.
BOARD_PACK_SCHEDULE_ENABLED = env.bool("BOARD_PACK_SCHEDULE_ENABLED", default=True)
BOARD_PACK_SCHEDULE_DAY = env.int("BOARD_PACK_SCHEDULE_DAY", default=1)
BOARD_PACK_SCHEDULE_HOUR = env.int("BOARD_PACK_SCHEDULE_HOUR", default=6)
CELERY_BEAT_SCHEDULE = (
    {
        "monthly-board-packs": {
            "task": "reports.tasks.monthly_board_packs",
            "schedule": crontab(
                minute=0, hour=BOARD_PACK_SCHEDULE_HOUR, day_of_month=BOARD_PACK_SCHEDULE_DAY
            ),
        }
    }
    if BOARD_PACK_SCHEDULE_ENABLED
    else {}
) | {
    # /health/ reports a worker missing when this has not run for three minutes.
    "worker-heartbeat": {
        "task": "standards.tasks.heartbeat",
        "schedule": crontab(minute="*"),
    },
    "recover-stalled-report-jobs": {
        "task": "reports.tasks.recover_stalled_jobs",
        "schedule": crontab(minute="*/2"),
    },
}
# Notifications: reminders and daily digests at NOTIFICATIONS_DAILY_HOUR (0 to 23) every day;
# every few minutes, emails whose task never reached a worker are sent again.
NOTIFICATIONS_DAILY_HOUR = env.int("NOTIFICATIONS_DAILY_HOUR", default=7)
CELERY_BEAT_SCHEDULE |= {
    "daily-notifications": {
        "task": "assessments.tasks.daily_notifications",
        "schedule": crontab(minute=0, hour=NOTIFICATIONS_DAILY_HOUR),
    },
    "resend-queued-notifications": {
        "task": "standards.tasks.resend_queued_notifications",
        "schedule": crontab(minute="*/5"),
    },
}
# A running report whose worker has said nothing for this long has lost its worker and is
# started again (reports.services.is_stalled).
REPORT_STALLED_AFTER_SECONDS = env.int("REPORT_STALLED_AFTER_SECONDS", default=300)
# Test only: seconds a report job waits while rendering, so a test can kill its worker mid-task.
REPORT_RENDER_DELAY_SECONDS = env.float("REPORT_RENDER_DELAY_SECONDS", default=0)

# Email (docs/decisions/0014): the console in development; production.py defaults to SMTP.
# GOV.UK Notify: EMAIL_BACKEND=culture_of_care.email_backends.GovNotifyEmailBackend.
EMAIL_BACKEND = env("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="culture-of-care@localhost")
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env.bool("EMAIL_USE_SSL", default=False)
# Seconds before an SMTP connection gives up: a task retries later rather than hanging.
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
GOV_NOTIFY_API_KEY = env("GOV_NOTIFY_API_KEY", default="")
GOV_NOTIFY_TEMPLATE_ID = env("GOV_NOTIFY_TEMPLATE_ID", default="")
GOV_NOTIFY_BASE_URL = env("GOV_NOTIFY_BASE_URL", default="https://api.notifications.service.gov.uk")
# The site's address as people reach it: emails link back to pages with it.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

OFFICIAL_STANDARDS_URL = (
    "https://www.england.nhs.uk/long-read/"
    "culture-of-care-standards-for-mental-health-inpatient-services/"
)

LOG_LEVEL = env("LOG_LEVEL", default="INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    # runserver prints each request already; production logs them as JSON (observability.py).
    "loggers": {"culture_of_care.requests": {"level": "WARNING"}},
}
# Errors to Sentry (or any Sentry-compatible tracker) when set; see docs/decisions/0016.
SENTRY_DSN = env("SENTRY_DSN", default="")
SENTRY_ENVIRONMENT = env("SENTRY_ENVIRONMENT", default="production")
RELEASE = env("RELEASE", default="")

# Password given to the demo users by `manage.py seed_demo`. Never used in production.
DEMO_PASSWORD = env("DEMO_PASSWORD", default="demo-culture-of-care")
