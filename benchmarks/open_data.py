"""The full open-data downloads through the production web server, on 1,000,000 suppliers.

Run as `.venv/bin/python benchmarks/open_data.py`. In one run it:

1. builds a throw-away environment (temporary VAR_DIR, a dedicated PostgreSQL database
   `bench_open_data` on `--database-url`), migrates it and loads the reference data (DIVIPOLA,
   the UNSPSC classifier, the types of organisation);
2. seeds `--suppliers` supplier accounts (default 1,000,000) with PostgreSQL COPY: each with its
   commercial profile (4 in 5 legal persons with a legal representative, 1 in 5 natural persons),
   a municipality drawn from DIVIPOLA and a main UNSPSC category drawn from the classifier's
   classes; 97 % active, 2 % suspended, 1 % pending (not exported); then VACUUM ANALYZE;
3. starts the product's web server as `manage.py serve` does (gunicorn, 2 workers, threads);
4. downloads `/datos/proveedores.csv` and `/datos/ocds/parties.json` in full, `--runs` times each
   (default 2), reading the body in 64 KiB blocks, while a thread reads both workers' VmRSS from
   /proc every 20 ms;
5. prints for each download the time to the response headers and to the first body byte, the rows
   and rows per second, the MiB/s, and the peak RSS growth of the worker over its size before the
   request (targets: first byte <= 300 ms, >= 50,000 rows/s for the CSV, growth <= 30 MB), then
   removes everything.

Exit status is 0 whatever the figures; non-zero only when the setup fails.
"""

from __future__ import annotations

import argparse
import datetime
import http.client
import io
import json
import os
import random
import secrets
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
    bench_database_url,
    cleanup,
    free_port,
    gunicorn_workers,
    http_status,
    run_child,
    run_manage,
    serve_start,
    stop_server,
)

BENCH_DB_NAME = "bench_open_data"
DEFAULT_SERVER_URL = "postgres://postgres@127.0.0.1:5432/postgres"
WEB_WORKERS = 2
SAMPLE_INTERVAL = 0.02
MIB = 1024 * 1024
TARGET_TTFB_MS = 300.0
TARGET_ROWS_S = 50_000
TARGET_GROWTH_MB = 30.0
DOWNLOADS = (("proveedores.csv", "/datos/proveedores.csv"), ("ocds/parties.json", "/datos/ocds/parties.json"))


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--suppliers", type=int, default=1_000_000, help="supplier accounts seeded (default 1000000)")
    parser.add_argument("--runs", type=int, default=2, help="full downloads of each file (default 2)")
    parser.add_argument("--seed", type=int, default=20261201)
    parser.add_argument(
        "--database-url",
        default=DEFAULT_SERVER_URL,
        help=f"PostgreSQL server (default {DEFAULT_SERVER_URL}); the benchmark creates and drops its own database.",
    )
    parser.add_argument(
        "--db-name", default=BENCH_DB_NAME, help=f"the benchmark's own database (default {BENCH_DB_NAME})"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temp dir and the database")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="measure on the database --db-name that a run with --keep left, of this script or of "
        "benchmarks/directory.py (no seeding; pending migrations are applied)",
    )
    return parser.parse_args(argv)


def build_env(var_dir: Path, database_url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CACHE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1",
        VAR_DIR=str(var_dir),
        DATABASE_URL=database_url,
        EMAIL_HOST="",
        PYTHONUNBUFFERED="1",
        # A full download takes longer than the default 30 s heartbeat timeout of a busy worker.
        WEB_TIMEOUT="600",
    )
    return env


# --- Seeding (child process, Django set up) ------------------------------------------------------

NOMBRES = ["Juan", "María", "Carlos", "Ana", "Luis", "Diana", "Andrés", "Paola", "Jorge", "Luisa", "Felipe", "Camila"]
APELLIDOS = ["Gómez", "Rodríguez", "Martínez", "López", "García", "Pérez", "Sánchez", "Ramírez", "Torres", "Rojas"]
RUBROS = [
    "Soluciones Tecnológicas", "Construcciones", "Suministros", "Ingeniería", "Servicios Integrales", "Consultores",
    "Distribuciones", "Transportes", "Asesorías", "Comercializadora", "Inversiones", "Seguridad Privada",
]  # fmt: skip
SUFIJOS = ["S.A.S.", "LTDA", "S.A.", "S.A.S. BIC"]


