"""Settings for Registro SECOP. Everything that differs between machines reads the environment;
every variable is documented in `.env.example`."""

import ipaddress
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on", "si", "sí"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-do-not-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "allauth",
    "allauth.account",
    "allauth.headless",
    "allauth.mfa",
    "allauth.usersessions",
    "csp",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "django_rq",
    "django_tasks_rq",
    "registro.core",
    "registro.accounts",
    "registro.entities",
    "registro.servicedesk",
    "registro.notifications",
    "registro.publico",
]

MIDDLEWARE = [
    # First: times, counts and logs every answer, refusals of the middlewares below included.
    "registro.core.observability.middleware.RequestObservabilityMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    # Before anything reads the body (CSRF reads POST): refuses oversized uploads early.
    "registro.core.files.limits.UploadLimitMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "registro.core.middleware.ApiTextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Keeps each session's row (browser, IP address, last activity) for "Sesiones activas".
    "registro.accounts.sessions.ThrottledUserSessionsMiddleware",
    "registro.accounts.middleware.UserTimezoneMiddleware",
    "registro.accounts.middleware.TermsAcceptanceMiddleware",
    "registro.accounts.middleware.SecondFactorRequiredMiddleware",
    "registro.accounts.middleware.ReauthenticationPromptMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "registro" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "registro.core.context_processors.site",
                "registro.accounts.context_processors.roles",
                "registro.accounts.context_processors.second_factor",
                "registro.entities.membership.context_processors.entity_switcher",
            ],
            # Loaded by the Directorio's templates: the invitation forms of information requests,
            # which sit above the directory (pyproject.toml's layers), and the results' rows.
            "libraries": {
                "solicitudes_informacion": "registro.entities.information_requests.template_tags",
                "directorio": "registro.entities.directory.template_tags",
            },
        },
    },
]

# Django's form renderer with its common widget templates written in Python (same markup).
FORM_RENDERER = "registro.core.form_renderer.FormRenderer"

# --- Database -------------------------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'db.sqlite3'}"
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"]["OPTIONS"] = {
        # IMMEDIATE makes write transactions take the lock up front, so concurrent writers
        # wait for busy_timeout instead of failing with "database is locked".
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Shared between web workers and app servers: the rate limits (allauth's, the trusted-device
# budget, password checks, the public API) and the sessions' cache live here. Redis at scale: CACHE_URL.
CACHE_URL = os.environ.get("CACHE_URL", "")
CACHE_IS_REDIS = CACHE_URL.startswith(("redis://", "rediss://"))
if CACHE_IS_REDIS:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}}
    # Sessions are read from Redis and written through to the database, so every app server sees
    # them and none is lost if Redis is flushed or restarted.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "registro_cache",
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.db"

# --- Users and authentication ---------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
# allauth's backend alone (it extends ModelBackend), in a subclass that reads each request's user
# with the facts every page asks of it: with both allauth's and Django's, a login by e-mail or a
# wrong password paid for an extra Argon2 computation (benchmarks/login.py).
AUTHENTICATION_BACKENDS = ["registro.accounts.backends.AuthenticationBackend"]

# Argon2id. Parameters and their reasons: docs/adr/0003-password-hashing.md.
PASSWORD_HASHERS = [
    "registro.accounts.hashers.RegistroArgon2PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
ARGON2_TIME_COST = env_int("ARGON2_TIME_COST", 3)
ARGON2_MEMORY_COST_KIB = env_int("ARGON2_MEMORY_COST_KIB", 65536)
ARGON2_PARALLELISM = env_int("ARGON2_PARALLELISM", 1)

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "first_name", "last_name", "email", "document_number")},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "registro.accounts.validators.CharacterClassesValidator"},
]

LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "account_login"

