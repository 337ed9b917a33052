"""A 50 MB PDF attached through the production web server: the worker's memory and the speed.

Run as `.venv/bin/python benchmarks/upload.py`. In one run it:

1. writes a valid PDF of `--size-mb` MiB (default 50) to a temp dir: pages showing big
   uncompressed images of random bytes (as incompressible as a scan), made with pypdf, not
   encrypted, and checks it with the product's own `registro.entities.files.check_uploaded_file`;
2. builds a throw-away environment (temporary VAR_DIR, SQLite by default or a dedicated PostgreSQL
   database `bench_upload` with `--database-url`), migrates it, loads the reference data and
   creates a confirmed user (verified e-mail, current terms accepted);
   DOCUMENT_MAX_BYTES is raised above the file's size, so the run does not depend on the product's default (64 MiB);
3. starts the product's web server as `manage.py serve` does, but with ONE gunicorn worker, so
   that the request is served by a process we know;
4. logs in through the API (POST /api/v1/auth/app/v1/auth/login), creates a draft registration
   (POST /api/v1/entidades/registros) and attaches a small PDF once to warm the worker up;
5. uploads the big file `--runs` times (default 3) as the RUT of the draft with
   POST /api/v1/entidades/registros/{id}/documentos, multipart, streamed from disk by http.client
   (preamble, the file in chunks, epilogue: the client never holds the body), while a thread reads
   the worker's VmRSS and VmHWM from /proc every 20 ms; VmHWM is reset before each upload;
6. copies the same file on the same disk (shutil.copyfile + fsync) for reference;
7. prints, for each upload and their median, the time, MiB/s (end to end, response included), the
   peak RSS growth of the worker (target <= 20 MiB) and what stayed after; stops the server and
   removes everything it created.

Exit status is 0 whatever the figures; non-zero only when the setup fails.
"""

from __future__ import annotations

import argparse
import hashlib
import http.client
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from harness import (
    CHILD_FLAG,
    ROOT,
    SetupError,
    bench_database_create,
    cleanup,
    free_port,
    gunicorn_workers,
    run_child,
    run_manage,
    serve_start,
    stop_server,
)

BENCH_DB_NAME = "bench_upload"
MIB = 1024 * 1024
TARGET_GROWTH_MIB = 20.0
WEB_WORKERS = 1
SAMPLE_INTERVAL = 0.02  # seconds between two reads of the worker's /proc/<pid>/status
BASELINE_SECONDS = 0.5  # sampled before each upload; the median is the baseline
USERNAME = "benchupload"
PASSWORD = "Bench-Upload-2024!x"  # satisfies the project's validators
LOGIN_PATH = "/api/v1/auth/app/v1/auth/login"
DRAFT_PATH = "/api/v1/entidades/registros"
CLK_TCK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


