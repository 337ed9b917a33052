"""Login capacity against the cost of the password hash alone.

Run as `.venv/bin/python benchmarks/login.py` (or `make bench`). In one run it:

1. builds a throw-away environment (temporary VAR_DIR, SQLite by default or a dedicated
   PostgreSQL database `bench_login` with `--database-url`), migrates it and creates users with a
   verified primary e-mail and the current terms accepted;
2. starts the product's web server exactly as `manage.py serve` does (gunicorn, 2 workers, no
   task worker) and waits for /healthz;
3. drives logins (GET /cuentas/login/ + POST the credentials, a new "browser" each time) from
   separate client processes, about 4 in flight, for `--seconds` after a warm-up;
4. measures Argon2 verifications per second alone, with the project's hasher and parameters, in
   2 processes (as many as web workers) and in 1 for reference;
5. prints logins/s, verifications/s, their ratio (target >= 0.8) and login latency;
6. stops the server and removes everything it created.

Only the standard library is used on the client side (http.client, regex for the CSRF token) so
the load generator takes as little CPU as possible from the 2-core machine it shares.
Exit status is 0 whatever the figures; non-zero only when the setup fails.
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing as mp
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from contextlib import closing, suppress
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
BENCH_DB_NAME = "bench_login"
PASSWORD = "Bench-Login-2024!x"  # satisfies the project's validators; set as a precomputed hash
TARGET_RATIO = 0.8
WEB_WORKERS = 2
LOGIN_PATH = "/cuentas/login/"
CSRF_INPUT_RE = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
CLK_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


class SetupError(RuntimeError):
    pass


# --- Environment ----------------------------------------------------------------------------


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="measured duration of each phase (default 20)")
    parser.add_argument("--warmup", type=float, default=3.0, help="warm-up before each measurement (default 3)")
    parser.add_argument("--concurrency", type=int, default=4, help="logins in flight (default 4)")
    parser.add_argument("--users", type=int, default=200, help="users created (default 200)")
    parser.add_argument(
        "--database-url",
        default="",
        help="PostgreSQL server to use, e.g. postgres://postgres@127.0.0.1:5432/postgres; the benchmark "
        f"creates and drops its own database {BENCH_DB_NAME!r} there. Default: SQLite in a temp dir.",
    )
    parser.add_argument(
        "--login-with", choices=("username", "email"), default="username", help="what users type in 'login'"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (and PG database) for inspection")
    return parser.parse_args(argv)


def bench_database_url(server_url: str) -> tuple[str, str]:
    """(URL of the bench database, URL of the maintenance connection)."""
    parts = urllib.parse.urlsplit(server_url)
    if parts.scheme not in ("postgres", "postgresql", "pgsql"):
        raise SetupError(f"--database-url must be a PostgreSQL URL, not {parts.scheme!r}")
    return urllib.parse.urlunsplit(parts._replace(path="/" + BENCH_DB_NAME)), server_url


def pg_admin(admin_url: str, *statements: str) -> None:
    import psycopg  # the project's own driver, from the venv

    parts = urllib.parse.urlsplit(admin_url)
    conninfo = urllib.parse.urlunsplit(parts._replace(scheme="postgresql"))
    with psycopg.connect(conninfo, autocommit=True) as conn:
        for statement in statements:
            conn.execute(statement)


def build_env(var_dir: Path, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CACHE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        VAR_DIR=str(var_dir),
        DATABASE_URL=database_url or f"sqlite:///{var_dir / 'db.sqlite3'}",
        # Every login of the benchmark comes from 127.0.0.1: the per-IP limits would stop it after
        # 30 a minute. The counting still happens (same cache reads and writes as in production).
        RATE_LIMIT_LOGIN="1000000/m/ip",
        RATE_LIMIT_LOGIN_FAILED="1000000/m/ip,1000000/5m/key",
        EMAIL_HOST="",
        PYTHONUNBUFFERED="1",
    )
    return env


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


CREATE_USERS = """
import json
from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import get_hasher, make_password
from registro.accounts.models import TermsAcceptance, User

