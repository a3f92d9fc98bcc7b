"""Django settings for Limen, read from LIMEN_* environment variables.

Every variable is optional on a laptop; docs/operators.md lists them all.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit


from limen.core import config, logs
from limen.core.languages import EU_LANGUAGES, INTERFACE_LANGUAGES

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = config.data_dir()

DEBUG = config.env_bool("LIMEN_DEBUG", False)
SECRET_KEY = config.secret_key(DATA_DIR)
# Keys for secrets at rest (limen.core.crypto, docs/operators.md#rotating-the-keys-of-secrets-at-rest).
# LIMEN_ENCRYPTION_KEYS: named keys, newest first (the first encrypts, all decrypt); "legacy" in
# it stands for LIMEN_ENCRYPTION_KEY, or, if that is unset, a key derived from SECRET_KEY (the
# only key when LIMEN_ENCRYPTION_KEYS is unset, as before keys had names).
ENCRYPTION_KEY = config.env_str("LIMEN_ENCRYPTION_KEY")
ENCRYPTION_KEYS = config.encryption_keys(config.env_str("LIMEN_ENCRYPTION_KEYS"))
config.check_legacy_key(ENCRYPTION_KEYS, ENCRYPTION_KEY)

BASE_URL = config.env_str("LIMEN_BASE_URL", "http://localhost:8000").rstrip("/")
_base = urlsplit(BASE_URL)
if _base.scheme not in {"http", "https"} or not _base.hostname:
    raise config.ConfigurationError("LIMEN_BASE_URL", "must be an http(s) URL such as https://login.example.org")
HTTPS = _base.scheme == "https"

ALLOWED_HOSTS = [_base.hostname] + [
    h.strip() for h in config.env_str("LIMEN_ALLOWED_HOSTS").split(",") if h.strip()
]
if DEBUG:
    ALLOWED_HOSTS += ["127.0.0.1", "localhost", "[::1]"]
CSRF_TRUSTED_ORIGINS = [f"{_base.scheme}://{_base.netloc}"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "limen.core",
    "limen.audit",
    "limen.notify",
    "limen.accounts",
    "limen.signin",
    "limen.factors.panic",
    "limen.access",
    "limen.cas",
    "limen.ops",
]

# Sign-in methods: each is its own package implementing limen.signin.methods.Method
# (docs/architecture.md). A method is added or removed here, and nowhere else.
SIGNIN_METHODS = [
    "limen.factors.on_mobile",
    "limen.factors.mobile_app",
    "limen.factors.webauthn",
    "limen.factors.sms",
    "limen.factors.recovery",
    "limen.factors.eid",
]
INSTALLED_APPS += SIGNIN_METHODS
# The installable web authenticator at /app/ (docs/mobile-app.md).
INSTALLED_APPS += ["limen.webapp"]

MIDDLEWARE = [
    "limen.core.after_response.AfterResponseMiddleware",
    "limen.core.request_id.RequestIdMiddleware",
    # /health/live, /health/ready and /metrics: answered here, before sessions, CSRF and host checks.
    "limen.ops.middleware.OpsEndpointsMiddleware",
    "limen.core.devhost.LoopbackAliasRedirectMiddleware",  # LIMEN_DEBUG only: 127.0.0.1 → localhost
    "limen.ops.request_metrics.RequestMetricsMiddleware",  # around everything below: counts and latency
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.middleware.common.CommonMiddleware",
    # BROWSER_MIDDLEWARE, below, for every request but those to back-channel endpoints.
    "limen.core.channels.BrowserMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "limen.core.middleware.SecurityHeadersMiddleware",
    "limen.core.middleware.DomainErrorMiddleware",
]
# What only browsers need. Endpoints that applications' servers call (CAS ticket validation, the
# OpenID Connect token, introspection, revocation and userinfo endpoints, keys, discovery) are marked
# @backchannel and skip these (limen.core.channels); everything in MIDDLEWARE runs for them too.
BROWSER_MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "limen.signin.middleware.SessionIdleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

ROOT_URLCONF = "limen.urls"
WSGI_APPLICATION = "limen.wsgi.application"

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
                "limen.core.context.site",
            ],
        },
    },
    {
        # Plain-text e-mails: no HTML escaping, or "O'Brien" arrives as "O&#x27;Brien".
        "NAME": "text",
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"autoescape": False},
    },
]

DATABASES = {"default": config.database(config.env_str("LIMEN_DATABASE_URL"), DATA_DIR)}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Shared state (rate limits, e-mail caps, spent proofs of work) must be seen by every process:
# the database by default, Redis when the operator sets LIMEN_REDIS_URL.
REDIS_URL = config.env_str("LIMEN_REDIS_URL")
CACHES = config.caches(REDIS_URL)

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["limen.accounts.backends.EmailBackend"]
LOGIN_URL = "signin:identify"
LOGIN_REDIRECT_URL = "accounts:my_account"

PASSWORD_HASHERS = ["limen.accounts.hashers.LimenArgon2PasswordHasher"]
ARGON2_MEMORY_KIB = config.env_int("LIMEN_ARGON2_MEMORY_KIB", 19456, minimum=1024)
ARGON2_TIME_COST = config.env_int("LIMEN_ARGON2_TIME_COST", 2, minimum=1)
ARGON2_PARALLELISM = config.env_int("LIMEN_ARGON2_PARALLELISM", 1, minimum=1)

PASSWORD_MIN_LENGTH = config.env_int("LIMEN_PASSWORD_MIN_LENGTH", 10, minimum=8, maximum=128)
PASSWORD_MIN_CLASSES = config.env_int("LIMEN_PASSWORD_MIN_CLASSES", 3, minimum=1, maximum=4)
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "limen.accounts.policy.MinimumLengthValidator"},
    {"NAME": "limen.accounts.policy.MaximumLengthValidator"},
    {"NAME": "limen.accounts.policy.CharacterClassesValidator"},
    {"NAME": "limen.accounts.policy.PersonalDataValidator"},
    {"NAME": "limen.accounts.policy.CommonPasswordValidator"},
]

# Sign-in protection.
LOCKOUT_THRESHOLD = config.env_int("LIMEN_LOCKOUT_THRESHOLD", 5, minimum=1)
LOCKOUT_MINUTES = config.env_int("LIMEN_LOCKOUT_MINUTES", 15, minimum=1)
RATE_LIMIT_SIGNIN_PER_IP = config.env_int("LIMEN_RATE_LIMIT_SIGNIN_PER_IP", 30, minimum=1)
RATE_LIMIT_WINDOW_SECONDS = config.env_int("LIMEN_RATE_LIMIT_WINDOW_SECONDS", 900, minimum=1)
# Forms that send e-mails (registration, new verification link, lost password): the proof
# of work the browser computes (core.pow), and how many such e-mails one address, and one
# IP, may ask for in an hour (accounts.mail_caps).
POW_COST = config.env_int("LIMEN_POW_COST", 1000, minimum=1, maximum=1_000_000)
POW_DIFFICULTY = config.env_int("LIMEN_POW_DIFFICULTY", 3000, minimum=1, maximum=10_000_000)
POW_SECONDS = config.env_int("LIMEN_POW_SECONDS", 1800, minimum=60)
EMAIL_CAP_PER_ADDRESS = config.env_int("LIMEN_EMAIL_CAP_PER_ADDRESS", 5, minimum=1)
EMAIL_CAP_PER_IP = config.env_int("LIMEN_EMAIL_CAP_PER_IP", 30, minimum=1)
RATE_LIMIT_FORMS_PER_IP = config.env_int("LIMEN_RATE_LIMIT_FORMS_PER_IP", 60, minimum=1)

# Token lifetimes (seconds).
VERIFY_EMAIL_TTL = config.env_int("LIMEN_VERIFY_EMAIL_TTL", 24 * 3600, minimum=60)
RESET_PASSWORD_TTL = config.env_int("LIMEN_RESET_PASSWORD_TTL", 3600, minimum=60)
CHANGE_EMAIL_TTL = config.env_int("LIMEN_CHANGE_EMAIL_TTL", 24 * 3600, minimum=60)

# SSO session: the cookie that lets a person come back without signing in again.
# Django's database sessions in fewer statements (limen.core.session_store): every page reads one.
SESSION_ENGINE = "limen.core.session_store"
# Plain <input> widgets written out in Python, the same markup as Django's templates (limen.core.form_renderer).
FORM_RENDERER = "limen.core.form_renderer.Renderer"
SESSION_COOKIE_NAME = "limen_sso"
SESSION_COOKIE_AGE = config.env_int("LIMEN_SESSION_ABSOLUTE_SECONDS", 8 * 3600, minimum=300)
SESSION_IDLE_SECONDS = config.env_int("LIMEN_SESSION_IDLE_SECONDS", 2 * 3600, minimum=60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = config.env_bool("LIMEN_COOKIE_SECURE", HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "limen.core.views.csrf_failure"
LANGUAGE_COOKIE_NAME = "limen_language"
LANGUAGE_COOKIE_SECURE = SESSION_COOKIE_SECURE
LANGUAGE_COOKIE_SAMESITE = "Lax"
LANGUAGE_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if HTTPS:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = config.env_int("LIMEN_HSTS_SECONDS", 31536000)
    SECURE_SSL_REDIRECT = config.env_bool("LIMEN_SSL_REDIRECT", False)

# Client IP: only trust X-Forwarded-For when the operator says a proxy sets it.
TRUSTED_PROXY_COUNT = config.env_int("LIMEN_TRUSTED_PROXIES", 0, minimum=0, maximum=10)

LANGUAGE_CODE = "en"
LANGUAGES = INTERFACE_LANGUAGES
EMAIL_LANGUAGES = EU_LANGUAGES
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
# Dates and times are written in the reader's language's own format (Django's locale formats), with
# Limen's own English and Maltese (Django has none) ones in limen/core/formats; the {% timestamp %}
# tag adds the time zone.
FORMAT_MODULE_PATH = ["limen.core.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
# The site-wide CSS and JS live in src/limen/static, which belongs to no app.
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

_email = config.email(config.env_str("LIMEN_EMAIL_URL"), DATA_DIR)
EMAIL_BACKEND = _email.backend
EMAIL_HOST = _email.host
EMAIL_PORT = _email.port
EMAIL_HOST_USER = _email.user
EMAIL_HOST_PASSWORD = _email.password
EMAIL_USE_TLS = _email.use_tls
EMAIL_USE_SSL = _email.use_ssl
EMAIL_TIMEOUT = 10
if _email.file_path:
    EMAIL_FILE_PATH = _email.file_path
DEFAULT_FROM_EMAIL = config.env_str("LIMEN_EMAIL_FROM", f"Limen <no-reply@{_base.hostname}>")
# The development outbox page lists every message sent; never on in production.
DEV_OUTBOX = config.env_bool("LIMEN_DEV_OUTBOX", DEBUG)

# CAS server (docs/cas.md). The SSO session above is CAS's ticket-granting session.
CAS_TICKET_SECONDS = config.env_int("LIMEN_CAS_TICKET_SECONDS", 10, minimum=1, maximum=300)
CAS_HTTP_TIMEOUT = config.env_int("LIMEN_CAS_HTTP_TIMEOUT", 5, minimum=1, maximum=60)
CAS_USER_DOMAIN = config.env_str("LIMEN_CAS_USER_DOMAIN", "external")
# A proxy callback (pgtUrl) must be HTTPS with a valid certificate; plain http
# to localhost is accepted only in development (LIMEN_DEBUG).
CAS_ALLOW_HTTP_LOCALHOST_CALLBACK = DEBUG

SITE_NAME = config.env_str("LIMEN_SITE_NAME", "Limen")
# Shown on the privacy statement; none on a development address (docs/operators.md).
PRIVACY_CONTACT = config.privacy_contact(config.env_str("LIMEN_PRIVACY_CONTACT"), sender=DEFAULT_FROM_EMAIL,
                                         sender_set=bool(config.env_str("LIMEN_EMAIL_FROM")),
                                         hostname=_base.hostname)

# Logs (docs/operations.md#logs): JSON lines for `limen serve`, text for `limen run`, both with
# the request id and the instance name, and with secrets masked (core.logs, core.redact).
LOG_FORMAT = config.env_choice("LIMEN_LOG_FORMAT", "text", logs.FORMATS)
LOG_LEVEL = config.env_choice("LIMEN_LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"))
LOGGING = logs.logging_config(LOG_FORMAT, LOG_LEVEL)

# Health and metrics (docs/operations.md). /metrics answers callers from these networks only and,
# when a token is set, only with "Authorization: Bearer <token>".
METRICS_ALLOWED_NETWORKS = config.env_networks("LIMEN_METRICS_ALLOWED_NETWORKS", "127.0.0.1/32,::1/128")
METRICS_TOKEN = config.env_str("LIMEN_METRICS_TOKEN")
if METRICS_TOKEN and len(METRICS_TOKEN) < 16:
    raise config.ConfigurationError("LIMEN_METRICS_TOKEN", "must be at least 16 characters")
# /health/ready fails when the oldest message waiting for delivery is older than this (0: never).
HEALTH_QUEUE_MAX_AGE = config.env_int("LIMEN_HEALTH_QUEUE_MAX_AGE", 3600, minimum=0)

# Mobile authenticator (docs/mobile-app.md).
MOBILE_ENROL_TTL = config.env_int("LIMEN_MOBILE_ENROL_TTL", 300, minimum=60, maximum=3600)
MOBILE_CHALLENGE_TTL = config.env_int("LIMEN_MOBILE_CHALLENGE_TTL", 120, minimum=30, maximum=600)
MOBILE_OTP_TTL = config.env_int("LIMEN_MOBILE_OTP_TTL", 180, minimum=30, maximum=900)
MOBILE_PIN_ATTEMPTS = config.env_int("LIMEN_MOBILE_PIN_ATTEMPTS", 5, minimum=1, maximum=20)
MOBILE_OTP_ATTEMPTS = config.env_int("LIMEN_MOBILE_OTP_ATTEMPTS", 5, minimum=1, maximum=20)
MOBILE_CLOCK_SKEW = config.env_int("LIMEN_MOBILE_CLOCK_SKEW", 60, minimum=5, maximum=600)
MOBILE_MAX_DEVICES = config.env_int("LIMEN_MOBILE_MAX_DEVICES", 10, minimum=1, maximum=100)
MOBILE_REQUESTS_PER_WINDOW = config.env_int("LIMEN_MOBILE_REQUESTS_PER_WINDOW", 10, minimum=1)
PUSH_BACKEND = config.env_str("LIMEN_PUSH_BACKEND", "channel")
PUSH_WAIT_SECONDS = config.env_int("LIMEN_PUSH_WAIT_SECONDS", 25, minimum=1, maximum=120)
PUSH_POLL_MS = config.env_int("LIMEN_PUSH_POLL_MS", 250, minimum=20, maximum=5000)
# Waiting requests (long polls) one `limen serve` worker holds at once; beyond, 503 (docs/operators.md).
MAX_WAITS = config.env_int("LIMEN_MAX_WAITS", 10000, minimum=1)
# Web Push to the web app (docs/mobile-app.md): on unless switched off; the VAPID key pair is made once and
# kept sealed in the database. Endpoints are the browsers' push services only (the server posts to them).
WEBPUSH_ENABLED = config.env_bool("LIMEN_WEBPUSH", True)
WEBPUSH_SUBJECT = config.webpush_subject(config.env_str("LIMEN_WEBPUSH_SUBJECT"), contact=PRIVACY_CONTACT,
                                         sender=DEFAULT_FROM_EMAIL)
WEBPUSH_ENDPOINTS = [p.strip() for p in config.env_str(
    "LIMEN_WEBPUSH_ENDPOINTS",
    "https://fcm.googleapis.com/,https://updates.push.services.mozilla.com/,https://web.push.apple.com/,"
    "https://*.notify.windows.com/,https://*.push.apple.com/").split(",") if p.strip()]

# E-mail uniqueness is enforced case-insensitively by a constraint (accounts.User.Meta).
SILENCED_SYSTEM_CHECKS = ["auth.W004"]
# Sessions, CSRF, authentication and messages are in BROWSER_MIDDLEWARE, not MIDDLEWARE, which
# Django's checks look at; limen.core.channels checks them there instead (limen.E001, limen.E002).
SILENCED_SYSTEM_CHECKS += ["admin.E408", "admin.E409", "admin.E410", "security.W003"]

# Second factors: security keys, trusted platforms and passkeys (WebAuthn).
# The relying party is this site: its ID is the host of LIMEN_BASE_URL, its origin LIMEN_BASE_URL.
WEBAUTHN_RP_ID = _base.hostname
WEBAUTHN_ORIGIN = f"{_base.scheme}://{_base.netloc}"
WEBAUTHN_RP_NAME = config.env_str("LIMEN_WEBAUTHN_RP_NAME", SITE_NAME)
WEBAUTHN_TIMEOUT_SECONDS = config.env_int("LIMEN_WEBAUTHN_TIMEOUT_SECONDS", 120, minimum=30, maximum=600)

# SMS codes. LIMEN_SMS_ENABLED=0 hides the method and refuses new numbers.
SMS_ENABLED = config.env_bool("LIMEN_SMS_ENABLED", True)
SMS_URL = config.sms_url(config.env_str("LIMEN_SMS_URL"))
SMS_METHOD = config.sms_method(config.env_str("LIMEN_SMS_METHOD"))
SMS_BODY = config.env_str("LIMEN_SMS_BODY", "to={to}&text={text}" if SMS_METHOD == "POST" else "")
SMS_CONTENT_TYPE = config.env_str("LIMEN_SMS_CONTENT_TYPE", "application/x-www-form-urlencoded")
SMS_USERNAME = config.env_str("LIMEN_SMS_USERNAME")
SMS_PASSWORD = config.env_str("LIMEN_SMS_PASSWORD")
SMS_TOKEN = config.env_str("LIMEN_SMS_TOKEN")
SMS_SENDER = config.env_str("LIMEN_SMS_SENDER", SITE_NAME[:11])
SMS_TIMEOUT = config.env_int("LIMEN_SMS_TIMEOUT", 10, minimum=1, maximum=120)
config.check_sms_template(SMS_URL, SMS_BODY)
SMS_CODE_TTL = config.env_int("LIMEN_SMS_CODE_TTL", 300, minimum=60, maximum=1800)
SMS_MAX_ATTEMPTS = config.env_int("LIMEN_SMS_MAX_ATTEMPTS", 5, minimum=1, maximum=20)
SMS_RESEND_SECONDS = config.env_int("LIMEN_SMS_RESEND_SECONDS", 60, minimum=0)
SMS_PER_HOUR = config.env_int("LIMEN_SMS_PER_HOUR", 10, minimum=1)

# Recovery codes: how many in a set, and when the owner is warned that few remain.
RECOVERY_CODES = config.env_int("LIMEN_RECOVERY_CODES", 10, minimum=4, maximum=20)
RECOVERY_WARN_AT = config.env_int("LIMEN_RECOVERY_WARN_AT", 3, minimum=0)

# After PANIC, the link that lets the owner add the first new factor.
PANIC_LINK_TTL = config.env_int("LIMEN_PANIC_LINK_TTL", 24 * 3600, minimum=300)

# OpenID Connect provider (limen.oidc, on django-oauth-toolkit) and national eID
# sign-in through upstream identity providers (limen.factors.eid). docs/oidc.md, docs/eid.md.
INSTALLED_APPS += ["oauth2_provider", "limen.oidc"]
OAUTH2_PROVIDER_APPLICATION_MODEL = "oidc.Client"
PASSWORD_HASHERS = PASSWORD_HASHERS + ["limen.oidc.hashers.ClientSecretHasher"]  # client secrets only
OIDC_ACCESS_TOKEN_SECONDS = config.env_int("LIMEN_OIDC_ACCESS_TOKEN_SECONDS", 3600, minimum=30)
OIDC_ID_TOKEN_SECONDS = config.env_int("LIMEN_OIDC_ID_TOKEN_SECONDS", 3600, minimum=30)
OIDC_REFRESH_TOKEN_SECONDS = config.env_int("LIMEN_OIDC_REFRESH_TOKEN_SECONDS", SESSION_COOKIE_AGE, minimum=60)
OIDC_CODE_SECONDS = config.env_int("LIMEN_OIDC_CODE_SECONDS", 60, minimum=5, maximum=600)
# Signing keys stay published this long after a rotation retires them.
OIDC_KEY_RETENTION_SECONDS = config.env_int(
    "LIMEN_OIDC_KEY_RETENTION_SECONDS", max(OIDC_ID_TOKEN_SECONDS, 3600) + 3600, minimum=60)
OIDC_BACKCHANNEL_TIMEOUT = config.env_int("LIMEN_OIDC_BACKCHANNEL_TIMEOUT", 5, minimum=1, maximum=60)
OIDC_CLIENT_AUTH_FAILURES_PER_IP = config.env_int("LIMEN_OIDC_CLIENT_AUTH_FAILURES_PER_IP", 60, minimum=1)
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_ISS_ENDPOINT": BASE_URL,
    "OAUTH2_SERVER_CLASS": "limen.oidc.server.Server",
    "OAUTH2_VALIDATOR_CLASS": "limen.oidc.validator.Validator",
    "APPLICATION_ADMIN_CLASS": "limen.oidc.admin.ClientAdmin",
    "CLIENT_SECRET_HASHER": "limen_secret_sha256",
    "CLIENT_SECRET_GENERATOR_LENGTH": 64,
    "SCOPES": {
        "openid": "Your identifier at Limen",
        "profile": "Your name and language",
        "email": "Your e-mail address",
        "access": "The details validated for this application (access requests)",
    },
    "DEFAULT_SCOPES": ["openid"],
    "ACCESS_TOKEN_EXPIRE_SECONDS": OIDC_ACCESS_TOKEN_SECONDS,
    "ID_TOKEN_EXPIRE_SECONDS": OIDC_ID_TOKEN_SECONDS,
    "REFRESH_TOKEN_EXPIRE_SECONDS": OIDC_REFRESH_TOKEN_SECONDS,
    "AUTHORIZATION_CODE_EXPIRE_SECONDS": OIDC_CODE_SECONDS,
    "ROTATE_REFRESH_TOKEN": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "REFRESH_TOKEN_GRACE_PERIOD_SECONDS": 0,
    "OIDC_RESPONSE_TYPES_SUPPORTED": ["code"],
    "OIDC_TOKEN_ENDPOINT_AUTH_METHODS_SUPPORTED": [
        "client_secret_basic", "client_secret_post", "client_secret_jwt", "private_key_jwt", "none"],
    "ALLOWED_REDIRECT_URI_SCHEMES": ["https", "http"],
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "COMPLIANT_BCP_RFC9700_REFRESH_TOKEN": True,
    "COMPLIANT_BCP_RFC9700_REDIRECT_URI_MATCHING": True,
}
# http redirect URIs are accepted only on loopback addresses (native apps, RFC 8252; development):
# limen.oidc.models.check_redirect_uri enforces it, so the toolkit's blanket warning does not apply.
SILENCED_SYSTEM_CHECKS += ["oauth2_provider.W008"]
# Upstream eID providers: how long discovery documents and key sets are cached.
EID_METADATA_CACHE_SECONDS = config.env_int("LIMEN_EID_METADATA_CACHE_SECONDS", 3600, minimum=0)
EID_HTTP_TIMEOUT = config.env_int("LIMEN_EID_HTTP_TIMEOUT", 10, minimum=1, maximum=120)

# Access requests (limen.access, docs/access-requests.md): how long a validation code works, how many
# tries it allows before it locks (a validator then sends a new one), how many new codes a person may
# ask for in a day, and failed API authentications per IP and window before refusing.
ACCESS_CODE_DAYS = config.env_int("LIMEN_ACCESS_CODE_DAYS", 30, minimum=1, maximum=365)
ACCESS_CODE_ATTEMPTS = config.env_int("LIMEN_ACCESS_CODE_ATTEMPTS", 5, minimum=1, maximum=20)
ACCESS_CODE_RESENDS_PER_DAY = config.env_int("LIMEN_ACCESS_CODE_RESENDS_PER_DAY", 3, minimum=1, maximum=20)
ACCESS_API_FAILURES_PER_IP = config.env_int("LIMEN_ACCESS_API_FAILURES_PER_IP", 30, minimum=1)
