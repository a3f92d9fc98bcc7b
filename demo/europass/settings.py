"""Settings of the demo portal. Everything CAS-related is the stock django-cas-ng configuration.

DEMO_LIMEN_URL   where Limen runs (default http://localhost:8000)
DEMO_DATA_DIR    where the portal keeps its SQLite file (default demo/var)
"""

import os
import secrets
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("DEMO_DATA_DIR", BASE_DIR.parent / "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)
LIMEN_URL = os.environ.get("DEMO_LIMEN_URL", "http://localhost:8000").rstrip("/")

DEBUG = True
SECRET_KEY = os.environ.get("DEMO_SECRET_KEY") or secrets.token_urlsafe(50)  # a demo: sessions end at restart
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_cas_ng",
    "europass",
]
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]
ROOT_URLCONF = "europass.urls"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.template.context_processors.i18n",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
        "europass.views.limen_url",
    ]},
}]
WSGI_APPLICATION = "europass.wsgi.application"
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": str(DATA_DIR / "europass.sqlite3")}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"
LANGUAGE_CODE = "en"
STATIC_URL = "/static/"

# Limen and the portal share a host name (localhost; cookies ignore ports): keep the cookies apart.
SESSION_COOKIE_NAME = "europass_session"
CSRF_COOKIE_NAME = "europass_csrftoken"

# Sign-in through Limen (django-cas-ng, unmodified).
AUTHENTICATION_BACKENDS = ["django_cas_ng.backends.CASBackend"]
LOGIN_URL = "cas_ng_login"
CAS_SERVER_URL = LIMEN_URL + "/cas/"
CAS_VERSION = "3"
CAS_REDIRECT_URL = "/profile/"
CAS_IGNORE_REFERER = True
CAS_LOGOUT_COMPLETELY = True
CAS_LOGIN_MSG = None
CAS_LOGGED_MSG = None