def _django_setup():
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _copy(cursor, table: str, columns: list[str], lines) -> None:
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        buffer = io.StringIO()
        for n, line in enumerate(lines, 1):
            buffer.write(line)
            if n % 20_000 == 0:
                copy.write(buffer.getvalue())
                buffer = io.StringIO()
        copy.write(buffer.getvalue())


def _esc(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    return str(value).replace("\\", "\\\\").replace("\t", " ").replace("\n", " ")


def _rows_for(model, values_by_field: dict, fields: list) -> str:
    return "\t".join(_esc(values_by_field.get(f.attname)) for f in fields) + "\n"


def child_seed(params: dict) -> dict:
    """COPY `suppliers` accounts with their profile and main area of interest."""
    _django_setup()
    from django.db import connection
    from django.utils import timezone

    from registro.core.models import CodigoUNSPSC, Municipio, TipoEmpresa
    from registro.core.text import search_key
    from registro.entities.account.models import AreaInteres, Entidad, PerfilComercial
    from registro.entities.registration.rules import nit_check_digit

    rng = random.Random(params["seed"])
    n = params["suppliers"]
    municipios = list(Municipio.objects.values_list("codigo", "departamento_id"))
    clases = list(CodigoUNSPSC.objects.filter(nivel="clase").values_list("codigo", "prefijo"))
    juridicas = list(TipoEmpresa.objects.filter(persona="juridica", extranjera=False).values_list("pk", flat=True))
    natural = TipoEmpresa.objects.get(codigo="persona-natural-colombiana").pk
    now = timezone.now()
    start_id = (Entidad.objects.order_by("-pk").values_list("pk", flat=True).first() or 0) + 1

    def fields_of(model):
        return [f for f in model._meta.concrete_fields]

    e_fields, p_fields = fields_of(Entidad), fields_of(PerfilComercial)
    a_fields = [f for f in fields_of(AreaInteres) if f.attname != "id"]
    t0 = time.perf_counter()
    entidades, perfiles, areas = [], [], []
    for i in range(n):
        pk = start_id + i
        es_natural = rng.random() < 0.2
        mpio, dpto = rng.choice(municipios)
        nit = str(800_000_000 + pk) if not es_natural else str(10_000_000 + pk)
        if es_natural:
            nombre = f"{rng.choice(NOMBRES).upper()} {rng.choice(APELLIDOS).upper()} {rng.choice(APELLIDOS).upper()}"
        else:
            nombre = f"{rng.choice(RUBROS).upper()} {rng.choice(APELLIDOS).upper()} {pk} {rng.choice(SUFIJOS)}"
        r = rng.random()
        estado = "activa" if r < 0.97 else ("suspendida" if r < 0.99 else "pendiente")
        created = now - datetime.timedelta(days=rng.randint(1, 3000))
        entidades.append(
            _rows_for(
                Entidad,
                {
                    "id": pk,
                    "tipo_cuenta": "proveedor",
                    "nombre": nombre,
                    "nombre_busqueda": search_key(nombre),
                    "nombre_abreviado": "",
                    "nit": nit,
                    "dv": nit_check_digit(nit),
                    "pais": "CO",
                    "id_tributario": "",
                    "registrada_siif": False,
                    "codigo_pci": "",
                    "area_negocio": "privado",
                    "tipo_organizacion": "",
                    "departamento_id": dpto,
                    "municipio_id": mpio,
                    "telefono": f"60{rng.randint(10_000_000, 99_999_999)}",
                    "correo_notificaciones": f"notificaciones{pk}@proveedor.com.co",
                    "ordenador_delegado": False,
                    "es_proveedor": False,
                    "estado": estado,
                    "created_at": created.isoformat(),
                    "activada_at": None
                    if estado == "pendiente"
                    else (created + datetime.timedelta(days=2)).isoformat(),
                },
                e_fields,
            )
        )
        tamano = rng.choice(["micro", "pequena", "mediana", "grande"])
        perfil = {
            "entidad_id": pk,
            "persona": "natural" if es_natural else "juridica",
            "tipo_empresa_id": natural if es_natural else rng.choice(juridicas),
            "nombres": "",
            "apellidos": "",
            "tipo_documento": "CC" if es_natural else "",
            "numero_documento": nit if es_natural else "",
            "direccion": f"Calle {rng.randint(1, 200)} # {rng.randint(1, 99)}-{rng.randint(1, 99)}",
            "sitio_web": "" if es_natural else f"https://proveedor{pk}.com.co",
            "representante_nombre": "" if es_natural else f"{rng.choice(NOMBRES)} {rng.choice(APELLIDOS)}",
            "representante_tipo_documento": "" if es_natural else "CC",
            "representante_numero_documento": "" if es_natural else str(rng.randint(10_000_000, 1_099_999_999)),
            "representante_correo": "" if es_natural else f"rep{pk}@correo.com",
            "representante_telefono": "" if es_natural else f"3{rng.randint(100_000_000, 199_999_999)}",
            "tamano": tamano,
            "es_mipyme": tamano != "grande",
            "updated_at": created.isoformat(),
        }
        perfiles.append(_rows_for(PerfilComercial, perfil, p_fields))
        codigo, prefijo = rng.choice(clases)
        areas.append(
            _rows_for(
                AreaInteres,
                {
                    "entidad_id": pk,
                    "codigo_id": codigo,
                    "prefijo": prefijo,
                    "principal": True,
                    "created_at": created.isoformat(),
                },
                a_fields,
            )
        )
    generated = time.perf_counter() - t0
    with connection.cursor() as cursor:
        # Consistent by construction: no per-row triggers (foreign keys, the directory's rows);
        # the directory's rows are rebuilt at once after (migration 0014). A superuser's setting.
        cursor.execute("SET session_replication_role = replica")
        _copy(cursor, Entidad._meta.db_table, [f.column for f in e_fields], entidades)
        entidades.clear()
        _copy(cursor, PerfilComercial._meta.db_table, [f.column for f in p_fields], perfiles)
        perfiles.clear()
        _copy(cursor, AreaInteres._meta.db_table, [f.column for f in a_fields], areas)
        areas.clear()
        cursor.execute(
            f"SELECT setval(pg_get_serial_sequence('{Entidad._meta.db_table}', 'id'), (SELECT max(id) FROM {Entidad._meta.db_table}))"
        )
        cursor.execute("SET session_replication_role = DEFAULT")
        cursor.execute("SELECT directorio_rebuild()")
    copied = time.perf_counter() - t0 - generated
    with connection.cursor() as cursor:
        for table in (Entidad._meta.db_table, PerfilComercial._meta.db_table, AreaInteres._meta.db_table):
            cursor.execute(f"VACUUM ANALYZE {table}")
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size(%s)), version()", [Entidad._meta.db_table])
        size, version = cursor.fetchone()
    exported = Entidad.objects.filter(estado__in=["activa", "suspendida"]).count()
    return {
        "count": n,
        "exported": exported,
        "generate_s": generated,
        "copy_s": copied,
        "table_size": size,
        "pg_version": version.split(",")[0],
    }