N, PASSWORD = {n}, {password!r}
encoded = make_password(PASSWORD)  # hashed once: 200 x Argon2 would only slow the setup down
users = User.objects.bulk_create(
    User(
        username=f"bench{{i:04d}}", email=f"bench{{i:04d}}@example.com", password=encoded,
        first_name="Bench", last_name=f"Usuario {{i}}", document_type="CC", document_number=str(10_000_000 + i),
    )
    for i in range(N)
)
users = list(User.objects.filter(username__startswith="bench").order_by("pk"))
EmailAddress.objects.bulk_create(EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users)
TermsAcceptance.objects.bulk_create(TermsAcceptance(user=u, version=settings.TERMS_VERSION) for u in users)
hasher = get_hasher()
print("BENCH-JSON " + json.dumps({{
    "users": [[u.username, u.email] for u in users],
    "encoded": encoded,
    "hasher": f"{{type(hasher).__module__}}.{{type(hasher).__name__}}",
    "time_cost": hasher.time_cost, "memory_cost": hasher.memory_cost, "parallelism": hasher.parallelism,
    "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
    "cache": settings.CACHES["default"]["BACKEND"].rsplit(".", 1)[-1],
    "rate_limits": {{k: settings.ACCOUNT_RATE_LIMITS[k] for k in ("login", "login_failed")}},
}}))
"""


def prepare(env: dict[str, str], n_users: int, log: Path) -> dict:
    run_manage(env, "migrate", "--noinput", log=log)
    run_manage(env, "createcachetable", log=log)
    run_manage(env, "collectstatic", "--noinput", "--verbosity", "0", log=log)
    out = run_manage(env, "shell", "-c", CREATE_USERS.format(n=n_users, password=PASSWORD), log=log)
    for line in out.splitlines():
        if line.startswith("BENCH-JSON "):
            return json.loads(line[len("BENCH-JSON ") :])
    raise SetupError("user creation printed no result")


# --- Web server -----------------------------------------------------------------------------


def free_port() -> int:
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def http_get_status(port: int, path: str, timeout: float = 2.0) -> int | None:
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


def start_server(env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    # The product's own entry point (`make run` -> manage.py serve), without the task worker.
    fh = open(log, "ab")  # noqa: SIM115 - kept open for the server's lifetime
    proc = subprocess.Popen(
        [PYTHON, "manage.py", "serve", "--host", "127.0.0.1", "--port", str(port)]
        + ["--workers", str(WEB_WORKERS), "--no-worker"],
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
        if http_get_status(port, "/healthz") == 200 and len(gunicorn_workers(proc.pid)) >= WEB_WORKERS:
            return proc
        time.sleep(0.25)
    raise SetupError("the web server did not answer /healthz with 200 within 60 s")


def stop_server(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)  # serve forwards it to gunicorn
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    # Anything of the group that outlived serve (it was started in its own session).
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


# --- /proc accounting (Linux; figures are left out elsewhere) ---------------------------------


def _ppid_map() -> dict[int, int]:
    result = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            result[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    return result


def descendants(pid: int) -> list[int]:
    if not os.path.isdir("/proc"):
        return []
    ppids = _ppid_map()
    found, frontier = [], [pid]
    while frontier:
        parent = frontier.pop()
        children = [p for p, pp in ppids.items() if pp == parent]
        found += children
        frontier += children
    return found


def gunicorn_workers(serve_pid: int) -> list[int]:
    """The gunicorn workers: grandchildren of `serve` (serve -> gunicorn master -> workers)."""
    if not os.path.isdir("/proc"):
        return [0] * WEB_WORKERS
    ppids = _ppid_map()
    masters = [p for p, pp in ppids.items() if pp == serve_pid]
    return [p for p, pp in ppids.items() if pp in masters]


def cpu_seconds(pids: list[int]) -> float | None:
    total = 0
    try:
        for pid in pids:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime + stime
    except (OSError, IndexError, ValueError):
        return None
    return total / CLK_TCK


def machine_busy_seconds() -> float | None:
    """CPU-seconds spent not idle by the whole machine (all cores) since boot."""
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    except (OSError, ValueError):
        return None
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    return (sum(values[:8]) - idle) / CLK_TCK


@dataclass
class CpuWindow:
    pids: list[int]
    start: float | None = None
    busy_start: float | None = None
    end: float | None = None
    busy_end: float | None = None

    def begin(self) -> None:
        self.start, self.busy_start = cpu_seconds(self.pids), machine_busy_seconds()

    def finish(self) -> None:
        self.end, self.busy_end = cpu_seconds(self.pids), machine_busy_seconds()

    @property
    def processes(self) -> float | None:
        return None if self.start is None or self.end is None else self.end - self.start

    @property
    def machine(self) -> float | None:
        return None if self.busy_start is None or self.busy_end is None else self.busy_end - self.busy_start


# --- Timed workers (run in their own processes) ---------------------------------------------


@dataclass
class Window:
    """Start gate and measurement window shared by a phase's worker processes (wall clock)."""

    go: object
    t0: object  # mp.Value("d"): start of the measured window
    t1: object  # mp.Value("d"): end of it

    @classmethod
    def new(cls, ctx) -> Window:
        return cls(ctx.Event(), ctx.Value("d", 0.0), ctx.Value("d", 0.0))

    def wait(self) -> tuple[float, float]:
        self.go.wait()
        return self.t0.value, self.t1.value

    def open(self, warmup: float, seconds: float) -> tuple[float, float]:
        self.t0.value = time.time() + warmup
        self.t1.value = self.t0.value + seconds
        self.go.set()
        return self.t0.value, self.t1.value


