"""Several app servers: two gunicorn instances on different ports share one PostgreSQL database
(created here, in both CI passes), one Redis (cache, sessions, rate limits, task queue) and one
storage. A user logs in on one and acts on the other with the same cookies; failed logins
alternating between them spend one budget."""

import os
import re
import urllib.parse
import uuid
from concurrent.futures import ThreadPoolExecutor

import psycopg
import pytest
import requests

from .support import child_env, free_port, redis_flushed, redis_url, start, stop, wait_until

pytestmark = pytest.mark.app_servers

SERVER_URL = os.environ.get("TEST_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
PASSWORD = "Clave#Segura2026"  # tests.factories.PASSWORD, which the seed below uses
LOGIN = "/cuentas/login/"
# A user of an active account (not its Administrador) with one document in the shared storage.
SEED = """
from tests.entities.directory_data import documento
from tests.factories import EntidadFactory, MembresiaFactory, UserFactory
entidad = EntidadFactory(estado="activa")
MembresiaFactory(entidad=entidad)
MembresiaFactory(entidad=entidad, usuario=UserFactory(username="servidores"), rol="comprador")
print("DOCUMENT", documento(entidad, "rut").pk)
"""


def pg_admin(*statements: str) -> None:
    conninfo = urllib.parse.urlunsplit(urllib.parse.urlsplit(SERVER_URL)._replace(scheme="postgresql"))
    try:
        with psycopg.connect(conninfo, autocommit=True, connect_timeout=5) as conn:
            for statement in statements:
                conn.execute(statement)
    except psycopg.OperationalError as exc:  # CI runs PostgreSQL: its absence fails, never skips
        pytest.fail(f"PostgreSQL at {SERVER_URL} does not answer: {exc}", pytrace=False)


@pytest.fixture
def shared(tmp_path):
    """A fresh PostgreSQL database, migrated, with one user; Redis databases 3 (cache) and 4 (tasks)."""
    name = f"prodpath_servers_{uuid.uuid4().hex[:8]}"
    pg_admin(f"CREATE DATABASE {name}")
    cache, tasks = redis_flushed(redis_url(3)), redis_flushed(redis_url(4))
    env = child_env(
        tmp_path,
        DATABASE_URL=urllib.parse.urlunsplit(urllib.parse.urlsplit(SERVER_URL)._replace(path=f"/{name}")),
        CACHE_URL=redis_url(3),
        TASKS_BACKEND="rq",
        TASKS_REDIS_URL=redis_url(4),
        RATE_LIMIT_LOGIN_FAILED="4/m/ip,100/5m/key",
        # Cheap hashes: the test is about sharing, not about Argon2's cost.
        ARGON2_TIME_COST="1",
        ARGON2_MEMORY_COST_KIB="8192",
    )
    try:
        # Both at once: the schema, and the static files' manifest that DEBUG=0 pages need.
        migrate = start(["manage.py", "migrate", "--noinput", "-v0"], env, tmp_path / "migrate.log")
        static = start(["manage.py", "collectstatic", "--noinput", "-v0"], env, tmp_path / "static.log")
        for proc, log in ((migrate, "migrate.log"), (static, "static.log")):
            assert proc.wait(timeout=90) == 0, (tmp_path / log).read_text()
            proc._log.close()
        seed = start(["manage.py", "shell", "-c", SEED], env, tmp_path / "seed.log")
        assert seed.wait(timeout=60) == 0, (tmp_path / "seed.log").read_text()
        seed._log.close()
        env["TEST_DOCUMENT"] = re.search(r"DOCUMENT (\d+)", (tmp_path / "seed.log").read_text()).group(1)
        yield env
    finally:
        cache.flushdb()
        tasks.flushdb()
        pg_admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def servers(shared, tmp_path):
    first = free_port()
    ports = [first, free_port(taken={first})]
    procs = [
        start(
            ["-m", "gunicorn", "config.wsgi:application", "--bind", f"127.0.0.1:{port}", "--workers", "1"]
            + ["--worker-class", "gthread", "--threads", "4", "--timeout", "30"],
            shared,
            tmp_path / f"gunicorn-{port}.log",
        )
        for port in ports
    ]
    urls = [f"http://127.0.0.1:{port}" for port in ports]
    logs = [tmp_path / f"gunicorn-{port}.log" for port in ports]
    try:
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(lambda url: wait_until(lambda: _answers(url), timeout=30, what=url, logs=logs), urls))
        yield urls
    finally:
        for proc in procs:
            stop(proc)


def _answers(url: str) -> bool:
    try:
        return requests.get(f"{url}/healthz", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def _csrf(session: requests.Session, url: str) -> str:
    page = session.get(url, timeout=10)
    assert page.status_code == 200, page.status_code
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)


def _login(session: requests.Session, base: str, password: str) -> requests.Response:
    token = _csrf(session, base + LOGIN)
    return session.post(
        base + LOGIN,
        {"login": "servidores", "password": password, "csrfmiddlewaretoken": token},
        allow_redirects=False,
        timeout=10,
    )


def test_log_in_on_one_server_act_on_the_other_and_failures_count_across_both(servers, shared):
    a, b = servers
    document = shared["TEST_DOCUMENT"]
    browser = requests.Session()
    assert _login(browser, a, PASSWORD).status_code == 302
    # The session cookie A issued is a session B knows: the page shows who is logged in.
    page = browser.get(f"{b}/usuario/accesos/", allow_redirects=False, timeout=10)
    assert page.status_code == 200 and "servidores" in page.text
    # A document written to the shared storage by another process downloads from either server.
    for base in (a, b):
        download = browser.get(f"{base}/entidades/documentos/{document}/", allow_redirects=False, timeout=10)
        assert download.status_code == 200 and download.content.startswith(b"%PDF")
    # A form posted to B with the same cookies: logging out there ends the session on A too.
    token = _csrf(browser, f"{b}/cuentas/logout/")
    assert (
        browser.post(f"{b}/cuentas/logout/", {"csrfmiddlewaretoken": token}, allow_redirects=False).status_code == 302
    )
    assert browser.get(f"{a}/usuario/accesos/", allow_redirects=False, timeout=10).status_code == 302

    # RATE_LIMIT_LOGIN_FAILED=4/m/ip: two failures on each server spend the whole budget...
    attacker = requests.Session()
    for base in (a, b, a, b):
        refused = _login(attacker, base, "Equivocada#1")
        assert refused.status_code == 200 and "demasiados" not in refused.text.lower()
    # ...so even the right password is refused now, on either server.
    for base in (a, b):
        blocked = _login(requests.Session(), base, PASSWORD)
        assert blocked.status_code == 200 and "demasiados" in blocked.text.lower()