ACCOUNT_ADAPTER = "registro.accounts.adapters.AccountAdapter"
ACCOUNT_SIGNUP_FORM_CLASS = "registro.accounts.signup_forms.RegistrarUsuarioForm"
ACCOUNT_FORMS = {
    "login": "registro.accounts.forms.EntrarForm",
    "signup": "registro.accounts.forms.RegistroSignupForm",
    "add_email": "registro.accounts.forms.CambiarCorreoForm",
    "change_password": "registro.accounts.forms.CambiarContrasenaForm",
    "reset_password": "registro.accounts.forms.RecuperarContrasenaForm",
    "reauthenticate": "registro.accounts.forms.ConfirmarIdentidadForm",
}
ACCOUNT_LOGIN_METHODS = {"username", "email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "username*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PRESERVE_USERNAME_CASING = True
ACCOUNT_USERNAME_MIN_LENGTH = 4
ACCOUNT_USERNAME_VALIDATORS = "registro.accounts.validators.username_validators"
# The guide's flow: confirm by e-mail, then "Entrar" with username and password.
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_EMAIL_CONFIRMATION_HMAC = False  # stored keys: single use and visible to the desk
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = env_int("EMAIL_CONFIRMATION_EXPIRE_DAYS", 3)
# Invitations to join an entity expire after this many days (R7.1); re-sending issues a new link.
INVITATION_EXPIRY_DAYS = env_int("INVITATION_EXPIRY_DAYS", 7)
# A supplier that is a legal person attaches its certificate of existence and legal representation
# (R9.3) issued at most this many days before "Finalizar" (the Chambers of Commerce's certificates
# are usually asked for within 30 days). State entities keep the guide's 90 days (R2.2).
PROVEEDOR_CERTIFICADO_MAX_DIAS = env_int("PROVEEDOR_CERTIFICADO_MAX_DIAS", 30)

# Solicitudes de información: the most suppliers one manual invitation takes (a directory's
# "invitar a todos los resultados" included), and how many suppliers each step of the background
# invitation handles in one transaction (its progress moves by this much).
SOLICITUD_INVITACIONES_MANUALES_MAX = env_int("SOLICITUD_INVITACIONES_MANUALES_MAX", 500)
SOLICITUD_INVITACIONES_LOTE = env_int("SOLICITUD_INVITACIONES_LOTE", 1000)
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGOUT_ON_GET = False
# The current session stays; the others are ended through allauth.usersessions (accounts/sessions.py).
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
# Sensitive actions (registro/accounts/reauthentication.py) need a proof of the password or of a
# second factor within this many seconds; REQUIRED makes allauth's own e-mail change ask for it too.
ACCOUNT_REAUTHENTICATION_TIMEOUT = env_int("REAUTHENTICATION_TIMEOUT_SECONDS", 300)
ACCOUNT_REAUTHENTICATION_REQUIRED = True
# "Sesiones activas": every session with its browser, IP address and last activity.
USERSESSIONS_TRACK_ACTIVITY = True
# Each session's last activity is written at most this often (a new address or browser at once).
USERSESSIONS_ACTIVITY_INTERVAL_SECONDS = env_int("USERSESSIONS_ACTIVITY_INTERVAL_SECONDS", 60)
USERSESSIONS_ADAPTER = "registro.accounts.sessions.UserSessionsAdapter"
ACCOUNT_SESSION_REMEMBER = None
# Duplicate usernames and e-mails get a clear error on the form (the issue asks for it); the
# rate limits below bound how fast anyone can probe for registered addresses. The password reset
# request answers alike for unknown addresses all the same (its own form, ADR 0004), and sends
# nothing to them: the site does not mail addresses nobody registered.
ACCOUNT_PREVENT_ENUMERATION = False
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[Registro SECOP] "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = os.environ.get("HTTP_PROTOCOL", "http")
ACCOUNT_RATE_LIMITS = {
    "login": os.environ.get("RATE_LIMIT_LOGIN", "30/m/ip"),
    # Per IP and per account; a browser that has logged in to the account before has its own
    # per-account budget (see accounts/adapters.py), so an attacker cannot lock the owner out.
    "login_failed": os.environ.get("RATE_LIMIT_LOGIN_FAILED", "10/m/ip,5/5m/key"),
    # Every other check of the current password (username and password changes, web and API):
    # the same policy, per IP and per account (accounts/passwords.py).
    "password_check": os.environ.get(
        "RATE_LIMIT_PASSWORD_CHECK", os.environ.get("RATE_LIMIT_LOGIN_FAILED", "10/m/ip,5/5m/key")
    ),
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_password": "5/m/user",
}
TRUSTED_DEVICE_COOKIE = "registro_dispositivo"
TRUSTED_DEVICE_MAX_AGE_DAYS = env_int("TRUSTED_DEVICE_MAX_AGE_DAYS", 180)

# --- Second factor (allauth.mfa; ADR 0017) ---------------------------------------------------
MFA_ADAPTER = "registro.accounts.adapters.MFAAdapter"
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_FORMS = {
    "authenticate": "registro.accounts.forms.CodigoVerificacionForm",
    "reauthenticate": "registro.accounts.forms.CodigoReautenticacionForm",
    "activate_totp": "registro.accounts.forms.ActivarAplicacionForm",
    "add_webauthn": "registro.accounts.forms.AgregarLlaveForm",
    "edit_webauthn": "registro.accounts.forms.RenombrarLlaveForm",
}
MFA_TOTP_ISSUER = "Registro SECOP"
MFA_PASSKEY_LOGIN_ENABLED = True
# WebAuthn needs HTTPS; plain http:// only for development (and the tests: settings_test.py).
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = DEBUG
# Days a holder of a role that needs a second factor may act without one, counted from when the
# role was given (registro/accounts/mfa.py). The smallest applies to someone with both roles.
MFA_GRACE_DAYS_DESK = env_int("MFA_GRACE_DAYS_DESK", 0)
MFA_GRACE_DAYS_ADMIN = env_int("MFA_GRACE_DAYS_ADMIN", 7)
# Which roles need a second factor: a check (dotted path, called with the user) and the setting
# holding its grace. Named here, the composition root, because the Administrador role lives above
# accounts.
MFA_REQUIRED_ROLES = {
    "registro.accounts.permissions.is_service_desk": "MFA_GRACE_DAYS_DESK",
    "registro.entities.membership.selectors.user_is_administrador": "MFA_GRACE_DAYS_ADMIN",
}

HEADLESS_ONLY = False
HEADLESS_SERVE_SPECIFICATION = True
HEADLESS_CLIENTS = ("app", "browser")

# Version of the "Términos y condiciones de uso"; raising it makes every user accept again.
TERMS_VERSION = os.environ.get("TERMS_VERSION", "2021-09-08")
TERMS_URL = "https://www.colombiacompra.gov.co/secop/terminos-y-condiciones"
# Absolute address of the site, for links in e-mails sent outside a request.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# Served over HTTPS (directly or behind a TLS proxy): HTTP is redirected, browsers are told to keep
# to HTTPS (HSTS), and cookies travel over TLS only. Each can still be set on its own.
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", False)
HTTPS = env_bool("HTTPS", BEHIND_TLS_PROXY)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", HTTPS)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 60 * 60 * 12)

# The client's address (registro/core/network.py), read by every rate limit, the access history
# and the login policy. Behind a proxy REMOTE_ADDR is the proxy's, so all clients would share one
# per-IP budget; the proxy's X-Forwarded-For (or TRUSTED_CLIENT_IP_HEADER) is believed only when
# the request comes from TRUSTED_PROXIES (CIDRs, or "*" for any), so a direct client cannot forge it.
# TRUSTED_PROXY_COUNT: how many proxies in a row append to X-Forwarded-For (1 behind a TLS proxy).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 1 if BEHIND_TLS_PROXY else 0)
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES", ["127.0.0.1/32", "::1/128"])
# A header the proxy sets to the client's address itself (e.g. X-Real-IP); replaces X-Forwarded-For.
TRUSTED_CLIENT_IP_HEADER = os.environ.get("TRUSTED_CLIENT_IP_HEADER", "")
for _cidr in TRUSTED_PROXIES:
    try:
        if _cidr != "*":
            ipaddress.ip_network(_cidr, strict=False)
    except ValueError as exc:
        raise ImproperlyConfigured(f"TRUSTED_PROXIES: {_cidr!r} is not an address or a network.") from exc

# --- E-mail ---------------------------------------------------------------------------------
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 20)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Registro SECOP <no-responder@registro-secop.local>")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
else:
    # Without a mail server every message stays in the outbox table, readable at /dev/correos/.
    EMAIL_BACKEND = "registro.notifications.backends.OutboxOnlyBackend"
