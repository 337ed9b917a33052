"""What the benchmark scripts share: a throw-away database, `manage.py` and child processes run with
the benchmark's environment, and the web server's processes. Not a benchmark itself."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import urllib.parse
from contextlib import closing, suppress
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
CHILD_FLAG = "--child"


class SetupError(RuntimeError):
    """The benchmark could not be set up (exit 1); a slow figure is never an error."""


def bench_database_url(server_url: str, db_name: str) -> tuple[str, str]:
    """(URL of the bench database, URL of the maintenance connection)."""
    parts = urllib.parse.urlsplit(server_url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        raise SetupError(f"--database-url must be a PostgreSQL URL, not {parts.scheme!r}")
    return urllib.parse.urlunsplit(parts._replace(path="/" + db_name)), server_url


def bench_database_create(server_url: str, db_name: str) -> tuple[str, str]:
    """Creates the benchmark's own database afresh on `server_url`; returns (its URL, the
    maintenance URL that `cleanup` drops it through)."""
    database_url, admin_url = bench_database_url(server_url, db_name)
    pg_admin(admin_url, f"DROP DATABASE IF EXISTS {db_name} WITH (FORCE)", f"CREATE DATABASE {db_name}")
    return database_url, admin_url


def cleanup(tmp: Path, *, admin_url: str, db_name: str, keep: bool) -> None:
    """Removes the temp dir and the benchmark's database (if one was created), unless `keep`."""
    if keep:
        print(f"Kept {tmp}" + (f" and database {db_name}" if admin_url else ""))
        return
    if admin_url:
        with suppress(Exception):
            pg_admin(admin_url, f"DROP DATABASE IF EXISTS {db_name} WITH (FORCE)")
    shutil.rmtree(tmp, ignore_errors=True)


def pg_admin(admin_url: str, *statements: str) -> None:
    import psycopg  # the project's own driver, from the venv

    parts = urllib.parse.urlsplit(admin_url)
    conninfo = urllib.parse.urlunsplit(parts._replace(scheme="postgresql"))
    with psycopg.connect(conninfo, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def run_manage(env: dict[str, str], *args: str, log: Path) -> str:
    with open(log, "a") as fh:
        fh.write(f"$ manage.py {' '.join(a if len(a) < 80 else a[:77] + '...' for a in args)}\n")
    proc = subprocess.run(
        [PYTHON, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, check=False, timeout=600
    )
    with open(log, "a") as fh:
        fh.write(proc.stdout + proc.stderr)
    if proc.returncode != 0:
        raise SetupError(f"manage.py {args[0]} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return proc.stdout


def run_child(
    script: str, env: dict[str, str], task: str, params: dict, tmp: Path, log: Path, *, timeout: int = 600
) -> dict:
    """Runs `task` of `script` (invoked with CHILD_FLAG) in a Django process with the benchmark's
    environment; parameters and result travel as JSON files."""
    in_path, out_path = tmp / f"{task}-in.json", tmp / f"{task}-out.json"
    in_path.write_text(json.dumps(params))
    with open(log, "a") as fh:
        fh.write(f"$ {Path(script).name} {CHILD_FLAG} {task}\n")
    proc = subprocess.run(
        [PYTHON, str(Path(script).resolve()), CHILD_FLAG, task, str(in_path), str(out_path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )
    with open(log, "a") as fh:
        fh.write(proc.stdout + proc.stderr)
    if proc.returncode != 0 or not out_path.exists():
        raise SetupError(f"{task} failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return json.loads(out_path.read_text())


def free_port() -> int:
    """A free TCP port on 127.0.0.1: the first free one of BENCH_PORT_RANGE ("8800-8899") when it
    is set (machines where each user has a range of ports), else any the system gives."""
    first, _sep, last = os.environ.get("BENCH_PORT_RANGE", "").partition("-")
    candidates = range(int(first), int(last or first) + 1) if first else [0]
    for port in candidates:
        with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return sock.getsockname()[1]
    raise SetupError(f"no free port in BENCH_PORT_RANGE={os.environ['BENCH_PORT_RANGE']}")


def ppid_map() -> dict[int, int]:
    result = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            result[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    return result


def gunicorn_workers(serve_pid: int) -> list[int]:
    """The gunicorn workers: grandchildren of `serve` (serve -> gunicorn master -> workers)."""
    ppids = ppid_map()
    masters = [p for p, pp in ppids.items() if pp == serve_pid]
    return [p for p, pp in ppids.items() if pp in masters]


def stop_server(proc: subprocess.Popen) -> None:
    """SIGTERM to `serve` (it forwards it to gunicorn), then SIGKILL to what is left of its group."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


def percentile(sorted_values: list[float], q: float) -> float | None:
    """Linear-interpolated percentile, q in [0, 1], of an already sorted list."""
    if not sorted_values:
        return None
    k = (len(sorted_values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


def http_status(port: int, path: str = "/healthz", timeout: float = 2.0) -> int | None:
    """The status of a GET to the local server, its body read and dropped; None if it does not answer."""
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        resp.read()
        return resp.status
    except OSError:
        return None
    finally:
        conn.close()


def serve_start(env: dict[str, str], port: int, log: Path, *, workers: int) -> subprocess.Popen:
    """The product's web server as `manage.py serve` runs it (gunicorn, `workers` workers, no task
    worker), once /healthz answers 200 and every worker is up."""
    import time

    fh = open(log, "ab")  # noqa: SIM115 - kept open for the server's lifetime
    proc = subprocess.Popen(
        [PYTHON, "manage.py", "serve", "--host", "127.0.0.1", "--port", str(port)]
        + ["--workers", str(workers), "--no-worker"],
        cwd=ROOT,
        env=env,
        stdout=fh,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    fh.close()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SetupError(f"the web server exited with {proc.returncode}; see {log}")
        if http_status(port) == 200 and len(gunicorn_workers(proc.pid)) >= workers:
            return proc
        time.sleep(0.25)
    raise SetupError("the web server did not answer /healthz with 200 within 60 s")
