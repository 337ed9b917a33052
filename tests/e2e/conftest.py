"""Fixtures and helpers for the browser tests: a real SMTP server the site sends to, a headless
Chromium, and the steps every test takes (finding a field, logging in)."""

import email
import os
import re
import socket
import time
from email import policy
from email.message import EmailMessage

import pyotp
import pytest
from aiosmtpd.controller import Controller
from playwright.sync_api import Browser, Page, expect

from tests.factories import PASSWORD, TOTP_SECRET

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


class _Collect:
    """aiosmtpd handler that keeps every message it accepts."""

    def __init__(self):
        self.messages: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(envelope.original_content or envelope.content)
        return "250 Message accepted for delivery"


class SmtpSink:
    def __init__(self, handler: _Collect):
        self._handler = handler

    @property
    def messages(self) -> list[EmailMessage]:
        return [email.message_from_bytes(raw, policy=policy.default) for raw in list(self._handler.messages)]

    def wait_for(self, *, to: str, subject: str = "", timeout: float = 10.0) -> EmailMessage:
        """The first message sent to `to` whose subject holds `subject` (the sink may also hold
        earlier ones to the same address); polls because the site sends after its transaction
        commits."""
        deadline = time.monotonic() + timeout
        while True:
            for message in self.messages:
                # Long non-ASCII subjects are folded over several lines.
                if to in str(message["To"]) and subject in _subject(message):
                    return message
            if time.monotonic() > deadline:
                received = [(str(m["To"]), _subject(m)) for m in self.messages]
                raise AssertionError(f"No e-mail to {to} about «{subject}» within {timeout}s; received: {received}")
            time.sleep(0.1)


def _subject(message: EmailMessage) -> str:
    return " ".join(str(message["Subject"]).split())


def text_of(message: EmailMessage) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def _free_port() -> int:
    # aiosmtpd's Controller checks the server by connecting to the port it was given, so it
    # cannot be 0: ask the OS for a free one first.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def smtp_sink(settings):
    """A local SMTP server, and Django's real SMTP backend pointed at it for this test."""
    handler = _Collect()
    controller = Controller(handler, hostname="127.0.0.1", port=_free_port())
    controller.start()
    # Requested after tests/conftest.py's autouse fixture, so this wins over its locmem backend.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 5
    try:
        yield SmtpSink(handler)
    finally:
        controller.stop()


@pytest.fixture
def browser(monkeypatch):
    """One headless Chromium (Debian's browser; Playwright's own download is never used). Each
    person in a test gets their own context (cookies, session) from it with `new_page`."""
    if not os.path.exists(CHROMIUM):
        pytest.fail(
            f"{CHROMIUM} not found: the browser tests need Debian's chromium package "
            "(apt-get install chromium; CI installs it in .ci/run).",
            pytrace=False,
        )
    # Playwright's sync API keeps an asyncio loop in this thread, which makes Django refuse ORM
    # calls here (fixture teardown flushes the database) unless told the use is safe.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    _csp_violations.clear()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()  # closes the contexts too
    # Every page the test opened ran under the site's Content-Security-Policy: nothing was blocked.
    assert _csp_violations == [], _csp_violations


_csp_violations: list[str] = []


def _watch_csp(message) -> None:
    if "Content Security Policy" in message.text:
        _csp_violations.append(message.text)


def new_page(browser: Browser) -> Page:
    context = browser.new_context(locale="es-CO", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.on("console", _watch_csp)
    return page


@pytest.fixture
def page(browser) -> Page:
    """A fresh page, for tests with one person."""
    return new_page(browser)


def field(scope, label: str):
    # Labels of required fields end in a " *" marker (hidden from the accessible name); match the
    # whole label, not a prefix of another ("Contraseña" vs "Confirmación de la contraseña").
    return scope.get_by_label(re.compile(rf"^{re.escape(label)}( \*)?$"))


def submit_login(page: Page, live_server, username: str, password: str) -> None:
    """ "Entrar" from the home page, as the user would; the caller checks the outcome."""
    page.goto(live_server.url)
    page.get_by_role("link", name="Entrar", exact=True).first.click()
    field(page, "Usuario o correo electrónico").fill(username)
    field(page, "Contraseña").fill(password)
    page.get_by_role("button", name="Entrar", exact=True).click()


def log_in(page: Page, live_server, user, password: str = PASSWORD) -> None:
    submit_login(page, live_server, user.username, password)
    if page.url.endswith("/cuentas/2fa/authenticate/"):
        # The second step, for those the factories give an authenticator app (the desk).
        field(page, "Código de verificación").fill(pyotp.TOTP(TOTP_SECRET).now())
        page.get_by_role("button", name="Verificar").click()
    expect(page.get_by_role("button", name=f"Salir ({user.username})")).to_be_visible()


@pytest.fixture(scope="session", autouse=True)
def _close_live_server_connections(django_db_setup, django_db_blocker):
    """The live server answers each request in a daemon thread with its own database connection;
    one still waiting on a browser's keep-alive socket when the session ends is never closed, and
    PostgreSQL then refuses to drop the test database. Set up before the live server, so this runs
    after it stops and before the database is dropped."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


AXE_SOURCE = os.path.join(os.path.dirname(__file__), "vendor", "axe.min.js")  # axe-core 4.14.1, MPL-2.0
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page: Page) -> list[dict]:
    """axe-core's WCAG 2.1 A and AA violations on the page as it is now (vendored, offline). Each
    entry keeps the rule, its impact and the failing elements, so a failure says what to fix."""
    # Evaluated through the DevTools protocol, not as a <script>: the site's CSP stays untouched.
    with open(AXE_SOURCE, encoding="utf-8") as handle:
        page.evaluate(handle.read())
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", AXE_TAGS)
    return [
        {
            "rule": violation["id"],
            "impact": violation["impact"],
            "help": violation["help"],
            "nodes": [node["target"] for node in violation["nodes"]][:5],
        }
        for violation in result["violations"]
    ]


def assert_accessible(page: Page) -> None:
    violations = axe_violations(page)
    assert violations == [], f"axe-core (WCAG 2.1 AA) on {page.url}: {violations}"