DEV_OUTBOX = env_bool("DEV_OUTBOX", DEBUG and not EMAIL_HOST)
EMAIL_MAX_ATTEMPTS = env_int("EMAIL_MAX_ATTEMPTS", 5)
# The Mesa de Servicio's shared mailbox: new cases and replies to unassigned cases go there.
SERVICE_DESK_EMAIL = os.environ.get("SERVICE_DESK_EMAIL", "mesa-de-servicio@registro-secop.local")
EMAIL_RETRY_BASE_SECONDS = env_int("EMAIL_RETRY_BASE_SECONDS", 30)
# E-mails queued together (an invitation to many suppliers) are sent by one task per this many,
# over one connection.
EMAIL_BATCH_SIZE = env_int("EMAIL_BATCH_SIZE", 200)
# Largest legal document or attachment (bytes; default 64 MiB: a scanned act of several hundred
# pages). Files are streamed to disk, never held in memory.
DOCUMENT_MAX_BYTES = env_int("DOCUMENT_MAX_BYTES", 64 * 1024 * 1024)
# Largest request body: every document of a registration in one form (7 types), plus the fields.
# Refused from its Content-Length before the body is read (registro.core.files.limits).
UPLOAD_REQUEST_MAX_BYTES = env_int("UPLOAD_REQUEST_MAX_BYTES", 7 * DOCUMENT_MAX_BYTES + 1024 * 1024)
# The upload is refused while it streams, as soon as one file passes DOCUMENT_MAX_BYTES.
FILE_UPLOAD_HANDLERS = [
    "registro.core.files.limits.UploadLimitHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
# Opening an upload (pypdf, zipfile) or rendering a page (PDFium) runs in a child process with
# this much address space and time (registro.core.files.isolation).
FILE_CHECK_MEMORY_BYTES = env_int("FILE_CHECK_MEMORY_BYTES", 768 * 1024 * 1024)
FILE_CHECK_TIMEOUT_SECONDS = env_int("FILE_CHECK_TIMEOUT_SECONDS", 30)
# Page images of PDFs for the desk: width in pixels, and the tallest image (very long pages).
PREVIEW_WIDTH = env_int("PREVIEW_WIDTH", 1000)
PREVIEW_MAX_HEIGHT = env_int("PREVIEW_MAX_HEIGHT", 4000)

# --- Background tasks -----------------------------------------------------------------------
# `database` (django-tasks-db, the `make run` default: nothing but the database) or `rq` (RQ on
# Redis, django-tasks-rq). `manage.py run_worker` starts the worker of whichever is configured.
TASKS_BACKEND = os.environ.get("TASKS_BACKEND") or "database"
TASKS_REDIS_URL = os.environ.get("TASKS_REDIS_URL") or (CACHE_URL if CACHE_IS_REDIS else "redis://127.0.0.1:6379/0")
# Always defined: the health check pings `django_rq.get_connection("default")` when TASKS_BACKEND=rq.
# RQ's own default job timeout (180 s) would kill a large invitation or the open-data snapshot.
RQ_QUEUES = {"default": {"URL": TASKS_REDIS_URL, "DEFAULT_TIMEOUT": env_int("TASKS_RQ_JOB_TIMEOUT", 3600)}}
RQ = {"JOB_CLASS": "django_tasks_rq.Job"}
if TASKS_BACKEND == "rq":
    TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}}