# --- Environment (as in benchmarks/login.py) ---------------------------------------------------


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=float, default=50.0, help="size of the PDF, MiB (default 50)")
    parser.add_argument("--runs", type=int, default=3, help="measured uploads (default 3)")
    parser.add_argument("--chunk-kib", type=int, default=256, help="client send size, KiB (default 256)")
    parser.add_argument(
        "--database-url",
        default="",
        help="PostgreSQL server to use, e.g. postgres://postgres@127.0.0.1:5432/postgres; the benchmark "
        f"creates and drops its own database {BENCH_DB_NAME!r} there. Default: SQLite in a temp dir.",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (and PG database) for inspection")
    return parser.parse_args(argv)


def build_env(var_dir: Path, database_url: str, max_bytes: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CACHE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        VAR_DIR=str(var_dir),
        DATABASE_URL=database_url or f"sqlite:///{var_dir / 'db.sqlite3'}",
        # Raised above the file's size so the run never depends on the product's default (64 MiB).
        DOCUMENT_MAX_BYTES=str(max_bytes),
        EMAIL_HOST="",
        PYTHONUNBUFFERED="1",
    )
    return env


# --- The PDF --------------------------------------------------------------------------------


def write_pdf(path: Path, size: int) -> None:
    """A valid PDF of about `size` bytes: pages each showing an uncompressed RGB image of random
    bytes. pypdf builds it (so the cross-reference table is right); it is written straight to
    disk."""
    from pypdf import PdfWriter
    from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject, NumberObject

    per_page = 1 * MIB
    width = 1024
    pages = max(1, round(size / per_page))
    writer = PdfWriter()
    remaining = size - 2048 * pages  # room for the page objects, xref and trailer
    for i in range(pages):
        image_bytes = remaining // (pages - i)
        height = max(1, image_bytes // (width * 3))
        remaining -= height * width * 3
        image = DecodedStreamObject()
        image.set_data(os.urandom(width * height * 3))
        image.update(
            {
                NameObject("/Type"): NameObject("/XObject"),
                NameObject("/Subtype"): NameObject("/Image"),
                NameObject("/Width"): NumberObject(width),
                NameObject("/Height"): NumberObject(height),
                NameObject("/ColorSpace"): NameObject("/DeviceRGB"),
                NameObject("/BitsPerComponent"): NumberObject(8),
            }
        )
        content = DecodedStreamObject()
        content.set_data(b"q 612 0 0 792 0 0 cm /Im0 Do Q\n")
        page = writer.add_blank_page(width=612, height=792)
        page[NameObject("/Contents")] = writer._add_object(content)
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/XObject"): DictionaryObject({NameObject("/Im0"): writer._add_object(image)})}
        )
    with open(path, "wb") as fh:
        writer.write(fh)


def write_small_pdf(path: Path) -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    with open(path, "wb") as fh:
        writer.write(fh)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(MIB):
            digest.update(chunk)
    return digest.hexdigest()


# --- Django side (run in a child process with the benchmark's environment) ----------------------


def child_setup(params: dict) -> dict:
    """The confirmed user, and the product's own check of the big file."""
    from allauth.account.models import EmailAddress
    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.core.files import File

    from registro.accounts.models import TermsAcceptance, User
    from registro.core.files import check_uploaded_file

    user = User.objects.create(
        username=USERNAME,
        email=f"{USERNAME}@example.com",
        password=make_password(PASSWORD),
        first_name="Bench",
        last_name="Upload",
        document_type="CC",
        document_number="10000001",
    )
    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    TermsAcceptance.objects.create(user=user, version=settings.TERMS_VERSION)
    with open(params["pdf"], "rb") as fh:
        checked = check_uploaded_file(File(fh, name="rut.pdf"))
    return {
        "checked": {"size": checked.size, "sha256": checked.sha256, "content_type": checked.content_type},
        "max_bytes": settings.DOCUMENT_MAX_BYTES,
        "upload_max_memory": settings.FILE_UPLOAD_MAX_MEMORY_SIZE,
        "upload_handlers": settings.FILE_UPLOAD_HANDLERS,
        "upload_temp_dir": settings.FILE_UPLOAD_TEMP_DIR or tempfile.gettempdir(),
        "media_root": str(settings.MEDIA_ROOT),
        "storage": settings.STORAGES["default"]["BACKEND"],
        "database": settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
    }


def child_main(argv: list[str]) -> int:
    task, in_path, out_path = argv
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    params = json.loads(Path(in_path).read_text())
    result = {"setup": child_setup}[task](params)
    Path(out_path).write_text(json.dumps(result))
    return 0


# --- Web server -----------------------------------------------------------------------------


def request_json(port: int, method: str, path: str, payload: dict | None = None, token: str = "") -> tuple[int, dict]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Accept": "application/json", "User-Agent": "bench-upload/1.0"}
    body = None
    if payload is not None:
        body = json.dumps(payload).encode()
        headers["Content-Type"] = "application/json"
    if token:
        headers["X-Session-Token"] = token
    try:
        conn.request(method, path, body=body, headers=headers)
        resp = conn.getresponse()
        data = resp.read()
        try:
            return resp.status, json.loads(data or b"{}")
        except ValueError:
            return resp.status, {"raw": data[:500].decode(errors="replace")}
    finally:
        conn.close()


def http_get_status(port: int, path: str) -> int | None:
    try:
        return request_json(port, "GET", path)[0]
    except OSError:
        return None


def start_server(env: dict[str, str], port: int, log: Path) -> tuple[subprocess.Popen, int]:
    # The product's own entry point (`make run` -> manage.py serve), one worker, no task worker.
    proc = serve_start(env, port, log, workers=WEB_WORKERS)
    return proc, gunicorn_workers(proc.pid)[0]


# --- The worker's memory --------------------------------------------------------------------


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of `pid`, in bytes."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, rest = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            values[key] = int(rest.split()[0]) * 1024
    return values


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK  # utime + stime


def reset_peak(pid: int) -> bool:
    """Resets VmHWM to the current RSS (Linux >= 4.0, own processes)."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
    except OSError:
        return False
    return True


class RssSampler(threading.Thread):
    """Reads the worker's VmRSS and VmHWM every SAMPLE_INTERVAL until stopped."""

    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid = pid
        self.samples: list[tuple[float, int, int]] = []  # (time, rss, hwm)
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            try:
                status = proc_status(self.pid)
            except OSError:
                return
            self.samples.append((time.perf_counter(), status["VmRSS"], status["VmHWM"]))
            self._stop_event.wait(SAMPLE_INTERVAL)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


# --- The upload -----------------------------------------------------------------------------


def upload(port: int, token: str, registro_id: int, path: Path, chunk: int) -> tuple[int, dict]:
    """POST the file as multipart/form-data, streamed from disk: the preamble, the file in chunks,
    the epilogue. Content-Length is known up front, as browsers send it."""
    boundary = "----bench-upload-" + secrets.token_hex(12)
    preamble = (
        f"--{boundary}\r\n"
        'Content-Disposition: form-data; name="tipo"\r\n\r\n'
        "rut\r\n"
        f"--{boundary}\r\n"
        f'Content-Disposition: form-data; name="archivo"; filename="{path.name}"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    epilogue = f"\r\n--{boundary}--\r\n".encode()
    length = len(preamble) + path.stat().st_size + len(epilogue)
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    try:
        conn.putrequest("POST", f"{DRAFT_PATH}/{registro_id}/documentos")
        conn.putheader("Content-Type", f"multipart/form-data; boundary={boundary}")
        conn.putheader("Content-Length", str(length))
        conn.putheader("X-Session-Token", token)
        conn.putheader("Accept", "application/json")
        conn.endheaders()
        conn.send(preamble)
        with open(path, "rb") as fh:
            while data := fh.read(chunk):
                conn.send(data)
        conn.send(epilogue)
        resp = conn.getresponse()
        body = resp.read()
    finally:
        conn.close()
    try:
        return resp.status, json.loads(body or b"{}")
    except ValueError:
        return resp.status, {"raw": body[:500].decode(errors="replace")}


def measured_upload(port: int, token: str, registro_id: int, path: Path, chunk: int, pid: int) -> dict:
    sampler = RssSampler(pid)
    sampler.start()
    time.sleep(BASELINE_SECONDS)
    hwm_reset = reset_peak(pid)
    cpu0 = cpu_seconds(pid)
    t0 = time.perf_counter()
    status, body = upload(port, token, registro_id, path, chunk)
    t1 = time.perf_counter()
    cpu1 = cpu_seconds(pid)
    time.sleep(0.2)  # the response is out; the worker's memory after the request
    sampler.stop()
    after = proc_status(pid)
    before = sorted(rss for t, rss, _ in sampler.samples if t < t0) or [after["VmRSS"]]
    baseline = before[len(before) // 2]
    during = [rss for t, rss, _ in sampler.samples if t0 <= t <= t1 + 0.05]
    peak_sampled = max(during, default=baseline)
    return {
        "status": status,
        "body": body,
        "seconds": t1 - t0,
        "cpu": cpu1 - cpu0,
        "baseline": baseline,
        "peak_sampled": peak_sampled,
        "hwm": after["VmHWM"] if hwm_reset else None,
        "after": after["VmRSS"],
        "samples": len(during),
    }


def disk_copy(src: Path, dst: Path, fsync: bool) -> float:
    t0 = time.perf_counter()
    shutil.copyfile(src, dst)
    if fsync:
        fd = os.open(dst, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    elapsed = time.perf_counter() - t0
    dst.unlink()
    return elapsed


# --- Report ---------------------------------------------------------------------------------


def median(values: list[float]) -> float:
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


def mib(value: float | None) -> str:
    return "n/a" if value is None else f"{value / MIB:.1f}"


def growth(run: dict) -> float:
    """Peak RSS growth: the highest RSS seen (sampled, or VmHWM when it could be reset) minus the
    RSS before the upload."""
    return max(run["peak_sampled"], run["hwm"] or 0) - run["baseline"]


def report(args, info: dict, size: int, runs: list[dict], copies: dict[str, list[float]], warm: dict) -> None:
    width = 40
    line = "=" * 104
    print()
    print("Upload benchmark (benchmarks/upload.py)")
    print(line)
    rows = [
        ("File", f"{size / MIB:.1f} MiB PDF ({size:,} bytes), pages of uncompressed random-byte images"),
        ("Product check of the file", f"check_uploaded_file: {info['checked']['content_type']}, sha256 ok"),
        ("Database / storage", f"{info['database']} / {info['storage'].rsplit('.', 1)[-1]}"),
        ("Web server", "gunicorn config.wsgi:application, 1 worker (manage.py serve --workers 1 --no-worker)"),
        (
            "Upload settings",
            f"FILE_UPLOAD_MAX_MEMORY_SIZE {info['upload_max_memory'] / MIB:.1f} MiB, handlers "
            + ", ".join(h.rsplit(".", 1)[-1] for h in info["upload_handlers"]),
        ),
        ("", f"temp dir {info['upload_temp_dir']}, MEDIA_ROOT {info['media_root']}"),
        ("DOCUMENT_MAX_BYTES (raised for the run)", f"{info['max_bytes'] / MIB:.0f} MiB (product default 64 MiB)"),
        ("Client", f"http.client, file streamed in {args.chunk_kib} KiB chunks, Content-Length set"),
        ("Worker RSS sampling", f"/proc/<pid>/status every {SAMPLE_INTERVAL * 1000:.0f} ms, VmHWM reset before each"),
        ("Warm-up upload (1-page PDF)", f"{warm['status']}, worker RSS {mib(warm['after'])} MiB after it"),
        ("CPUs / load average at the end", f"{os.cpu_count()} / {os.getloadavg()[0]:.2f}"),
    ]
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    print("-" * len(line))
    print(
        f"{'Upload':<8}{'status':>7}{'seconds':>9}{'MiB/s':>9}{'worker CPU s':>14}"
        f"{'RSS before':>12}{'peak (sampled)':>16}{'VmHWM':>8}{'growth':>8}{'after':>8}   MiB"
    )
    for i, run in enumerate(runs, 1):
        print(
            f"{i:<8}{run['status']:>7}{run['seconds']:>9.2f}{size / MIB / run['seconds']:>9.1f}{run['cpu']:>14.2f}"
            f"{mib(run['baseline']):>12}{mib(run['peak_sampled']):>16}{mib(run['hwm']):>8}"
            f"{mib(growth(run)):>8}{mib(run['after']):>8}"
        )
    med_seconds = median([r["seconds"] for r in runs])
    med_growth = median([growth(r) for r in runs])
    print(
        f"{'median':<8}{'':>7}{med_seconds:>9.2f}{size / MIB / med_seconds:>9.1f}"
        f"{median([r['cpu'] for r in runs]):>14.2f}{'':>12}{'':>16}{'':>8}{mib(med_growth):>8}"
    )
    print("-" * len(line))
    copy_fsync, copy_plain = median(copies["fsync"]), median(copies["plain"])
    print(
        f"{'Disk copy, shutil.copyfile + fsync':<{width}}  {copy_fsync:.2f} s = {size / MIB / copy_fsync:.1f} MiB/s "
        f"(median of {len(copies['fsync'])}: " + ", ".join(f"{s:.2f}" for s in copies["fsync"]) + " s)"
    )
    print(
        f"{'Disk copy, without fsync (page cache)':<{width}}  {copy_plain:.2f} s = {size / MIB / copy_plain:.1f} MiB/s "
        f"(median of {len(copies['plain'])})"
    )
    print(
        f"{'Upload / copy+fsync speed':<{width}}  {copy_fsync / med_seconds:.2f}x "
        f"(upload {size / MIB / med_seconds:.1f} MiB/s end to end, response included)"
    )
    print(line)
    worst = max(growth(r) for r in runs)
    ok = all(r["status"] == 201 for r in runs)
    verdict = "PASS" if worst <= TARGET_GROWTH_MIB * MIB and ok else "FAIL"
    print(f"{'Target':<{width}}  peak RSS growth of the worker <= {TARGET_GROWTH_MIB:g} MiB, every upload accepted")
    print(
        f"{'Result':<{width}}  worst {mib(worst)} MiB, median {mib(med_growth)} MiB; "
        f"{sum(r['status'] == 201 for r in runs)}/{len(runs)} accepted (201)  {verdict}"
    )
    for i, run in enumerate(runs, 1):
        if run["status"] != 201:
            print(f"  upload {i}: {run['status']} {json.dumps(run['body'])[:300]}")
    print(line)


# --- Main -----------------------------------------------------------------------------------


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.size_mb <= 0 or args.runs < 1 or args.chunk_kib < 1:
        print("--size-mb, --runs and --chunk-kib must be positive", file=sys.stderr)
        return 2
    if not os.path.isdir("/proc"):
        print("This benchmark reads the worker's memory from /proc (Linux).", file=sys.stderr)
        return 2
    size = int(args.size_mb * MIB)
    tmp = Path(tempfile.mkdtemp(prefix="bench-upload-"))
    log = tmp / "bench.log"
    database_url, admin_url = "", ""
    server = None
    try:
        if args.database_url:
            database_url, admin_url = bench_database_create(args.database_url, BENCH_DB_NAME)
        pdf, small = tmp / "rut-escaneado.pdf", tmp / "rut-pequeno.pdf"
        print(f"Writing a {args.size_mb:g} MiB PDF in {tmp} ...", flush=True)
        write_pdf(pdf, size)
        write_small_pdf(small)
        size = pdf.stat().st_size
        digest = sha256_of(pdf)
        (tmp / "var").mkdir()
        max_bytes = max(25 * MIB, size + 16 * MIB)
        env = build_env(tmp / "var", database_url, max_bytes)
        print(f"Setting up ({'PostgreSQL ' + BENCH_DB_NAME if database_url else 'SQLite'}) ...", flush=True)
        run_manage(env, "migrate", "--noinput", log=log)
        run_manage(env, "createcachetable", log=log)
        run_manage(env, "collectstatic", "--noinput", "--verbosity", "0", log=log)
        run_manage(env, "load_reference_data", log=log)
        info = run_child(__file__, env, "setup", {"pdf": str(pdf)}, tmp, log)
        if info["checked"]["sha256"] != digest or info["checked"]["size"] != size:
            raise SetupError("check_uploaded_file read something else than the file written")

        port = free_port()
        server, worker = start_server(env, port, tmp / "server.log")
        status, body = request_json(port, "POST", LOGIN_PATH, {"username": USERNAME, "password": PASSWORD})
        token = body.get("meta", {}).get("session_token", "")
        if status != 200 or not token:
            raise SetupError(f"login failed: {status} {json.dumps(body)[:500]}")
        draft = {"registrada_siif": "no", "area_negocio": "publico", "tipo_organizacion": "decreto_1082"}
        status, body = request_json(port, "POST", DRAFT_PATH, draft, token)
        if status != 201:
            raise SetupError(f"creating the draft failed: {status} {json.dumps(body)[:500]}")
        registro_id = body["id"]
        chunk = args.chunk_kib * 1024
        status, body = upload(port, token, registro_id, small, chunk)
        if status != 201:
            raise SetupError(f"the warm-up upload failed: {status} {json.dumps(body)[:500]}")
        warm = {"status": status, "after": proc_status(worker)["VmRSS"]}

        print(f"Uploading {size / MIB:.1f} MiB {args.runs} times to port {port} (worker pid {worker}) ...", flush=True)
        runs = []
        for i in range(args.runs):
            run = measured_upload(port, token, registro_id, pdf, chunk, worker)
            if run["status"] == 201 and (run["body"].get("sha256") != digest or run["body"].get("tamano") != size):
                raise SetupError(f"upload {i + 1}: the server stored something else: {json.dumps(run['body'])[:300]}")
            runs.append(run)
            print(
                f"  upload {i + 1}: {run['status']} in {run['seconds']:.2f} s, peak RSS growth {mib(growth(run))} MiB",
                flush=True,
            )
        if server.poll() is not None or not Path(f"/proc/{worker}").exists():
            raise SetupError(f"the web server or its worker died during the uploads; see {tmp / 'server.log'}")
        stop_server(server)
        server = None

        copies: dict[str, list[float]] = {"fsync": [], "plain": []}
        for _ in range(args.runs):
            copies["fsync"].append(disk_copy(pdf, tmp / "copy.pdf", fsync=True))
            copies["plain"].append(disk_copy(pdf, tmp / "copy.pdf", fsync=False))
        report(args, info, size, runs, copies, warm)
        return 0
    except (SetupError, subprocess.SubprocessError, OSError) as exc:
        print(f"Benchmark failed: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # psycopg errors while creating the database, mostly
        print(f"Benchmark failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    finally:
        if server is not None:
            stop_server(server)
        cleanup(tmp, admin_url=admin_url, db_name=BENCH_DB_NAME, keep=args.keep)


if __name__ == "__main__":
    if sys.argv[1:2] == [CHILD_FLAG]:
        sys.exit(child_main(sys.argv[2:]))
    sys.exit(main())
