import pytest
from django.core import mail
from django.test import Client

from tests.factories import PASSWORD, UserFactory

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session", autouse=True)
def _logins_record_how_they_signed_in():
    """`Client.force_login` and `Client.login` skip allauth's login flow, which records in the
    session that the user signed in with the password. Recorded here as that flow does, so a test
    that logs a client in and acts at once has the recent proof sensitive actions need (ADR 0018);
    tests of the prompt move it back with `tests.proofs.expire_proofs`."""
    from tests.proofs import mark_signed_in

    original = Client._login

    def _login(self, user, backend=None):
        original(self, user, backend)
        mark_signed_in(self, user)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Client, "_login", _login)
        yield


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.PASSWORD_HASHERS = FAST_HASHERS
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    settings.DEV_OUTBOX = True
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    from django.core.cache import cache

    from registro.accounts.sessions import activity_memo_clear
    from registro.core.forms import reference_lists_forget

    cache.clear()
    activity_memo_clear()
    reference_lists_forget()


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The UNSPSC classifier (53,316 codes) is loaded once into the test database, not per test.
    Transactional tests, which pytest-django runs last, empty it: those that need it call
    `unspsc_load()`, which reloads only when the table is incomplete."""
    from registro.core.services import unspsc_load

    with django_db_blocker.unblock():
        unspsc_load()


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def client_logged_in(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def sent(django_capture_on_commit_callbacks):
    """Runs what the request queued after commit (e-mail tasks) and returns the sent messages."""

    class Sent:
        def __call__(self, fn, *args, **kwargs):
            with django_capture_on_commit_callbacks(execute=True):
                return fn(*args, **kwargs)

        @property
        def messages(self):
            return mail.outbox

    return Sent()


def pytest_collection_modifyitems(config, items):
    """`postgres_only` tests need real concurrent connections: skipped on SQLite."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (DATABASE_URL=postgres://...)")
    for item in items:
        if "postgres_only" in item.keywords:
            item.add_marker(skip)


@pytest.fixture
def reference_data(db):
    """The reference data `make run` loads (`reference_data_load`, idempotent)."""
    from registro.core.services import reference_data_load

    reference_data_load()