elif TASKS_BACKEND == "database":
    TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
else:
    raise ImproperlyConfigured("TASKS_BACKEND must be 'database' or 'rq'.")
# What `manage.py run_scheduler` enqueues: `every` N seconds, or daily `at` HH:MM (TIME_ZONE). An
# empty OPEN_DATA_SNAPSHOT_AT leaves the snapshot to cron (`manage.py open_data_snapshot`).
# Several schedulers may run (one per app server): each occurrence is claimed in the cache once.
OPEN_DATA_SNAPSHOT_AT = os.environ.get("OPEN_DATA_SNAPSHOT_AT", "02:15")
# Queued or retrying e-mails whose send is this overdue are enqueued again (their task was lost
# with a killed worker or a flushed Redis); sending twice is harmless (`email_send`).
EMAIL_SWEEP_INTERVAL_SECONDS = env_int("EMAIL_SWEEP_INTERVAL_SECONDS", 300)
EMAIL_SWEEP_AFTER_SECONDS = env_int("EMAIL_SWEEP_AFTER_SECONDS", 900)
SCHEDULED_TASKS = [
    {"name": "email_sweep", "task": "registro.notifications.tasks.email_sweep", "every": EMAIL_SWEEP_INTERVAL_SECONDS},
]
if OPEN_DATA_SNAPSHOT_AT:
    SCHEDULED_TASKS.append(
        {"name": "open_data_snapshot", "task": "registro.publico.tasks.open_data_snapshot", "at": OPEN_DATA_SNAPSHOT_AT}
    )