def child_info(params: dict) -> dict:
    """What a kept database holds, for --reuse."""
    _django_setup()
    from django.db import connection

    from registro.entities.account.models import Entidad

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_size_pretty(pg_total_relation_size(%s)), version()", [Entidad._meta.db_table])
        size, version = cursor.fetchone()
    return {
        "count": Entidad.objects.count(),
        "exported": Entidad.objects.filter(estado__in=["activa", "suspendida"]).count(),
        "generate_s": 0.0,
        "copy_s": 0.0,
        "table_size": size,
        "pg_version": version.split(",")[0],
    }


def child_main(argv: list[str]) -> int:
    task, in_path, out_path = argv
    params = json.loads(Path(in_path).read_text())
    result = {"seed": child_seed, "info": child_info}[task](params)
    Path(out_path).write_text(json.dumps(result))
    return 0


# --- Web server and measurements -----------------------------------------------------------------


def start_server(env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    return serve_start(env, port, log, workers=WEB_WORKERS)


def rss_kib(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


class Sampler(threading.Thread):
    """Each worker's VmRSS every SAMPLE_INTERVAL while a download runs."""

    def __init__(self, pids: list[int]):
        super().__init__(daemon=True)
        self.pids = pids
        self.baseline = {pid: rss_kib(pid) or 0 for pid in pids}
        self.peak = dict(self.baseline)
        self.stop = threading.Event()

    def run(self):
        while not self.stop.is_set():
            for pid in self.pids:
                value = rss_kib(pid)
                if value is not None and value > self.peak[pid]:
                    self.peak[pid] = value
            time.sleep(SAMPLE_INTERVAL)

    def growth_mib(self) -> float:
        return max(self.peak[p] - self.baseline[p] for p in self.pids) / 1024


def download(port: int, path: str, workers: list[int]) -> dict:
    sampler = Sampler(workers)
    sampler.start()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    t0 = time.perf_counter()
    conn.request("GET", path, headers={"User-Agent": "bench-open-data/1.0"})
    resp = conn.getresponse()
    t_headers = time.perf_counter() - t0
    first = resp.read(1)
    t_first = time.perf_counter() - t0
    size, newlines = len(first), first.count(b"\n")
    t_row = None
    while block := resp.read1(64 * 1024):
        size += len(block)
        newlines += block.count(b"\n")
        if t_row is None and newlines >= 2:  # the first data row has arrived (after the header line)
            t_row = time.perf_counter() - t0
    total = time.perf_counter() - t0
    conn.close()
    sampler.stop.set()
    sampler.join()
    return {
        "status": resp.status,
        "headers_ms": t_headers * 1000,
        "ttfb_ms": t_first * 1000,
        "first_row_ms": (t_row or 0) * 1000,
        "total_s": total,
        "bytes": size,
        "lines": newlines,
        "growth_mib": sampler.growth_mib(),
    }


def rows_of(name: str, result: dict) -> int:
    # CSV: one line per row after the header; the JSON streams put one object per line between
    # the opening and the closing line.
    return result["lines"] - (1 if name.endswith(".csv") else 2)


def report(args, seed: dict, results: dict[str, list[dict]]) -> None:
    line = "=" * 100
    width = 40
    print()
    print("Open-data downloads benchmark (benchmarks/open_data.py)")
    print(line)
    rows = [
        ("Database", f"PostgreSQL {seed['pg_version']}, database {args.db_name}"),
        (
            "Suppliers",
            f"{seed['count']:,} seeded with COPY ({seed['generate_s']:.1f} s generating, {seed['copy_s']:.1f} s COPY), "
            f"{seed['exported']:,} active or suspended (exported); entidad table {seed['table_size']}",
        ),
        ("Web server", f"gunicorn config.wsgi:application, {WEB_WORKERS} workers (manage.py serve --no-worker)"),
        ("CPUs / load average at the end", f"{os.cpu_count()} / {os.getloadavg()[0]:.2f}"),
    ]
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    print("-" * len(line))
    print(
        f"{'Download, run':<{width}}  {'headers':>8} {'1st byte':>8} {'1st row':>8} {'total':>8} {'rows':>10} {'rows/s':>9} {'MiB/s':>7} {'RSS +MiB':>8}"
    )
    for name, runs in results.items():
        for i, r in enumerate(runs, 1):
            n = rows_of(name, r)
            print(
                f"{f'{name}, {i}':<{width}}  {r['headers_ms']:>6.0f}ms {r['ttfb_ms']:>6.0f}ms {r['first_row_ms']:>6.0f}ms {r['total_s']:>7.1f}s "
                f"{n:>10,} {n / r['total_s']:>9,.0f} {r['bytes'] / MIB / r['total_s']:>7.1f} {r['growth_mib']:>8.1f}"
            )
    print(line)
    print(
        f"{'Targets':<{width}}  first byte <= {TARGET_TTFB_MS:g} ms, CSV >= {TARGET_ROWS_S:,} rows/s, RSS growth <= {TARGET_GROWTH_MB:g} MB"
    )
    for name, runs in results.items():
        best = max(runs, key=lambda r: rows_of(name, r) / r["total_s"])
        ttfb = max(r["ttfb_ms"] for r in runs)
        first_row = max(r["first_row_ms"] for r in runs)
        growth = max(r["growth_mib"] for r in runs)
        rate = rows_of(name, best) / best["total_s"]
        verdicts = [
            f"first byte (worst) {ttfb:.0f} ms {'PASS' if ttfb <= TARGET_TTFB_MS else 'FAIL'}",
            f"first row (worst) {first_row:.0f} ms {'PASS' if first_row <= TARGET_TTFB_MS else 'FAIL'}",
            f"rows/s (best) {rate:,.0f}"
            + (f" {'PASS' if rate >= TARGET_ROWS_S else 'FAIL'}" if name.endswith(".csv") else ""),
            f"growth (worst) {growth:.1f} MiB {'PASS' if growth * MIB <= TARGET_GROWTH_MB * 1e6 else 'FAIL'}",
        ]
        print(f"{name:<{width}}  " + "; ".join(verdicts))
    errors = [r["status"] for runs in results.values() for r in runs if r["status"] != 200]
    if errors:
        print(f"HTTP errors: {errors}")
    print(line)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.suppliers < 1000 or args.runs < 1:
        print("--suppliers >= 1000 and --runs >= 1, please", file=sys.stderr)
        return 2
    tmp = Path(tempfile.mkdtemp(prefix="bench-open-data-"))
    log = tmp / "bench.log"
    server = None
    admin_url = ""
    try:
        (tmp / "var").mkdir()
        if args.reuse:
            database_url, _maintenance = bench_database_url(args.database_url, args.db_name)
            env = build_env(tmp / "var", database_url)
            run_manage(env, "migrate", "--noinput", log=log)
            run_manage(env, "collectstatic", "--noinput", "--verbosity", "0", log=log)
            seed = run_child(__file__, env, "info", {}, tmp, log)
        else:
            database_url, admin_url = bench_database_create(args.database_url, args.db_name)
            env = build_env(tmp / "var", database_url)
            print(f"Setting up in {tmp} (PostgreSQL {args.db_name}) ...", flush=True)
            run_manage(env, "migrate", "--noinput", log=log)
            run_manage(env, "createcachetable", log=log)
            run_manage(env, "collectstatic", "--noinput", "--verbosity", "0", log=log)
            run_manage(env, "load_reference_data", log=log)
            print(f"Seeding {args.suppliers:,} suppliers with COPY ...", flush=True)
            params = {"suppliers": args.suppliers, "seed": args.seed}
            seed = run_child(__file__, env, "seed", params, tmp, log, timeout=3600)
        print(
            f"  {seed['count']:,} rows: {seed['generate_s']:.1f} s generating, {seed['copy_s']:.1f} s COPY", flush=True
        )
        port = free_port()
        server = start_server(env, port, tmp / "server.log")
        workers = gunicorn_workers(server.pid)
        # Warm-up: both workers import and connect.
        for _ in range(4):
            http_status(port, "/datos/proveedores.csv?departamento=99", timeout=10.0)
        results: dict[str, list[dict]] = {}
        for name, path in DOWNLOADS:
            for run in range(args.runs):
                print(f"Downloading {path} in full (run {run + 1}) ...", flush=True)
                results.setdefault(name, []).append(download(port, path, workers))
        stop_server(server)
        server = None
        report(args, seed, results)
        return 0
    except (SetupError, subprocess.SubprocessError, OSError) as exc:
        print(f"Benchmark failed: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:
        print(f"Benchmark failed: {type(exc).__name__}: {exc}", file=sys.stderr)
        return 1
    finally:
        if server is not None:
            stop_server(server)
        cleanup(tmp, admin_url=admin_url, db_name=args.db_name, keep=args.keep)


if __name__ == "__main__":
    if sys.argv[1:2] == [CHILD_FLAG]:
        sys.exit(child_main(sys.argv[2:]))
    sys.exit(main())
