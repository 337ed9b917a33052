"""Benchmark: an automatic invitation to a "Solicitud de información" that matches 50,000
suppliers (issue 11: done in ≤ 60 s, with the worker's memory growth ≤ 50 MB).

It creates its own PostgreSQL database, migrates it, loads the reference data (the UNSPSC
classifier), and loads with COPY `--suppliers` active suppliers whose areas of interest fall under
segment 43 (family, class or product codes, or the segment itself) plus `--others` whose areas are
elsewhere. An entity creates a request for segment 43 and asks for the automatic invitation; the
task is enqueued on the database task backend and run by `manage.py db_worker` in its own process,
which reports the elapsed time of the task and its peak memory growth (ru_maxrss after the task
minus ru_maxrss once Django is set up). The e-mails it queues (one per supplier, batched) are
counted, not sent: sending is the outbox worker's job, measured elsewhere.

    .venv/bin/python benchmarks/information_requests.py [--database-url postgres://postgres@127.0.0.1:5432/postgres]
        [--suppliers 50000] [--others 5000] [--keep]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from harness import (  # noqa: E402
    CHILD_FLAG,
    SetupError,
    bench_database_create,
    cleanup,
    run_child,
    run_manage,
)

DB_NAME = "bench_information_requests"
TARGET_S = 60.0
TARGET_MB = 50.0


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="A PostgreSQL server; the benchmark creates (and drops) its own database there.",
    )
    parser.add_argument("--suppliers", type=int, default=50_000, help="Suppliers that match the request")
    parser.add_argument("--others", type=int, default=5_000, help="Suppliers that do not match")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--keep", action="store_true", help="Keep the database and the temp dir")
    return parser.parse_args(argv)


def build_env(var_dir: Path, database_url: str) -> dict[str, str]:
    import secrets

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
    )
    return env


# --- Child processes ------------------------------------------------------------------------


def _django_setup() -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()


def _copy(cursor, model, rows: list[dict]) -> None:
    """COPY `rows` into the model's table; the other columns take the model's defaults."""
    from django.utils import timezone

    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = [f.column for f in fields]
    now = timezone.now()
    defaults = {}
    for f in fields:
        if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False):
            defaults[f.attname] = now
        elif f.has_default():
            defaults[f.attname] = f.get_default()
        else:
            defaults[f.attname] = None if f.null else ""
    sql = f"COPY {model._meta.db_table} ({', '.join(columns)}) FROM STDIN"
    with cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row([row.get(f.attname, defaults[f.attname]) for f in fields])


def child_seed(params: dict) -> dict:
    from django.db import connection, transaction

    from registro.accounts.models import User
    from registro.core.models import CodigoUNSPSC
    from registro.core.text import search_key
    from registro.entities.account.models import AreaInteres, Entidad, TipoCuenta
    from registro.entities.information_requests import services
    from registro.entities.membership.models import Membresia
    from registro.entities.registration.rules import nit_check_digit

    rng = random.Random(params["seed"])
    codes = list(CodigoUNSPSC.objects.values_list("codigo", "prefijo"))
    under = [c for c in codes if c[0].startswith("43")]
    elsewhere = [c for c in codes if not c[0].startswith("43")]
    n_match, n_other = params["suppliers"], params["others"]
    t0 = time.perf_counter()
    entidades = []
    for i in range(n_match + n_other):
        nombre = f"PROVEEDOR {'TECNOLOGIA' if i < n_match else 'SERVICIOS'} {i:06d} SAS"
        nit = str(700_000_000 + i)
        entidades.append(
            {
                "tipo_cuenta": TipoCuenta.PROVEEDOR,
                "nombre": nombre,
                "nombre_busqueda": search_key(nombre),
                "nit": nit,
                "dv": nit_check_digit(nit),
                "estado": Entidad.Estado.ACTIVA,
                "correo_notificaciones": f"ventas{nit}@proveedor.com.co",
            }
        )
    with transaction.atomic():
        connection.ensure_connection()
        raw = connection.connection
        with raw.cursor() as cursor:
            _copy(cursor, Entidad, entidades)
        first = Entidad.objects.filter(nit="700000000").values_list("pk", flat=True).get()
        areas = []
        for i in range(n_match + n_other):
            picks = rng.sample(elsewhere, rng.randint(1, 3))
            if i < n_match:
                picks = [rng.choice(under), *picks]
            seen = set()
            for k, (codigo, prefijo) in enumerate(picks):
                if codigo in seen:
                    continue
                seen.add(codigo)
                areas.append({"entidad_id": first + i, "codigo_id": codigo, "prefijo": prefijo, "principal": k == 0})
        with raw.cursor() as cursor:
            _copy(cursor, AreaInteres, areas)
    copy_s = time.perf_counter() - t0
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE entities_entidad")
        cursor.execute("VACUUM ANALYZE entities_areainteres")
    entidad = Entidad.objects.create(
        nombre="MINISTERIO DE PRUEBAS",
        nit="899999001",
        dv=nit_check_digit("899999001"),
        estado=Entidad.Estado.ACTIVA,
        correo_notificaciones="compras@minpruebas.gov.co",
    )
    user = User.objects.create_user(username="bench-compras", email="bench@minpruebas.gov.co", password=None)
    Membresia.objects.create(usuario=user, entidad=entidad, rol=Membresia.Rol.ADMINISTRADOR)
    from datetime import timedelta

    from django.utils import timezone

    solicitud = services.solicitud_create(
        entidad=entidad,
        actor=user,
        titulo="Cotización de equipos de cómputo",
        descripcion="Equipos y servicios de tecnología para 2027.",
        codigos=["43000000"],
        plazo=timezone.now() + timedelta(days=10),
    )
    envio = services.invitar_automatico(solicitud=solicitud, actor=user)  # enqueued on commit
    return {
        "copy_s": copy_s,
        "entidades": len(entidades),
        "areas": len(areas),
        "expected": n_match,
        "solicitud": solicitud.pk,
        "envio": envio.pk,
    }


def _rss_kb() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def child_worker(params: dict) -> dict:
    """The database worker, in this process: it runs the enqueued invitation task and exits."""
    import resource

    from django.core.management import call_command
    from django_tasks_db.models import DBTaskResult

    from registro.entities.information_requests import services, tasks  # noqa: F401 - loaded before the baseline
    from registro.entities.information_requests.models import EnvioInvitaciones, InvitacionSolicitud
    from registro.notifications.models import OutboundEmail

    base_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    base_rss = _rss_kb()
    t0 = time.perf_counter()
    call_command(
        "db_worker", batch=True, max_tasks=1, queue_name="default", startup_delay=False, reload=False, verbosity=0
    )
    elapsed = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    envio = EnvioInvitaciones.objects.get(pk=params["envio"])
    return {
        "elapsed_s": elapsed,
        "baseline_rss_mb": base_rss / 1024,
        "peak_growth_mb": (peak - max(base_peak, base_rss)) / 1024 if peak > base_peak else 0.0,
        "peak_rss_mb": peak / 1024,
        "estado": envio.estado,
        "invitados": envio.invitados,
        "total": envio.total,
        "invitaciones": InvitacionSolicitud.objects.filter(solicitud_id=params["solicitud"]).count(),
        "correos": OutboundEmail.objects.filter(template__endswith="solicitud_informacion_invitacion").count(),
        "tareas_correo": DBTaskResult.objects.filter(task_path__endswith="send_email_batch").count(),
        "task_status": list(
            DBTaskResult.objects.filter(task_path__endswith="run_envio").values_list("status", flat=True)
        ),
    }


def child_main(argv: list[str]) -> int:
    task, in_path, out_path = argv
    _django_setup()
    params = json.loads(Path(in_path).read_text())
    result = {"seed": child_seed, "worker": child_worker}[task](params)
    Path(out_path).write_text(json.dumps(result, default=str))
    return 0


# --- Main -----------------------------------------------------------------------------------


def main(argv=None) -> int:
    args = parse_args(argv)
    tmp = Path(tempfile.mkdtemp(prefix="bench-inforeq-"))
    log = tmp / "bench.log"
    admin_url = ""
    try:
        database_url, admin_url = bench_database_create(args.database_url, DB_NAME)
        env = build_env(tmp / "var", database_url)
        (tmp / "var").mkdir()
        print(f"Database {DB_NAME}: migrating and loading the reference data…", flush=True)
        run_manage(env, "migrate", "--noinput", log=log)
        run_manage(env, "load_reference_data", log=log)
        print(f"COPY of {args.suppliers:,} matching and {args.others:,} other suppliers…", flush=True)
        params = {"seed": args.seed, "suppliers": args.suppliers, "others": args.others}
        seed = run_child(__file__, env, "seed", params, tmp, log)
        print(f"  {seed['entidades']:,} accounts, {seed['areas']:,} areas of interest in {seed['copy_s']:.1f} s")
        print("Running the automatic invitation in the worker…", flush=True)
        result = run_child(__file__, env, "worker", seed, tmp, log)
    except SetupError as exc:
        print(f"Setup failed: {exc}\nLog: {log}", file=sys.stderr)
        cleanup(tmp, admin_url=admin_url, db_name=DB_NAME, keep=True)
        return 1
    ok_time = result["elapsed_s"] <= TARGET_S
    ok_mem = result["peak_growth_mb"] <= TARGET_MB
    ok_count = result["invitaciones"] == seed["expected"] == result["correos"]
    print()
    print("| Figure | Value | Target |")
    print("|---|---|---|")
    print(f"| Suppliers matched and invited | {result['invitaciones']:,} (expected {seed['expected']:,}) | all, once |")
    print(f"| E-mails queued (outbox) / send tasks | {result['correos']:,} / {result['tareas_correo']:,} | one each |")
    print(f"| Invitation task, elapsed | {result['elapsed_s']:.1f} s | ≤ {TARGET_S:.0f} s {'✓' if ok_time else '✗'} |")
    print(
        f"| Worker peak memory growth | {result['peak_growth_mb']:.1f} MB (baseline {result['baseline_rss_mb']:.0f} MB, "
        f"peak {result['peak_rss_mb']:.0f} MB) | ≤ {TARGET_MB:.0f} MB {'✓' if ok_mem else '✗'} |"
    )
    print(f"\nRun state: {result['estado']}, task {result['task_status']}. Log: {log}")
    cleanup(tmp, admin_url=admin_url, db_name=DB_NAME, keep=args.keep)
    return 0 if ok_count else 1


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == CHILD_FLAG:
        sys.exit(child_main(sys.argv[2:]))
    sys.exit(main())