# --- Internationalisation -------------------------------------------------------------------
LANGUAGE_CODE = "es-co"
LANGUAGES = [("es-co", "Español (Colombia)")]
TIME_ZONE = "America/Bogota"
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "registro" / "locale"]

# --- Static files ---------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
# Uploaded documents: local disk under MEDIA_ROOT, or an S3-compatible store (AWS S3, MinIO,
# Ceph...) when DOCUMENT_STORAGE=s3; django-storages reads the AWS_* variables below.
DOCUMENT_STORAGE = os.environ.get("DOCUMENT_STORAGE", "filesystem")
if DOCUMENT_STORAGE == "s3":
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ.get("AWS_STORAGE_BUCKET_NAME", ""),
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "access_key": os.environ.get("AWS_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("AWS_SECRET_ACCESS_KEY") or None,
            "default_acl": None,
            "querystring_auth": True,
            # Signature V4: what AWS regions since 2014, MinIO and Ceph accept for presigned URLs.
            "signature_version": os.environ.get("AWS_S3_SIGNATURE_VERSION", "s3v4"),
            "file_overwrite": False,
        },
    }
elif DOCUMENT_STORAGE == "filesystem":
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
else:
    raise ImproperlyConfigured("DOCUMENT_STORAGE must be 'filesystem' or 's3'.")
# The open-data snapshots (registro/publico/snapshots.py): local disk under VAR_DIR/datos-abiertos,
# or the S3-compatible store (same AWS_* credentials; its own bucket or a prefix of the documents').
OPEN_DATA_STORAGE = os.environ.get("OPEN_DATA_STORAGE", "filesystem")
if OPEN_DATA_STORAGE == "s3":
    _open_data_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ.get("OPEN_DATA_BUCKET") or os.environ.get("AWS_STORAGE_BUCKET_NAME", ""),
            "location": os.environ.get("OPEN_DATA_PREFIX", "datos-abiertos"),
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("AWS_S3_REGION_NAME") or None,
            "access_key": os.environ.get("AWS_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("AWS_SECRET_ACCESS_KEY") or None,
            "default_acl": None,
            "querystring_auth": True,
            "signature_version": os.environ.get("AWS_S3_SIGNATURE_VERSION", "s3v4"),
            "file_overwrite": True,
        },
    }
elif OPEN_DATA_STORAGE == "filesystem":
    _open_data_storage = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": str(VAR_DIR / "datos-abiertos")},
    }
else:
    raise ImproperlyConfigured("OPEN_DATA_STORAGE must be 'filesystem' or 's3'.")
STORAGES = {
    "default": _default_storage,
    "open_data": _open_data_storage,
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "media"
# With S3 storage a download answers with a redirect to a presigned URL valid this many seconds
# (the access checks and the download record happen first); the file never passes through the
# app server. DOCUMENT_SIGNED_URLS=0 streams it through the app server instead.
DOCUMENT_SIGNED_URLS = env_bool("DOCUMENT_SIGNED_URLS", DOCUMENT_STORAGE == "s3")
DOCUMENT_URL_EXPIRY_SECONDS = env_int("DOCUMENT_URL_EXPIRY_SECONDS", 60)

# --- Security headers -----------------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
CSRF_FAILURE_VIEW = "registro.core.error_views.csrf_failure"
if BEHIND_TLS_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", HTTPS)
# A load balancer's probes and Prometheus may come over plain HTTP, straight to gunicorn.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^health/$", r"^metrics$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 365 * 24 * 3600 if HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", HTTPS)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Content-Security-Policy (django-csp): scripts, styles and everything else from this site only;
# no inline script or style, no plugins, no framing by other sites. Downloads carry their own
# "sandbox" policy (registro/core/files/stored.py), which the middleware leaves alone.
_SELF, _NONE = "'self'", "'none'"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [_SELF],
        "script-src": [_SELF],
        "style-src": [_SELF],
        "img-src": [_SELF, "data:"],
        "font-src": [_SELF],
        "connect-src": [_SELF],
        "frame-src": [_NONE],
        "object-src": [_NONE],
        "base-uri": [_SELF],
        "form-action": [_SELF],
        "frame-ancestors": [_NONE],
    }
}
# Browser features the product never uses, switched off for every page (django-permissions-policy).
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
}