def argon2_worker(env: dict[str, str], encoded: str, window: Window, ready, results) -> None:
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth.hashers import check_password

    assert check_password(PASSWORD, encoded)  # what ModelBackend does on login, must_update included
    ready.put(os.getpid())
    t0, t1 = window.wait()
    count, cpu_start, cpu_end = 0, None, None
    while True:
        now = time.time()
        if now >= t1:
            break
        if cpu_start is None and now >= t0:
            cpu_start = time.process_time()
        check_password(PASSWORD, encoded)
        done = time.time()
        if t0 <= done <= t1:
            count += 1
            cpu_end = time.process_time()
    results.put({"count": count, "cpu": (cpu_end or 0) - (cpu_start or 0)})


def _request(port: int, method: str, path: str, body: bytes | None, headers: dict) -> tuple[int, dict, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        cookies = {}
        for name, value in resp.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                cookies[key.strip()] = rest.split(";", 1)[0]
        return resp.status, {"location": resp.getheader("Location", ""), "cookies": cookies}, data
    finally:
        conn.close()


def login_once(port: int, login: str) -> tuple[bool, str]:
    """One new browser: GET the form, POST the credentials. (ok, reason)."""
    headers = {"Host": f"127.0.0.1:{port}", "User-Agent": "bench-login/1.0", "Accept": "text/html"}
    status, meta, body = _request(port, "GET", LOGIN_PATH, None, headers)
    if status != 200:
        return False, f"GET {status}"
    match = CSRF_INPUT_RE.search(body)
    cookies = meta["cookies"]
    if not match or "csrftoken" not in cookies:
        return False, "no csrf token"
    form = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": match.group(1).decode(), "login": login, "password": PASSWORD}
    ).encode()
    post_headers = {
        **headers,
        "Content-Type": "application/x-www-form-urlencoded",
        "Cookie": "; ".join(f"{k}={v}" for k, v in cookies.items()),
        "Referer": f"http://127.0.0.1:{port}{LOGIN_PATH}",
        "Origin": f"http://127.0.0.1:{port}",
    }
    status, meta, _ = _request(port, "POST", LOGIN_PATH, form, post_headers)
    if status != 302 or meta["location"].startswith(LOGIN_PATH) or "sessionid" not in meta["cookies"]:
        return False, f"POST {status} {meta['location']}".strip()
    return True, ""


def login_worker(port: int, logins: list[str], window: Window, ready, results) -> None:
    ready.put(os.getpid())
    t0, t1 = window.wait()
    ok_latencies: list[float] = []
    failures: dict[str, int] = {}
    i = 0
    while True:
        start = time.time()
        if start >= t1:
            break
        try:
            ok, reason = login_once(port, logins[i % len(logins)])
        except OSError as exc:
            ok, reason = False, type(exc).__name__
        i += 1
        done = time.time()
        if not (t0 <= done <= t1):
            continue
        if ok:
            ok_latencies.append(done - start)
        else:
            failures[reason] = failures.get(reason, 0) + 1
    results.put({"latencies": ok_latencies, "failures": failures})


