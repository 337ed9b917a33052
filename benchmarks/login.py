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
   2 processes (as many as web workers) and in 1 for reference, for `--seconds` too; the three
   phases alternate in `--rounds` windows so that they share the machine's conditions;
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
import queue
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
from contextlib import suppress
from pathlib import Path

from harness import (
    ROOT,
    SetupError,
    bench_database_create,
    cleanup,
    free_port,
    gunicorn_workers,
    percentile,
    ppid_map,
    run_manage,
    serve_start,
)

BENCH_DB_NAME = "bench_login"
PASSWORD = "Bench-Login-2024!x"  # satisfies the project's validators; set as a precomputed hash
TARGET_RATIO = 0.8
WEB_WORKERS = 2
PHASES = ("login", "argon2 x2", "argon2 x1")
LOGIN_PATH = "/cuentas/login/"
CSRF_INPUT_RE = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')
CLK_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


# --- Environment ----------------------------------------------------------------------------


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="measured duration of each phase (default 20)")
    parser.add_argument("--warmup", type=float, default=3.0, help="warm-up before the first window (default 3)")
    parser.add_argument(
        "--rounds", type=int, default=4, help="windows each phase's --seconds is split into, alternating (default 4)"
    )
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
    parser.add_argument(
        "--client-ips",
        type=int,
        default=256,
        help="loopback source addresses the browsers come from, as users from many places do; 1 = all "
        "from 127.0.0.1 (one rate-limit key per action for everybody). Default 256",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (and PG database) for inspection")
    return parser.parse_args(argv)


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


def client_ips(n: int) -> list[str]:
    """127.0.0.1 and then other loopback addresses (Linux answers on all of 127/8)."""
    if n <= 1 or not sys.platform.startswith("linux"):
        return ["127.0.0.1"]
    return [f"127.0.{1 + k // 250}.{1 + k % 250}" for k in range(n)]


def start_server(env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    # The product's own entry point (`make run` -> manage.py serve), without the task worker.
    return serve_start(env, port, log, workers=WEB_WORKERS)


def stop_server(proc: subprocess.Popen) -> None:
    """SIGTERM to serve, which stops gunicorn; SIGKILL to what is left of our own process group."""
    started = [proc.pid, *descendants(proc.pid)]
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    for pid in started[1:]:
        with suppress(OSError):
            if os.getpgid(pid) == proc.pid:  # still ours (pids are not reused while we look)
                os.kill(pid, signal.SIGKILL)


# --- /proc accounting (Linux; figures are left out elsewhere) ---------------------------------


def descendants(pid: int) -> list[int]:
    if not os.path.isdir("/proc"):
        return []
    ppids, found, frontier = ppid_map(), [], [pid]
    while frontier:
        parent = frontier.pop()
        children = [p for p, pp in ppids.items() if pp == parent]
        found += children
        frontier += children
    return found


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


# --- Timed workers (each in its own process) -------------------------------------------------
#
# The phases alternate in rounds (logins, Argon2 x2, Argon2 x1, then again) so that all three see
# the same machine: on a shared 2-vCPU VM the speed of two parallel Argon2 runs was seen to move
# by 40 % from one minute to the next. Each worker process stays up for the whole run and works
# only inside its phase's windows: from `active` (warm-up lead) to `t1`; what completes between
# `t0` and `t1` is counted. A pause after each window lets operations in flight finish before
# the next phase's lead-in starts.


def make_schedule(start: float, rounds: int, seconds: float, warmup: float) -> list[tuple[str, float, float, float]]:
    """[(phase, active, t0, t1)] in time order."""
    lead, tail, per_window = 1.0, 1.0, seconds / rounds
    segments, t, seen = [], start, set()
    for _ in range(rounds):
        for phase in PHASES:
            active = t
            t0 = active + (lead if phase in seen else max(lead, warmup))
            t1 = t0 + per_window
            segments.append((phase, active, t0, t1))
            seen.add(phase)
            t = t1 + tail
    return segments


def phase_worker(phase: str, params: dict, windows_q, ready, results) -> None:
    if phase == "login":
        port, logins, ips = params["port"], params["logins"], params["ips"]
        counter = iter(range(10**12))

        def operation() -> tuple[bool, str]:
            n = next(counter)
            try:
                return login_once(port, logins[n % len(logins)], ips[n % len(ips)])
            except OSError as exc:
                time.sleep(0.05)  # server gone or refusing: do not spin on the CPU the server needs
                return False, type(exc).__name__

    else:
        os.environ.update(params["env"])
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.contrib.auth.hashers import check_password

        encoded = params["encoded"]
        if not check_password(PASSWORD, encoded):
            raise SystemExit("the stored hash does not verify")

        def operation() -> tuple[bool, str]:
            # What ModelBackend does on login: verify, and check must_update (no re-hash here).
            return check_password(PASSWORD, encoded), "wrong password"

    ready.put((phase, os.getpid()))
    per_window = []
    for active, t0, t1 in windows_q.get():
        time.sleep(max(0.0, active - time.time()))
        latencies: list[float] = []
        failures: dict[str, int] = {}
        while (start := time.time()) < t1:
            ok, reason = operation()
            done = time.time()
            if t0 <= done <= t1:
                if ok:
                    latencies.append(done - start)
                else:
                    failures[reason] = failures.get(reason, 0) + 1
        per_window.append({"latencies": latencies, "failures": failures})
    results.put((phase, per_window))


def _request(
    port: int, method: str, path: str, body: bytes | None, headers: dict, source_ip: str | None = None
) -> tuple[int, dict, bytes]:
    source = (source_ip, 0) if source_ip else None
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60, source_address=source)
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


def login_once(port: int, login: str, source_ip: str | None = None) -> tuple[bool, str]:
    """One new browser: GET the form, POST the credentials. (ok, reason)."""
    headers = {"Host": f"127.0.0.1:{port}", "User-Agent": "bench-login/1.0", "Accept": "text/html"}
    status, meta, body = _request(port, "GET", LOGIN_PATH, None, headers, source_ip)
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
    status, meta, _ = _request(port, "POST", LOGIN_PATH, form, post_headers, source_ip)
    if status != 302 or meta["location"].startswith(LOGIN_PATH) or "sessionid" not in meta["cookies"]:
        return False, f"POST {status} {meta['location']}".strip()
    return True, ""


def run_phases(ctx, args, port: int, logins: list[str], env: dict, encoded: str, web_pids: list[int]) -> dict:
    """Runs every phase in rounds; returns per-phase figures."""
    sizes = {"login": args.concurrency, "argon2 x2": WEB_WORKERS, "argon2 x1": 1}
    ready, results = ctx.Queue(), ctx.Queue()
    queues = {phase: ctx.Queue() for phase in PHASES}
    procs = []
    for phase, n in sizes.items():
        for i in range(n):
            if phase == "login":
                params = {
                    "port": port,
                    "logins": logins[i :: args.concurrency] or logins,
                    "ips": client_ips(args.client_ips)[i :: args.concurrency] or client_ips(args.client_ips),
                }
            else:
                params = {"env": env, "encoded": encoded}
            procs.append(ctx.Process(target=phase_worker, args=(phase, params, queues[phase], ready, results)))
    for proc in procs:
        proc.daemon = True
        proc.start()
    pids: dict[str, list[int]] = {phase: [] for phase in PHASES}
    for _ in procs:
        phase, pid = ready.get(timeout=120)
        pids[phase].append(pid)

    segments = make_schedule(time.time() + 0.5, args.rounds, args.seconds, args.warmup)
    for phase in PHASES:
        windows = [(active, t0, t1) for p, active, t0, t1 in segments if p == phase]
        for _ in range(sizes[phase]):
            queues[phase].put(windows)
    groups = {"web": web_pids, **pids}
    cpu = {phase: {g: 0.0 for g in [*groups, "machine"]} for phase in PHASES}
    for phase, _active, t0, t1 in segments:
        time.sleep(max(0.0, t0 - time.time()))
        before = {g: cpu_seconds(p) for g, p in groups.items()} | {"machine": machine_busy_seconds()}
        time.sleep(max(0.0, t1 - time.time()))
        after = {g: cpu_seconds(p) for g, p in groups.items()} | {"machine": machine_busy_seconds()}
        for g in after:
            if cpu[phase][g] is None or before[g] is None or after[g] is None:
                cpu[phase][g] = None
            else:
                cpu[phase][g] += after[g] - before[g]
    per_phase: dict[str, list] = {phase: [] for phase in PHASES}
    for _ in procs:
        phase, per_window = results.get(timeout=180)
        per_phase[phase].append(per_window)
    for proc in procs:
        proc.join(timeout=30)

    figures = {}
    window_seconds = args.seconds / args.rounds
    for phase in PHASES:
        latencies = sorted(x * 1000 for worker in per_phase[phase] for w in worker for x in w["latencies"])
        failures: dict[str, int] = {}
        for worker in per_phase[phase]:
            for w in worker:
                for k, v in w["failures"].items():
                    failures[k] = failures.get(k, 0) + v
        per_round = [
            sum(len(worker[r]["latencies"]) for worker in per_phase[phase]) / window_seconds for r in range(args.rounds)
        ]
        figures[phase] = {
            "count": len(latencies),
            "rate": len(latencies) / args.seconds,
            "failed": sum(failures.values()),
            "failures": failures,
            "latencies": latencies,
            "per_round": per_round,
            "cpu": cpu[phase],
        }
    return figures


# --- Report ---------------------------------------------------------------------------------


def fmt(value, spec: str = ".1f", unit: str = "") -> str:
    return "n/a" if value is None else f"{value:{spec}}{unit}"


def _pct(cpu_seconds_: float | None, seconds: float) -> str:
    return fmt(None if cpu_seconds_ is None else cpu_seconds_ / seconds * 100, ".0f", " %")


def _other(busy: float | None, *own: float | None) -> float | None:
    if busy is None or any(v is None for v in own):
        return None
    return max(0.0, busy - sum(own))


def report(info: dict, args, figures: dict) -> None:
    seconds = args.seconds
    login, a2, a1 = figures["login"], figures["argon2 x2"], figures["argon2 x1"]
    ratio = login["rate"] / a2["rate"] if a2["rate"] else 0.0
    verdict = "PASS" if ratio >= TARGET_RATIO else "FAIL"
    lat = login["latencies"]
    cpu_l, cpu_2 = login["cpu"], a2["cpu"]

    def per_op(cpu_s, count):
        return None if cpu_s is None or not count else cpu_s / count * 1000

    web_ms, verify_ms = per_op(cpu_l["web"], login["count"]), per_op(cpu_2["argon2 x2"], a2["count"])
    others = {
        "login": _other(cpu_l["machine"], cpu_l["web"], cpu_l["login"]),
        "argon2 x2": _other(cpu_2["machine"], cpu_2["argon2 x2"]),
        "argon2 x1": _other(a1["cpu"]["machine"], a1["cpu"]["argon2 x1"]),
    }
    rounds = "  ".join(f"{x:.1f}/{y:.1f}" for x, y in zip(login["per_round"], a2["per_round"], strict=True))
    rows = [
        ("Argon2 parameters", f"argon2id t={info['time_cost']} m={info['memory_cost']} KiB p={info['parallelism']}"),
        ("Hasher", info["hasher"]),
        ("Database / cache", f"{info['database']} / {info['cache']}"),
        ("Rate limits (raised, still counted)", ", ".join(f"{k} {v}" for k, v in info["rate_limits"].items())),
        ("Web server", f"gunicorn config.wsgi:application, {WEB_WORKERS} workers (manage.py serve --no-worker)"),
        (
            "Load",
            f"{args.concurrency} logins in flight by {args.login_with} from {len(client_ips(args.client_ips))} IPs; "
            f"each figure {seconds:g} s "
            f"in {args.rounds} alternating windows",
        ),
        ("CPUs on this machine", str(os.cpu_count())),
        ("", ""),
        ("Logins/s via gunicorn (2 workers)", f"{login['rate']:.2f}  ({login['count']} ok, {login['failed']} failed)"),
        ("Argon2 verifications/s (2 procs)", f"{a2['rate']:.2f}  ({a2['count']} in {seconds:g} s)"),
        ("Argon2 verifications/s (1 proc)", f"{a1['rate']:.2f}  (reference)"),
        ("Ratio logins/s / argon2/s", f"{ratio:.3f}  (target >= {TARGET_RATIO})  {verdict}"),
        (
            "Login latency p50 / p95 / max",
            f"{fmt(percentile(lat, 0.5), '.0f')} / {fmt(percentile(lat, 0.95), '.0f')} / "
            f"{fmt(lat[-1] if lat else None, '.0f')} ms  (GET + POST, {args.concurrency} in flight)",
        ),
        ("Per window, logins/s / argon2/s", rounds),
        ("", ""),
        ("CPU per login, web workers", fmt(web_ms, ".1f", " ms")),
        ("CPU per verification, alone (x2)", fmt(verify_ms, ".1f", " ms")),
        (
            "Ratio by CPU time (noise check)",
            fmt(
                verify_ms / web_ms if verify_ms and web_ms else None, ".3f", "  = CPU per verification / CPU per login"
            ),
        ),
        ("CPU per login, load generator", fmt(per_op(cpu_l["login"], login["count"]), ".1f", " ms")),
        ("Login phase CPU: web workers", _pct(cpu_l["web"], seconds) + " of one core"),
        ("Login phase CPU: load generator", _pct(cpu_l["login"], seconds)),
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
    if args.rounds < 1 or args.seconds <= 0 or args.concurrency < 1 or args.users < 1:
        print("--rounds, --seconds, --concurrency and --users must be positive", file=sys.stderr)
        return 2
    ctx = mp.get_context("spawn")
    tmp = Path(tempfile.mkdtemp(prefix="bench-login-"))
    log = tmp / "bench.log"
    database_url, admin_url = "", ""
    server = None
    try:
        if args.database_url:
            database_url, admin_url = bench_database_create(args.database_url, BENCH_DB_NAME)
        env = build_env(tmp / "var", database_url)
        (tmp / "var").mkdir()
        print(f"Setting up in {tmp} ({'PostgreSQL ' + BENCH_DB_NAME if database_url else 'SQLite'}) ...", flush=True)
        info = prepare(env, args.users, log)
        logins = [u[0 if args.login_with == "username" else 1] for u in info["users"]]

        port = free_port()
        server = start_server(env, port, tmp / "server.log")
        ok, reason = login_once(port, logins[0])
        if not ok:
            raise SetupError(f"a test login failed ({reason}); see {tmp / 'server.log'}")
        total = args.seconds * len(PHASES) + args.rounds * len(PHASES) * 2 + 2 * args.warmup
        print(
            f"Measuring on port {port}: logins ({args.concurrency} in flight), Argon2 x2, Argon2 x1, "
            f"{args.seconds:g} s each in {args.rounds} alternating windows (about {total:.0f} s) ...",
            flush=True,
        )
        figures = run_phases(ctx, args, port, logins, env, info["encoded"], gunicorn_workers(server.pid))
        if server.poll() is not None:
            tail = (tmp / "server.log").read_text(errors="replace").splitlines()[-15:]
            raise SetupError(
                f"the web server stopped during the measurement (exit {server.returncode}; "
                "was it killed from outside?). End of its log:\n" + "\n".join(tail)
            )
        stop_server(server)
        server = None
        report(info, args, figures)
        return 0
    except (SetupError, subprocess.SubprocessError, OSError, queue.Empty) as exc:
        print(f"Benchmark failed: {exc}", file=sys.stderr)
        return 1
    finally:
        if server is not None:
            try:
                stop_server(server)
            except Exception as exc:  # keep cleaning up; say what may be left running
                print(f"Could not stop the web server (pid {server.pid}): {exc}", file=sys.stderr)
        cleanup(tmp, admin_url=admin_url, db_name=BENCH_DB_NAME, keep=args.keep)


if __name__ == "__main__":
    sys.exit(main())