NINJA_PAGINATION_PER_PAGE = 20

# --- Public view and open data (registro/publico) -------------------------------------------
# Anonymous clients of /api/v1/publico/: requests per IP address (allauth's rate syntax, counted in
# the cache like the login limits); users who are logged in are not limited by it.
RATE_LIMIT_PUBLIC_API = os.environ.get("RATE_LIMIT_PUBLIC_API", "120/m/ip")
# How long browsers and proxies may keep a public page or a download before asking again (seconds).
PUBLIC_CACHE_SECONDS = env_int("PUBLIC_CACHE_SECONDS", 300)
# Rows fetched per round trip from the server-side cursor of every download.
OPEN_DATA_CHUNK_SIZE = env_int("OPEN_DATA_CHUNK_SIZE", 2000)

# --- Operations: logs, health report, metrics (docs/adr/0020) --------------------------------
# "json" (one JSON object a line, for journald and log collectors) or "text" (readable, `make run`).
# Every record carries request_id, user_id and account_id; secrets are redacted on the handler.
LOG_FORMAT = os.environ.get("LOG_FORMAT") or ("text" if DEBUG else "json")
if LOG_FORMAT not in {"json", "text"}:
    raise ImproperlyConfigured("LOG_FORMAT must be 'json' or 'text'.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "context": {"()": "registro.core.observability.logs.RequestContextFilter"},
        "redact": {"()": "registro.core.observability.logs.RedactingFilter"},
    },
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": "time",  # ISO 8601, UTC
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["context", "redact"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # One line per request from RequestObservabilityMiddleware; LOG_REQUESTS=0 leaves gunicorn's
        # access log alone.
        "registro.request": {"level": "INFO" if env_bool("LOG_REQUESTS", True) else "WARNING"},
    },
}

# /health/: the components' detail for a bearer of HEALTH_TOKEN or a client in HEALTH_TRUSTED_IPS
# (CIDRs; the client's address as registro/core/network.py sees it); others get the status alone.
# Defaults: the metrics' token and addresses.
METRICS_TOKEN = os.environ.get("METRICS_TOKEN", "")
# A `Server-Timing: app;dur=…` header on every answer (the time the request spent in Django, as the
# logs' duration_ms): browsers' developer tools and benchmarks/directory.py read it. Off by default:
# it tells every client how long its request took on the server.
SERVER_TIMING = env_bool("SERVER_TIMING", False)
METRICS_TRUSTED_IPS = env_list("METRICS_TRUSTED_IPS", [])
HEALTH_TOKEN = os.environ.get("HEALTH_TOKEN") or METRICS_TOKEN
HEALTH_TRUSTED_IPS = env_list("HEALTH_TRUSTED_IPS", METRICS_TRUSTED_IPS)
for _cidr in METRICS_TRUSTED_IPS + HEALTH_TRUSTED_IPS:
    try:
        ipaddress.ip_network(_cidr, strict=False)
    except ValueError as exc:
        raise ImproperlyConfigured(f"METRICS_TRUSTED_IPS/HEALTH_TRUSTED_IPS: {_cidr!r} is not a network.") from exc
# The task queue is reported failed when its oldest due task has waited this long (no worker
# running?); 0: never.
HEALTH_TASK_MAX_AGE_SECONDS = env_int("HEALTH_TASK_MAX_AGE_SECONDS", 900)
# Each process answers /health/ from its last report for this long (the checks write to storage).
HEALTH_CACHE_SECONDS = env_int("HEALTH_CACHE_SECONDS", 5)

HEADLESS_SPECIFICATION_TEMPLATE_NAME = "api/auth_openapi.html"
