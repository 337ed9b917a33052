"""Settings for the test suite and for `makemigrations --check`: the real settings, read with a
test environment. Per-test overrides live in tests/conftest.py."""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
os.environ.setdefault("DEBUG", "0")
os.environ["DEV_OUTBOX"] = "1"
# Tests never talk to the developer's mail server.
os.environ.pop("EMAIL_HOST", None)

from .settings import *  # noqa: E402,F403

# The test client and the browser tests' live server speak plain HTTP; WebAuthn wants HTTPS.
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = True

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not shared-cache memory: concurrent tests then see SQLite's real locking.
    import tempfile

    DATABASES["default"]["TEST"] = {"NAME": os.path.join(tempfile.gettempdir(), f"registro-test-{os.getpid()}.sqlite3")}  # noqa: F405
