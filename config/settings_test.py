"""Settings for the test suite and for `makemigrations --check`: the real settings, read with a
test environment. Per-test overrides live in tests/conftest.py."""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
os.environ.setdefault("DEBUG", "0")
os.environ["DEV_OUTBOX"] = "1"
# Tests never talk to the developer's mail server.
os.environ.pop("EMAIL_HOST", None)

from .settings import *  # noqa: E402,F403