def run_phase(ctx, target, args_for, n: int, warmup: float, seconds: float, extra_pids=()):
    """Starts n worker processes, waits until all are ready, measures, returns (results, cpu)."""
    window, ready, results = Window.new(ctx), ctx.Queue(), ctx.Queue()
    procs = [ctx.Process(target=target, args=(*args_for(i), window, ready, results), daemon=True) for i in range(n)]
    for proc in procs:
        proc.start()
    worker_pids = [ready.get(timeout=120) for _ in procs]
    cpu = {"workers": CpuWindow(worker_pids), "extra": CpuWindow(list(extra_pids))}
    t0, t1 = window.open(warmup, seconds)
    time.sleep(max(0.0, t0 - time.time()))
    for c in cpu.values():
        c.begin()
    time.sleep(max(0.0, t1 - time.time()))
    for c in cpu.values():
        c.finish()
    collected = [results.get(timeout=180) for _ in procs]
    for proc in procs:
        proc.join(timeout=30)
    return collected, cpu


# --- Report ---------------------------------------------------------------------------------


def percentile(sorted_values: list[float], q: float) -> float | None:
    if not sorted_values:
        return None
    k = (len(sorted_values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(sorted_values) - 1)
    return sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (k - lo)


def fmt(value, spec: str = ".1f", unit: str = "") -> str:
    return "n/a" if value is None else f"{value:{spec}}{unit}"


def _pct(cpu_seconds_: float | None, seconds: float) -> str:
    return fmt(None if cpu_seconds_ is None else cpu_seconds_ / seconds * 100, ".0f", " %")


def _other(busy: float | None, *own: float | None) -> float | None:
    if busy is None or any(v is None for v in own):
        return None
    return max(0.0, busy - sum(own))


def report(info: dict, args, login: dict, argon2_2: dict, argon2_1: dict) -> None:
    seconds = args.seconds
    ratio = login["rate"] / argon2_2["rate"] if argon2_2["rate"] else 0.0
    verdict = "PASS" if ratio >= TARGET_RATIO else "FAIL"
    lat = login["latencies"]
    web_ms = login["web_cpu"] / login["count"] * 1000 if login["count"] and login["web_cpu"] is not None else None
    verify_ms = argon2_2["cpu"] / argon2_2["count"] * 1000 if argon2_2["count"] else None
    client_ms = login["client_cpu"] / login["count"] * 1000 if login["count"] and login["client_cpu"] else None
    others = {
        "login": _other(login["busy"], login["web_cpu"], login["client_cpu"]),
        "argon2 x2": _other(argon2_2["busy"], argon2_2["proc_cpu"]),
        "argon2 x1": _other(argon2_1["busy"], argon2_1["proc_cpu"]),
    }
    rows = [
        ("Argon2 parameters", f"argon2id t={info['time_cost']} m={info['memory_cost']} KiB p={info['parallelism']}"),
        ("Hasher", info["hasher"]),
        ("Database / cache", f"{info['database']} / {info['cache']}"),
        ("Web server", f"gunicorn config.wsgi:application, {WEB_WORKERS} workers (manage.py serve --no-worker)"),
        (
            "Load",
            f"{args.concurrency} logins in flight by {args.login_with}, {seconds:g} s after {args.warmup:g} s warm-up",
        ),
        ("CPUs on this machine", str(os.cpu_count())),
        ("", ""),
        ("Logins/s via gunicorn (2 workers)", f"{login['rate']:.2f}  ({login['count']} ok, {login['failed']} failed)"),
        ("Argon2 verifications/s (2 procs)", f"{argon2_2['rate']:.2f}  ({argon2_2['count']} in {seconds:g} s)"),
        ("Argon2 verifications/s (1 proc)", f"{argon2_1['rate']:.2f}  (reference)"),
        ("Ratio logins/s / argon2/s", f"{ratio:.3f}  (target >= {TARGET_RATIO})  {verdict}"),
        (
            "Login latency p50 / p95 / max",
            f"{fmt(percentile(lat, 0.5), '.0f')} / {fmt(percentile(lat, 0.95), '.0f')} / "
            f"{fmt(lat[-1] if lat else None, '.0f')} ms  (GET + POST, {args.concurrency} in flight)",
        ),
        ("", ""),
        ("CPU per login, web workers", fmt(web_ms, ".1f", " ms")),
        ("CPU per verification, alone", fmt(verify_ms, ".1f", " ms")),
        ("CPU per login, load generator", fmt(client_ms, ".1f", " ms")),
        ("Login phase CPU: web workers", _pct(login["web_cpu"], seconds) + " of one core"),
        ("Login phase CPU: load generator", _pct(login["client_cpu"], seconds)),
        ("CPU of other processes", " / ".join(f"{k}: {_pct(v, seconds)}" for k, v in others.items())),
    ]
    if login["failures"]:
        rows.append(("Failures", ", ".join(f"{k}: {v}" for k, v in sorted(login["failures"].items()))))
    width = max(len(k) for k, _ in rows)
    line = "=" * (width + 62)
    print()
    print("Login benchmark (benchmarks/login.py)")
    print(line)
    for key, value in rows:
        print(f"{key:<{width}}  {value}" if key else "-" * len(line))
    print(line)
    noisy = [k for k, v in others.items() if v is not None and v / seconds > 0.15]
    if noisy:
        print(
            f"Note: other processes used more than 15 % of a core during {', '.join(noisy)}; "
            "the figures are disturbed (run again on a quiet machine)."
        )


# --- Main -----------------------------------------------------------------------------------


def main(argv=None) -> int:
    args = parse_args(argv)
    ctx = mp.get_context("spawn")
    tmp = Path(tempfile.mkdtemp(prefix="bench-login-"))
    log = tmp / "bench.log"
    database_url, admin_url = "", ""
    server = None
    pg_created = False
    try:
        if args.database_url:
            database_url, admin_url = bench_database_url(args.database_url)
            pg_admin(
                admin_url, f"DROP DATABASE IF EXISTS {BENCH_DB_NAME} WITH (FORCE)", f"CREATE DATABASE {BENCH_DB_NAME}"
            )
            pg_created = True
        env = build_env(tmp / "var", database_url)
        (tmp / "var").mkdir()
        print(f"Setting up in {tmp} ({'PostgreSQL ' + BENCH_DB_NAME if database_url else 'SQLite'}) ...", flush=True)
        info = prepare(env, args.users, log)
        field_index = 0 if args.login_with == "username" else 1
        logins = [u[field_index] for u in info["users"]]

        port = free_port()
        server = start_server(env, port, tmp / "server.log")
        workers = gunicorn_workers(server.pid)
        ok, reason = login_once(port, logins[0])
        if not ok:
            raise SetupError(f"a test login failed ({reason}); see {tmp / 'server.log'}")

        print(f"Logins: {args.concurrency} clients for {args.seconds:g} s on port {port} ...", flush=True)
        n = args.concurrency
        collected, cpu = run_phase(
            ctx,
            login_worker,
            lambda i: (port, logins[i::n] or logins),
            n,
            args.warmup,
            args.seconds,
            extra_pids=workers,
        )
        latencies = sorted(ms * 1000 for r in collected for ms in r["latencies"])
        failures: dict[str, int] = {}
        for r in collected:
            for k, v in r["failures"].items():
                failures[k] = failures.get(k, 0) + v
        login = {
            "count": len(latencies),
            "rate": len(latencies) / args.seconds,
            "failed": sum(failures.values()),
            "failures": failures,
            "latencies": latencies,
            "web_cpu": cpu["extra"].processes,
            "client_cpu": cpu["workers"].processes,
            "busy": cpu["workers"].machine,
        }
        stop_server(server)
        server = None

        argon2 = {}
        for procs in (2, 1):
            print(f"Argon2 alone: {procs} process(es) for {args.seconds:g} s ...", flush=True)
            collected, cpu = run_phase(
                ctx, argon2_worker, lambda i: (env, info["encoded"]), procs, args.warmup, args.seconds
            )
            count = sum(r["count"] for r in collected)
            argon2[procs] = {
                "count": count,
                "rate": count / args.seconds,
                "cpu": sum(r["cpu"] for r in collected),
                "proc_cpu": cpu["workers"].processes,
                "busy": cpu["workers"].machine,
            }

        report(info, args, login, argon2[2], argon2[1])
        return 0
    except (SetupError, subprocess.SubprocessError, OSError) as exc:
        print(f"Benchmark setup failed: {exc}", file=sys.stderr)
        return 1
    finally:
        if server is not None:
            stop_server(server)
        if pg_created and not args.keep:
            with suppress(Exception):
                pg_admin(admin_url, f"DROP DATABASE IF EXISTS {BENCH_DB_NAME} WITH (FORCE)")
        if args.keep:
            print(f"Kept {tmp}" + (f" and database {BENCH_DB_NAME}" if pg_created else ""))
        else:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
