"""What the production-path tests share: the Redis server CI runs (its databases 1-5 are these
tests'), ports for child servers, an SMTP sink that can hold or refuse a message, and the
environment of a child process (worker, scheduler, gunicorn) on the production settings."""

import asyncio
import email
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import suppress
from email import policy
from pathlib import Path

import pytest
import redis
from aiosmtpd.controller import Controller

ROOT = Path(__file__).resolve().parents[2]
REDIS_HOST = os.environ.get("TEST_REDIS_HOST", "127.0.0.1:6379")
PORTS = range(*map(int, os.environ.get("TEST_PORT_RANGE", "8600-8700").split("-")))


def redis_url(db: int) -> str:
    return f"redis://{REDIS_HOST}/{db}"


def redis_flushed(url: str) -> redis.Redis:
    """A connection to `url`, emptied. CI runs Redis: its absence fails the test, never skips it."""
    conn = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        conn.flushdb()
    except redis.RedisError as exc:
        pytest.fail(f"Redis at {url} does not answer: {exc}", pytrace=False)
    return conn


def free_port(*, taken=()) -> int:
    for port in PORTS:
        if port in taken:
            continue
        with socket.socket() as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError(f"no free port in {PORTS}")


def database_url(settings_dict: dict) -> str:
    """The URL of the database this test runs on, for a child process."""
    if settings_dict["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{settings_dict['NAME']}"
    user = settings_dict.get("USER") or "postgres"
    password = f":{settings_dict['PASSWORD']}" if settings_dict.get("PASSWORD") else ""
    host = settings_dict.get("HOST") or "127.0.0.1"
    return f"postgres://{user}{password}@{host}:{settings_dict.get('PORT') or 5432}/{settings_dict['NAME']}"


def child_env(tmp_path: Path, **variables: str) -> dict[str, str]:
    """The production settings (config.settings, DEBUG off) with `variables`."""
    env = {key: value for key, value in os.environ.items() if not key.startswith(("EMAIL_", "PYTEST_"))}
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DEBUG": "0",
            "SECRET_KEY": "production-path-tests",
            "VAR_DIR": str(tmp_path),
            "DEV_OUTBOX": "0",
            "PYTHONUNBUFFERED": "1",
        }
    )
    env.update(variables)
    return env


def start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen:
    """`python <args>` in its own process group (a worker's forks die with it)."""
    handle = open(log, "ab")  # noqa: SIM115 - closed with the process by `stop`
    proc = subprocess.Popen(
        [sys.executable, *args], cwd=ROOT, env=env, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True
    )
    proc._log = handle
    return proc


def descendants(pid: int) -> list[int]:
    """Every process below `pid`, RQ's work horses included (they start their own session)."""
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            with suppress(OSError):
                parents[int(entry)] = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
    found, frontier = [], [pid]
    while frontier:
        children = [child for child, parent in parents.items() if parent in frontier]
        found += children
        frontier = children
    return found


def kill_tree(proc: subprocess.Popen) -> None:
    """SIGKILL to the process and everything below it at once, as when its machine dies."""
    for pid in [proc.pid, *descendants(proc.pid)]:
        with suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    stop(proc)


def stop(proc: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 10) -> None:
    """`sig` to the whole group, then SIGKILL to whatever is left."""
    with suppress(ProcessLookupError):
        os.killpg(proc.pid, sig)
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        pass
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    proc._log.close()


def wait_until(condition, *, timeout: float, what: str, interval: float = 0.1, logs=()):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            tails = "\n".join(f"--- {log}\n{Path(log).read_text(errors='replace')[-3000:]}" for log in logs)
            raise AssertionError(f"{what}: not within {timeout}s\n{tails}")
        time.sleep(interval)


class SmtpSink:
    """A local SMTP server. `hold_first`: the first message's DATA gets no answer until `release()`
    (a send in progress); `refuse_first`: it gets a temporary error (451). Keeps what it accepted,
    with the time of every DATA command."""

    def __init__(self, *, hold_first: bool = False, refuse_first: bool = False):
        self.hold_first, self.refuse_first = hold_first, refuse_first
        self.accepted: list[str] = []  # subjects
        self.attempts: list[tuple[float, str]] = []  # (time.time(), subject)
        self.held = threading.Event()
        self.held_subject = ""
        self._released = False
        self._first_done = False
        self.controller = Controller(self, hostname="127.0.0.1", port=free_port())

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        subject = str(message["Subject"])
        self.attempts.append((time.time(), subject))
        if not self._first_done:
            self._first_done = True
            if self.hold_first:
                self.held_subject = subject
                self.held.set()
                while not self._released:
                    await asyncio.sleep(0.05)
                return "451 4.3.0 Sender went away"
            if self.refuse_first:
                return "451 4.3.0 Try again later"
        self.accepted.append(subject)
        return "250 Message accepted for delivery"

    def release(self) -> None:
        self._released = True

    @property
    def port(self) -> int:
        return self.controller.port

    def __enter__(self):
        self.controller.start()
        return self

    def __exit__(self, *exc):
        self.release()
        self.controller.stop()
