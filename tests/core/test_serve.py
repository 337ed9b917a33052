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
        assert len(children) == 2, children  # gunicorn master and db_worker
        os.killpg(server.pid, signal.SIGINT)  # what Ctrl-C sends to the terminal's process group
        output = server.communicate(timeout=30)[0].decode()
        assert server.returncode == 0
        assert "Detenido" in output
        for pid in children:
            assert not Path(f"/proc/{pid}").exists() or "zombie" in Path(f"/proc/{pid}/status").read_text().lower()
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
