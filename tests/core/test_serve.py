"""`manage.py serve` (what `make run` starts): web server and task worker together; an interrupt
stops both."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve_env(tmp_path) -> dict:
    """The production settings on a throw-away SQLite database, no mail server."""
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "serve-test",
        "VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEV_OUTBOX": "0",
    }
    env.pop("EMAIL_HOST", None)
    return env


def test_serve_starts_web_and_worker_and_ctrl_c_stops_both(tmp_path):
    env = serve_env(tmp_path)
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "manage.py", "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        status = None
        for _ in range(60):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
                    status = response.status
                    break
            except OSError:
                time.sleep(0.5)
        assert status == 200
        children = subprocess.run(["pgrep", "-P", str(server.pid)], capture_output=True, text=True).stdout.split()
        assert len(children) == 2, children  # gunicorn master and the task worker
        commands = sorted(Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[1:3] for pid in children)
        # The worker of the configured backend (TASKS_BACKEND, here the database's): run_worker.
        assert [b"-m", b"gunicorn"] in commands and [b"manage.py", b"run_worker"] in commands
        os.killpg(server.pid, signal.SIGINT)  # what Ctrl-C sends to the terminal's process group
        output = server.communicate(timeout=30)[0].decode()
        assert server.returncode == 0
        assert "Detenido" in output
        for pid in children:
            assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text().lower()
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)


def test_serve_starts_the_configured_worker_and_on_request_the_scheduler(monkeypatch):
    from django.core.management import call_command

    started = []

    class Exited:
        returncode = 0

        def __init__(self, args):
            started.append(args[1:])

        def poll(self):
            return 0  # gone at once: serve stops the rest and returns

        def wait(self, timeout=None):
            return 0

    monkeypatch.setattr(subprocess, "Popen", Exited)
    monkeypatch.setattr(signal, "signal", lambda *args: None)
    call_command("serve", "--port", "8601", "--scheduler")
    assert started[0][:2] == ["-m", "gunicorn"]
    assert started[1:] == [["manage.py", "run_worker"], ["manage.py", "run_scheduler"]]
    started.clear()
    call_command("serve", "--port", "8601")
    assert started[1:] == [["manage.py", "run_worker"]]
