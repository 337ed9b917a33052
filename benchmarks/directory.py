"""Server time of the Directorio (issue 11) over a million supplier accounts.

Run as `.venv/bin/python benchmarks/directory.py` (PostgreSQL, full scale) or
`.venv/bin/python benchmarks/directory.py --sqlite --scale 100000` (the embedded default). It:

1. builds a throw-away environment: a temporary VAR_DIR and either its own PostgreSQL database
   `bench_directory` on `--database-url` or a SQLite file there; migrates it (the directory's
   indexes of migration 0011 included) and loads the reference data (DIVIPOLA, UNSPSC, types of
   organisation);
2. seeds, with PostgreSQL `COPY` (SQLite: one transaction of executemany), `--scale` supplier
   accounts (default 1,000,000) and a twentieth as many State entities (50,000), with realistic
   Spanish names (companies, consortia, natural persons; the entities of benchmarks/entity_search.py),
   NITs with their DIAN check digit, DIVIPOLA locations weighted towards the large cities, sizes
   and MiPyme, types of organisation, 2-5 UNSPSC codes each drawn from the shipped classifier (one
   of them the main category), some accounts pending, suspended or rejected, a few visible
   documents; and `--users` users (1,000) with memberships and the terms accepted; then VACUUM
   ANALYZE;
3. builds the scenarios' requests from the data (queries as people type them) and, in a Django
   process, times each one's selector (`search.search`, `profile.perfil_publico`) in process;
4. starts the product's web server (`manage.py serve`, gunicorn, 2 workers) and times the pages
   (`GET /directorio/?...`, `/directorio/<id>/`) with a logged-in user's session, one at a time;
5. prints p50/p95/p99/max per scenario against the targets (p95 <= 30 ms for searches and pages,
   <= 5 ms for the NIT lookup) and the plan of one request per scenario, and removes everything
   (`--keep` keeps it; `--reuse` times an existing database again without seeding).

Other features add their figures by appending to `EXTRA_FIGURES` a function `(env, tmp, log) -> list
of (label, text)` that the report prints after the scenarios: the automatic invitation of the
Solicitudes de información (50,000 suppliers, time and the worker's peak memory) goes there.

Exit status is 0 whatever the figures; non-zero only when the setup fails.
"""

from __future__ import annotations

import argparse
import csv
import http.client
import json
import os
import random
import secrets
import subprocess
import sys
import tempfile
import time
import urllib.parse
from collections.abc import Callable, Iterator
from pathlib import Path

from harness import (
    CHILD_FLAG,
    ROOT,
    SetupError,
    bench_database_create,
    bench_database_url,
    cleanup,
    free_port,
    percentile,
    run_child,
    run_manage,
    serve_start,
    stop_server,
)

BENCH_DB_NAME = "bench_directory"
DEFAULT_SERVER_URL = "postgres://postgres@127.0.0.1:5432/postgres"
WEB_WORKERS = 2
TARGET_MS = 30.0
TARGET_NIT_MS = 5.0
PAGE_DEEP = 200  # "page 200 of a broad query"
QUERIES_PER_SCENARIO = 60
BROAD_QUERIES = 12

# (key, label, target ms)
SCENARIOS = (
    ("dos_palabras", "two-word name search", TARGET_MS),
    ("prefijo", "prefix search (a word being typed)", TARGET_MS),
    ("nit", "NIT lookup (with or without DV)", TARGET_NIT_MS),
    ("segmento_departamento", "UNSPSC segment + department", TARGET_MS),
    ("mipyme_clase", "MiPyme + UNSPSC class", TARGET_MS),
    ("amplia_p1", "broad query, page 1", TARGET_MS),
    ("amplia_p200", f"broad query, page {PAGE_DEEP}", TARGET_MS),
    ("perfil", "profile page", TARGET_MS),
    # Issue 12: the public search (registro/publico/busqueda.py, the Directorio's search with the
    # public's filters and fields), over a mix of the scenarios above that the public can ask.
    ("publico", "public search (words, prefix, NIT, segment + dpto)", TARGET_MS),
)
PUBLIC_MIX = ("dos_palabras", "prefijo", "nit", "segmento_departamento")

# Figures other features add (see the module's docstring).
EXTRA_FIGURES: list[Callable[[dict, Path, Path], list[tuple[str, str]]]] = []


# --- Environment --------------------------------------------------------------------------------


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=1_000_000, help="supplier accounts (default 1000000)")
    parser.add_argument("--users", type=int, default=1000, help="users with memberships (default 1000)")
    parser.add_argument("--repeat", type=int, default=3, help="measured rounds over each scenario (default 3)")
    parser.add_argument("--seed", type=int, default=20261201, help="random seed of the data and the queries")
    parser.add_argument("--sqlite", action="store_true", help="SQLite in the temp dir instead of PostgreSQL")
    parser.add_argument(
        "--database-url",
        default=DEFAULT_SERVER_URL,
        help=f"PostgreSQL server (default {DEFAULT_SERVER_URL}); the benchmark creates and drops its own "
        f"database {BENCH_DB_NAME!r} there",
    )
    parser.add_argument(
        "--db-name", default=BENCH_DB_NAME, help=f"the benchmark's own database (default {BENCH_DB_NAME})"
    )
    parser.add_argument("--keep", action="store_true", help="keep the temp dir and the database")
    parser.add_argument(
        "--reuse",
        metavar="DIR",
        help="time again the environment kept by an earlier --keep run in DIR (no seeding; implies --keep)",
    )
    parser.add_argument("--no-http", action="store_true", help="in-process times only")
    parser.add_argument(
        "--cache-url",
        default="",
        help="the product's CACHE_URL, e.g. redis://127.0.0.1:6379/9 as in production (Redis cache, sessions "
        "cached in it); default: the database cache of the embedded default",
    )
    return parser.parse_args(argv)


def build_env(var_dir: Path, database_url: str, cache_url: str = "") -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CACHE_URL", "DJANGO_SETTINGS_MODULE")}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="0",
        SECRET_KEY="bench-directory-" + secrets.token_urlsafe(40),
        ALLOWED_HOSTS="127.0.0.1",
        VAR_DIR=str(var_dir),
        DATABASE_URL=database_url,
        EMAIL_HOST="",
        PYTHONUNBUFFERED="1",
        SERVER_TIMING="1",  # the pages' server time, read from their Server-Timing header
    )
    if cache_url:
        env["CACHE_URL"] = cache_url
    return env


# --- Realistic accounts ---------------------------------------------------------------------------
#
# Written as people write them (accents, Ñ, "S.A.S."); the stored name is what the registration
# form makes of it (rules.normalize_legal_name), its folded form `search_key`'s.

# fmt: off
NOMBRES = [
    "Juan", "José", "Luis", "Carlos", "Jorge", "Andrés", "Diego", "Camilo", "Santiago", "Alejandro", "Miguel",
    "Fernando", "Ricardo", "Óscar", "Julián", "Sebastián", "Felipe", "Mauricio", "Hernán", "Jairo", "Édgar",
    "María", "Ana", "Luz", "Carmen", "Claudia", "Sandra", "Diana", "Paola", "Natalia", "Valentina", "Daniela",
    "Ángela", "Marcela", "Adriana", "Gloria", "Martha", "Liliana", "Catalina", "Juliana", "Mónica", "Yolanda",
]
APELLIDOS = [
    "Rodríguez", "Gómez", "González", "Martínez", "García", "López", "Hernández", "Sánchez", "Ramírez", "Pérez",
    "Díaz", "Muñoz", "Rojas", "Moreno", "Jiménez", "Vargas", "Castro", "Gutiérrez", "Álvarez", "Ruiz", "Suárez",
    "Ortiz", "Torres", "Romero", "Herrera", "Valencia", "Quintero", "Restrepo", "Cárdenas", "Ospina", "Mejía",
    "Londoño", "Zapata", "Cardona", "Arango", "Salazar", "Giraldo", "Peña", "Castaño", "Acosta", "Bermúdez",
    "Caicedo", "Cifuentes", "Duarte", "Escobar", "Forero", "Galeano", "Ibáñez", "Lozano", "Montoya", "Navarro",
    "Osorio", "Patiño", "Quiroga", "Rincón", "Sarmiento", "Trujillo", "Uribe", "Velásquez", "Zuluaga",
]
ACTIVIDADES = [
    "Construcciones", "Inversiones", "Comercializadora", "Distribuidora", "Soluciones Tecnológicas", "Servicios",
    "Ingeniería", "Consultores", "Suministros", "Transportes", "Logística", "Importadora", "Ferretería",
    "Droguería", "Laboratorios", "Alimentos", "Papelería", "Seguridad", "Aseo y Mantenimiento", "Obras Civiles",
    "Montajes Eléctricos", "Publicidad", "Eventos", "Agropecuaria", "Textiles", "Muebles", "Equipos Médicos",
    "Software", "Telecomunicaciones", "Energía Solar", "Vigilancia Privada", "Asesorías Jurídicas",
    "Interventorías", "Mantenimientos Industriales", "Dotaciones", "Uniformes", "Impresos", "Combustibles",
]
CALIFICATIVOS = [
    "del Caribe", "Andina", "del Pacífico", "de Colombia", "del Llano", "del Sur", "del Norte", "Integrales",
    "Nacionales", "Globales", "del Oriente", "de la Costa", "del Valle", "Unidos", "Modernos", "Técnicos",
    "Especializados", "Express", "Total", "Plus", "Premium", "Estratégicos", "Profesionales", "Ambientales",
]
SUFIJOS = ["S.A.S.", "S.A.S.", "S.A.S.", "S.A.S.", "Ltda.", "Ltda.", "S.A.", "E.U.", "S. en C.", "S.A.S. BIC"]
MARCAS = [
    "Alfa", "Omega", "Nova", "Delta", "Cóndor", "Ceiba", "Guayacán", "Orquídea", "Macondo", "Tayrona",
    "Sierra Nevada", "Magdalena", "Amazonía", "Chicamocha", "Nevado", "Quimbaya", "Zenú", "Muisca", "Calima",
    "Tequendama", "Guadalupe", "Monserrate", "Farallones", "Sinú", "Catatumbo", "Tolima", "Pijao", "Arhuaco",
]
# Where suppliers are: a few segments hold most of them (construction, services, health, IT...).
SEGMENT_WEIGHTS = {
    "72": 14, "80": 12, "81": 8, "43": 8, "42": 6, "85": 6, "78": 5, "90": 4, "47": 4, "44": 4, "56": 4,
    "50": 4, "46": 3, "30": 3, "39": 3, "82": 3, "86": 3, "93": 3, "25": 2, "26": 2, "31": 2, "40": 2, "53": 2,
    "55": 2, "76": 2, "83": 2, "84": 2, "92": 2, "94": 1, "95": 1,
}
# fmt: on
LEVEL_WEIGHTS = (("clase", 50), ("producto", 35), ("familia", 12), ("segmento", 3))
SIZE_WEIGHTS = (("micro", 60), ("pequena", 20), ("mediana", 12), ("grande", 8))


def _divipola() -> list[tuple[str, str, str]]:
    with open(ROOT / "registro/core/data/divipola.csv", encoding="utf-8", newline="") as fh:
        return [(r["cod_mpio"].zfill(5), r["cod_dpto"].zfill(2), r["municipio"].strip()) for r in csv.DictReader(fh)]


def _place(name: str) -> str:
    return name.replace(", D.C.", " D.C.").title().replace(" De ", " de ").replace(" Del ", " del ")


def _municipio_weights(municipios: list[tuple[str, str, str]], rng: random.Random) -> list[float]:
    big = {"11001": 250, "05001": 90, "76001": 70, "08001": 50, "13001": 30, "68001": 30, "54001": 20}
    return [big.get(code, rng.choice((1, 1, 1, 2, 3, 6))) for code, _d, _n in municipios]


def supplier_name(rng: random.Random, place: str) -> tuple[str, str]:
    """(raw name, persona): a company, a consortium or a natural person, as typed."""
    r = rng.random()
    if r < 0.28:
        nombres = rng.choice(NOMBRES) + (f" {rng.choice(NOMBRES)}" if rng.random() < 0.5 else "")
        return f"{nombres} {rng.choice(APELLIDOS)} {rng.choice(APELLIDOS)}", "natural"
    if r < 0.31:
        kind = rng.choice(("Consorcio", "Unión Temporal"))
        return (
            f"{kind} {rng.choice(MARCAS)} {rng.choice(('Vial', 'Educativo', 'Salud', 'Obras', 'Agua'))} {rng.randint(2015, 2026)}",
            "juridica",
        )
    patterns = (
        lambda: f"{rng.choice(ACTIVIDADES)} {rng.choice(CALIFICATIVOS)} {rng.choice(SUFIJOS)}",
        lambda: f"{rng.choice(ACTIVIDADES)} {rng.choice(APELLIDOS)} {rng.choice(APELLIDOS)} {rng.choice(SUFIJOS)}",
        lambda: f"{rng.choice(ACTIVIDADES)} y {rng.choice(ACTIVIDADES)} {rng.choice(MARCAS)} {rng.choice(SUFIJOS)}",
        lambda: f"{rng.choice(MARCAS)} {rng.choice(ACTIVIDADES)} {rng.choice(SUFIJOS)}",
        lambda: f"Grupo Empresarial {rng.choice(APELLIDOS)} {rng.choice(SUFIJOS)}",
        lambda: f"{rng.choice(APELLIDOS)} & Asociados {rng.choice(SUFIJOS)}",
        lambda: f"{rng.choice(ACTIVIDADES)} {_place(place)} {rng.choice(SUFIJOS)}",
        lambda: (
            f"Fundación {rng.choice(MARCAS)} {rng.choice(('para el Desarrollo', 'Social', 'Educativa', 'Ambiental'))}"
        ),
    )
    return rng.choice(patterns)(), "juridica"


def _weighted(pairs, rng):
    return rng.choices([p for p, _w in pairs], [w for _p, w in pairs])[0]


def _codes_by_segment() -> dict[str, dict[str, list[tuple[str, str]]]]:
    """{segment: {level: [(codigo, prefijo)]}} from the shipped classifier."""
    levels = {"segmento": 2, "familia": 4, "clase": 6, "producto": 8}
    out: dict[str, dict[str, list[tuple[str, str]]]] = {}
    with open(ROOT / "registro/core/data/unspsc-es.csv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            code, level = row["codigo"], row["nivel"]
            out.setdefault(code[:2], {}).setdefault(level, []).append((code, code[: levels[level]]))
    return out


# --- Django side (child processes) -----------------------------------------------------------------


def _django_setup() -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def _copy(connection, table: str, columns: list[str], rows: Iterator[tuple]) -> int:
    """COPY on PostgreSQL; executemany on SQLite. Returns the rows written."""
    n = 0
    if connection.vendor == "postgresql":
        raw = connection.connection  # psycopg 3
        with raw.cursor() as cur, cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
                n += 1
        return n
    sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
    batch: list[tuple] = []
    with connection.cursor() as cur:
        for row in rows:
            batch.append(tuple(int(v) if isinstance(v, bool) else v for v in row))
            if len(batch) == 5000:
                cur.executemany(sql, batch)
                n += len(batch)
                batch = []
        if batch:
            cur.executemany(sql, batch)
            n += len(batch)
    return n


def child_seed(params: dict) -> dict:
    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.utils import timezone

    from registro.core.models import ClasificacionEntidad, TipoEmpresa
    from registro.core.text import search_key
    from registro.entities.registration.rules import nit_check_digit, normalize_legal_name

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from entity_search import generate_entities

    rng = random.Random(params["seed"])
    n_suppliers = params["scale"]
    n_entities = max(n_suppliers // 20, 100)
    municipios = _divipola()
    weights = _municipio_weights(municipios, rng)
    codes = _codes_by_segment()
    segments = [s for s in SEGMENT_WEIGHTS if s in codes]
    seg_weights = [SEGMENT_WEIGHTS[s] for s in segments]
    tipos = {t.codigo: t.pk for t in TipoEmpresa.objects.all()}
    orden = {c.valor: c.pk for c in ClasificacionEntidad.objects.filter(campo="orden")}
    rama = ClasificacionEntidad.objects.filter(campo="rama", valor="Ejecutiva").values_list("pk", flat=True).first()
    sectores = list(ClasificacionEntidad.objects.filter(campo="sector").values_list("pk", flat=True))
    now = timezone.now()
    total = n_suppliers + n_entities
    nits = rng.sample(range(800_000_000, 999_999_999), n_entities) + rng.sample(
        range(10_000_000, 799_999_999), n_suppliers
    )

    accounts: list[dict] = []  # what the scenarios need: a sample is returned
    entidad_rows: list[tuple] = []
    perfil_rows: list[tuple] = []
    area_rows: list[tuple] = []
    area_id = 0
    entity_names = generate_entities(rng)
    t_gen = time.perf_counter()
    for pk in range(1, total + 1):
        nit = str(nits[pk - 1])
        is_entity = pk <= n_entities
        if is_entity:
            item = next(entity_names)
            raw, persona = item["raw"], ""
            mpio = item["municipio"]
            dpto = item["departamento"]
            estado = rng.choices(("activa", "pendiente", "requiere_correccion", "suspendida"), (85, 9, 4, 2))[0]
            es_proveedor = rng.random() < 0.03
        else:
            mpio, dpto, place = rng.choices(municipios, weights)[0]
            raw, persona = supplier_name(rng, place)
            estado = rng.choices(("activa", "suspendida", "pendiente", "rechazada"), (95, 2, 2, 1))[0]
            es_proveedor = False
        nombre = normalize_legal_name(raw)
        clave = search_key(nombre)
        entidad_rows.append(
            (
                pk,
                "entidad_estatal" if is_entity else "proveedor",
                nombre,
                clave,
                "",
                nit,
                nit_check_digit(nit),
                "CO",
                "",
                False,
                "",
                "publico" if is_entity else "privado",
                "decreto_1082" if is_entity else "",
                orden.get(item["orden"]) if is_entity else None,
                rama if is_entity else None,
                rng.choice(sectores) if is_entity and sectores else None,
                dpto,
                mpio,
                str(rng.randint(6010000000, 6089999999)),
                f"notificaciones{pk}@cuenta{pk % 997}.com.co",
                False,
                es_proveedor,
                estado,
                now,
                now if estado == "activa" else None,
            )
        )
        supplies = not is_entity or es_proveedor
        if supplies:
            natural = persona == "natural"
            tamano = "micro" if natural else _weighted(SIZE_WEIGHTS, rng)
            tipo = (
                "persona-natural-colombiana"
                if natural
                else rng.choices(("sas", "ltda", "sociedad-anonima", "esal", "otro"), (70, 12, 8, 6, 4))[0]
            )
            if is_entity:
                tipo, tamano, natural = "otro", "grande", False
            mipyme = tamano != "grande" and rng.random() < 0.97
            perfil_rows.append(
                (
                    pk,
                    "natural" if natural else "juridica",
                    tipos.get(tipo),
                    "",
                    "",
                    "",
                    "",
                    "" if natural else f"Calle {rng.randint(1, 180)} # {rng.randint(1, 99)}-{rng.randint(1, 99)}",
                    "" if natural else f"https://www.cuenta{pk}.com.co",
                    "" if natural else f"{rng.choice(NOMBRES)} {rng.choice(APELLIDOS)}",
                    "",
                    "",
                    "",
                    "",
                    tamano,
                    mipyme,
                    None,
                    None,
                    None,
                    None,
                    None,
                    now,
                )
            )
            chosen: set[str] = set()
            for i in range(rng.randint(2, 5)):
                seg = rng.choices(segments, seg_weights)[0]
                level = _weighted(LEVEL_WEIGHTS, rng)
                pool = codes[seg].get(level) or codes[seg]["segmento"]
                codigo, prefijo = rng.choice(pool)
                if codigo in chosen:
                    continue
                chosen.add(codigo)
                area_id += 1
                area_rows.append((area_id, pk, codigo, prefijo, i == 0, now))
        if rng.random() < 0.002 or len(accounts) < 2000:
            accounts.append(
                {
                    "pk": pk,
                    "nombre": nombre,
                    "nit": nit,
                    "dv": nit_check_digit(nit),
                    "estado": estado,
                    "departamento": dpto,
                    "natural": persona == "natural",
                    "supplies": supplies,
                }
            )
    gen_s = time.perf_counter() - t_gen

    user_rows, membership_rows, terms_rows = [], [], []
    password = make_password("Bench-Directory-2026!x", hasher="pbkdf2_sha256")
    active = [r[0] for r in entidad_rows if r[22] == "activa"]
    for uid in range(1, params["users"] + 1):
        user_rows.append(
            (
                uid,
                password,
                None,
                False,
                f"bench{uid}",
                "Usuario",
                f"Benchmark {uid}",
                f"bench{uid}@cuenta.com.co",
                False,
                True,
                now,
                "CC",
                str(1_000_000_000 + uid),
                "",
                "America/Bogota",
                "",
                "",
            )
        )
        first = rng.choice(active[:n_entities]) if uid % 2 else rng.choice(active)
        membership_rows.append((uid, uid, first, "administrador" if uid % 3 else "comprador", True, now, now))
        terms_rows.append((uid, uid, settings.TERMS_VERSION, now, None))
    t0 = time.perf_counter()
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # The rows are consistent by construction: no foreign-key trigger per row (they would
            # all run at COMMIT, for minutes). A superuser's setting, as pg_restore uses it.
            with connection.cursor() as cur:
                cur.execute("SET LOCAL session_replication_role = replica")
        written = {
            "entidades": _copy(
                connection,
                "entities_entidad",
                [
                    "id",
                    "tipo_cuenta",
                    "nombre",
                    "nombre_busqueda",
                    "nombre_abreviado",
                    "nit",
                    "dv",
                    "pais",
                    "id_tributario",
                    "registrada_siif",
                    "codigo_pci",
                    "area_negocio",
                    "tipo_organizacion",
                    "orden_id",
                    "rama_id",
                    "sector_id",
                    "departamento_id",
                    "municipio_id",
                    "telefono",
                    "correo_notificaciones",
                    "ordenador_delegado",
                    "es_proveedor",
                    "estado",
                    "created_at",
                    "activada_at",
                ],
                iter(entidad_rows),
            ),
            "perfiles": _copy(
                connection,
                "entities_perfilcomercial",
                [
                    "entidad_id",
                    "persona",
                    "tipo_empresa_id",
                    "nombres",
                    "apellidos",
                    "tipo_documento",
                    "numero_documento",
                    "direccion",
                    "sitio_web",
                    "representante_nombre",
                    "representante_tipo_documento",
                    "representante_numero_documento",
                    "representante_correo",
                    "representante_telefono",
                    "tamano",
                    "es_mipyme",
                    "anio_fiscal",
                    "activos",
                    "pasivos",
                    "patrimonio",
                    "ingresos_operacionales",
                    "updated_at",
                ],
                iter(perfil_rows),
            ),
            "areas": _copy(
                connection,
                "entities_areainteres",
                ["id", "entidad_id", "codigo_id", "prefijo", "principal", "created_at"],
                iter(area_rows),
            ),
            "usuarios": _copy(
                connection,
                "accounts_user",
                [
                    "id",
                    "password",
                    "last_login",
                    "is_superuser",
                    "username",
                    "first_name",
                    "last_name",
                    "email",
                    "is_staff",
                    "is_active",
                    "date_joined",
                    "document_type",
                    "document_number",
                    "phone",
                    "time_zone",
                    "entity_name",
                    "entity_nit",
                ],
                iter(user_rows),
            ),
            "membresias": _copy(
                connection,
                "entities_membresia",
                ["id", "usuario_id", "entidad_id", "rol", "activa", "created_at", "seleccionada_at"],
                iter(membership_rows),
            ),
        }
        _copy(
            connection, "accounts_termsacceptance", ["id", "user_id", "version", "accepted_at", "ip"], iter(terms_rows)
        )
        written["documentos"] = _seed_documents(connection, accounts, now)
    copy_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            for table in (
                "entities_entidad",
                "entities_perfilcomercial",
                "entities_areainteres",
                "accounts_user",
                "entities_membresia",
                "accounts_termsacceptance",
                "entities_documento",
            ):
                cur.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
                    if table != "entities_perfilcomercial"
                    else "SELECT 1"
                )
            # The rows went in without triggers: the directory's own rows (migration 0014) at once.
            cur.execute("SELECT directorio_rebuild()")
            cur.execute("VACUUM ANALYZE")
            cur.execute(
                "SELECT current_setting('server_version'), pg_size_pretty(pg_database_size(current_database()))"
            )
            version, size = cur.fetchone()
        else:
            cur.execute("ANALYZE")
            version = "SQLite " + connection.Database.sqlite_version
            size = f"{Path(settings.DATABASES['default']['NAME']).stat().st_size / 2**20:.0f} MB"
    return {
        "written": written,
        "gen_s": gen_s,
        "copy_s": copy_s,
        "analyze_s": time.perf_counter() - t0,
        "version": version,
        "size": size,
        "accounts": accounts,
        "n_entities": n_entities,
        "users": params["users"],
    }


def _seed_documents(connection, accounts: list[dict], now) -> int:
    """Three visible documents (one with an earlier version) for the sampled accounts: the profile
    lists them (their files are never opened here)."""
    rows = []
    pk = 0
    for account in accounts:
        for tipo, titulo, versions in (("rut", "", 1), ("experiencia", "Contratos ejecutados 2025", 2), ("rup", "", 1)):
            for version in range(1, versions + 1):
                pk += 1
                rows.append(
                    (
                        pk,
                        f"documentos/2026/01/bench{pk}.pdf",
                        f"{tipo}-{version}.pdf",
                        120_000,
                        "0" * 64,
                        "application/pdf",
                        now,
                        None,
                        account["pk"],
                        tipo,
                        titulo,
                        "directorio",
                        None,
                        version,
                        version == versions,
                        None,
                    )
                )
    return _copy(
        connection,
        "entities_documento",
        [
            "id",
            "archivo",
            "nombre_original",
            "tamano",
            "sha256",
            "content_type",
            "subido_en",
            "registro_id",
            "entidad_id",
            "tipo",
            "titulo",
            "visibilidad",
            "fecha_expedicion",
            "version",
            "vigente",
            "subido_por_id",
        ],
        iter(rows),
    )


def child_plan(params: dict) -> dict:
    """Builds every scenario's requests from the sampled accounts: {key: [{params} or {"perfil": pk}]}.
    The deep pages' cursors are found by paging (not timed)."""
    from registro.core.models import CodigoUNSPSC
    from registro.entities.directory import search

    rng = random.Random(params["seed"] + 1)
    accounts = [a for a in params["accounts"] if a["estado"] == "activa"]
    n = params["n"]
    plans: dict[str, list[dict]] = {key: [] for key, _l, _t in SCENARIOS}
    stop = {"DE", "Y", "LA", "DEL", "EL", "LOS", "LAS", "EN", "SAS", "LTDA", "SA", "EU"}

    def words(a):
        return [w for w in search.words_of(a["nombre"]) if w not in stop and len(w) >= 3]

    def typed(text):  # as people type: lower case, accents as the name had them
        return text.lower() if rng.random() < 0.7 else text.title()

    while len(plans["dos_palabras"]) < n:
        ws = words(rng.choice(accounts))
        if len(ws) >= 2:
            pair = sorted(rng.sample(ws, 2), key=ws.index)
            plans["dos_palabras"].append({"q": typed(" ".join(pair))})
    while len(plans["prefijo"]) < n:
        ws = words(rng.choice(accounts))
        if ws:
            w = rng.choice(ws)
            plans["prefijo"].append({"q": typed(w[: rng.randint(3, max(3, len(w) - 1))])})
    for a in rng.sample([a for a in accounts if not a["natural"]], n):
        style = rng.random()
        q = f"{a['nit']}-{a['dv']}" if style < 0.4 else a["nit"] if style < 0.7 else f"{a['nit']}{a['dv']}"
        if rng.random() < 0.3:
            q = ".".join(q[i : i + 3] for i in range(0, len(a["nit"]), 3)) + q[len(a["nit"]) :]
        plans["nit"].append({"q": q})
    segments = list(SEGMENT_WEIGHTS)
    for _ in range(n):
        dpto = rng.choice(accounts)["departamento"] or "11"
        plans["segmento_departamento"].append({"unspsc": rng.choice(segments[:12]), "departamento": dpto})
    classes = list(
        CodigoUNSPSC.objects.filter(nivel="clase", codigo__regex=r"^(" + "|".join(segments) + ")").values_list(
            "prefijo", flat=True
        )
    )
    for _ in range(n):
        plans["mipyme_clase"].append({"mipyme": "on", "unspsc": rng.choice(classes)})
    broad = [
        {"tipo": ["proveedor"]},
        {"q": "sas"},
        {"departamento": "11"},
        {"q": "inversiones"},
        {"tipo": ["proveedor"], "mipyme": "on"},
        {"unspsc": "72"},
        {"q": "construcciones", "orden": "nombre"},
        {"tamano": "micro"},
        {"q": "servicios"},
        {"departamento": "05", "unspsc": "80"},
        {},
        {"q": "s"},
    ]
    for p in broad[: params["broad"]]:
        plans["amplia_p1"].append(p)
        # The cursor that "Siguiente" gives on page 199: the same keyset as paging 199 times,
        # found in one call of 199 pages' size.
        page = search.search(_filtros(p), size=(PAGE_DEEP - 1) * search.PAGE_SIZE)
        if page.siguiente:
            plans["amplia_p200"].append({**p, "cursor": page.siguiente})
    plans["perfil"] = [{"perfil": a["pk"]} for a in rng.sample(accounts, n)]
    per_kind = max(1, n // len(PUBLIC_MIX))
    plans["publico"] = [{**p, "publico": "1"} for key in PUBLIC_MIX for p in plans[key][:per_kind]]
    return plans


def _filtros(p: dict):
    from django.http import QueryDict

    from registro.entities.directory.forms import DirectorioForm

    form = DirectorioForm(_querydict(p, QueryDict))
    if not form.is_valid():
        raise SystemExit(f"invalid scenario {p}: {form.errors.as_json()}")
    return form.filtros()


def _querydict(p: dict, factory):
    q = factory(mutable=True)
    for key, value in p.items():
        for v in value if isinstance(value, list) else [value]:
            q.appendlist(key, v)
    return q


def _run(p: dict):
    from django.http import QueryDict

    from registro.entities.directory import profile, search
    from registro.publico import busqueda

    if "perfil" in p:
        return profile.perfil_publico(pk=p["perfil"])
    if "publico" in p:  # the public page's code path: its form, the search, the public fields
        form = busqueda.BusquedaPublicaForm(_querydict({k: v for k, v in p.items() if k != "publico"}, QueryDict))
        if not form.is_valid():
            raise SystemExit(f"invalid public scenario {p}: {form.errors.as_json()}")
        return busqueda.buscar(form)[0]
    return search.search(_filtros({k: v for k, v in p.items() if k != "cursor"}), cursor=p.get("cursor"))


def _cpu_ns(backend: int | None) -> int:
    """CPU time so far of this process and of its database backend (PostgreSQL's process, from
    the scheduler's nanosecond counter): what a request costs, whatever else the machine runs."""
    own = time.process_time_ns()
    if backend is None:
        return own
    try:
        return own + int(Path(f"/proc/{backend}/schedstat").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return own


def child_measure(params: dict) -> dict:
    """In-process times of every scenario's requests (selector + result rows): wall time and CPU
    time (this process and its PostgreSQL backend); and one plan each."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    rng = random.Random(params["seed"] + 2)
    plans = params["plans"]
    times = {key: [] for key in plans}
    cpu = {key: [] for key in plans}
    results = {key: [] for key in plans}
    backend = None
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("SELECT pg_backend_pid()")
            backend = cur.fetchone()[0]
    for items in plans.values():  # warm-up
        for p in items[:10]:
            _run(p)
    for _ in range(params["repeat"]):
        order = [(key, i) for key, items in plans.items() for i in range(len(items))]
        rng.shuffle(order)
        for key, i in order:
            c0 = _cpu_ns(backend)
            t0 = time.perf_counter()
            out = _run(plans[key][i])
            times[key].append((time.perf_counter() - t0) * 1000)
            cpu[key].append((_cpu_ns(backend) - c0) / 1e6)
            if len(results[key]) < len(plans[key]):
                results[key].append(getattr(out, "total", 1))
    plans_text = {}
    for key, items in plans.items():
        if not items:
            continue
        slowest = max(range(len(items)), key=lambda i: _run_timed(items[i]))
        with CaptureQueriesContext(connection) as ctx:
            _run(items[slowest])
        plans_text[key] = {"request": items[slowest], "queries": _explain(connection, list(ctx.captured_queries))}
    return {"times": times, "cpu": cpu, "results": results, "plans": plans_text}


def _run_timed(p: dict) -> float:
    t0 = time.perf_counter()
    _run(p)
    return time.perf_counter() - t0


def _explain(connection, queries: list[dict]) -> list[str]:
    out = []
    with connection.cursor() as cur:
        for q in queries:
            sql = q["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            t0 = time.perf_counter()
            if connection.vendor == "postgresql":
                cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                plan = "\n".join(r[0] for r in cur.fetchall())
            else:
                cur.execute("EXPLAIN QUERY PLAN " + sql)
                plan = "\n".join(str(r[-1]) for r in cur.fetchall())
            out.append(f"-- {(time.perf_counter() - t0) * 1000:.1f} ms (with EXPLAIN)\n{sql[:600]}\n{plan}")
    return out


def child_sessions(params: dict) -> dict:
    """Session cookies of a few users acting for active accounts (entities and suppliers)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from registro.accounts.models import User

    cookies = []
    for user in User.objects.filter(membresias__entidad__estado="activa").order_by("pk")[:4]:
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        cookies.append(f"{settings.SESSION_COOKIE_NAME}={session.session_key}")
    return {"cookies": cookies}


def child_main(argv: list[str]) -> int:
    task, in_path, out_path = argv
    _django_setup()
    params = json.loads(Path(in_path).read_text())
    result = {"seed": child_seed, "plan": child_plan, "measure": child_measure, "sessions": child_sessions}[task](
        params
    )
    Path(out_path).write_text(json.dumps(result, default=str))
    return 0


# --- HTTP -----------------------------------------------------------------------------------------


def http_get(port: int, path: str, cookie: str = "", timeout: float = 30.0) -> tuple[int | None, bytes, float | None]:
    """Status, body and the server's own time for it (its `Server-Timing: app;dur=` header, ms)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Cookie": cookie, "User-Agent": "bench-directory/1.0"})
        resp = conn.getresponse()
        timing = resp.getheader("Server-Timing") or ""
        _name, _sep, duration = timing.partition(";dur=")
        return resp.status, resp.read(), float(duration) if duration else None
    except OSError:
        return None, b"", None
    finally:
        conn.close()


def start_server(env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    return serve_start(env, port, log, workers=WEB_WORKERS)


def page_path(p: dict) -> str:
    if "perfil" in p:
        return f"/directorio/{p['perfil']}/"
    if "publico" in p:
        return "/publico/?" + urllib.parse.urlencode([(k, v) for k, v in p.items() if k != "publico"])
    pairs = [(k, v) for k, value in p.items() for v in (value if isinstance(value, list) else [value])]
    return "/directorio/?" + urllib.parse.urlencode(pairs)


def time_http(port: int, plans: dict, cookies: list[str], repeat: int, rng: random.Random):
    """Each page's server time (its Server-Timing header: the whole request in Django, from the
    first middleware in to the rendered page out) and the client's wall clock (a new connection
    each time, gunicorn's parsing and the loopback included)."""
    times = {key: [] for key in plans}
    server = {key: [] for key in plans}
    errors: dict[str, int] = {}
    order = [(key, i) for key, items in plans.items() for i in range(len(items))]
    for key, i in order[:: max(1, len(order) // 40)]:  # warm-up of both workers
        status, body, _server_ms = http_get(port, page_path(plans[key][i]), cookies[0])
        if status != 200:
            raise SetupError(f"GET {page_path(plans[key][i])} answered {status} in the warm-up: {body[:300]!r}")
    for _ in range(repeat):
        rng.shuffle(order)
        for key, i in order:
            t0 = time.perf_counter()
            cookie = "" if "publico" in plans[key][i] else cookies[i % len(cookies)]  # the public: anonymous
            status, body, server_ms = http_get(port, page_path(plans[key][i]), cookie)
            elapsed = (time.perf_counter() - t0) * 1000
            if status == 200 and b"<h1>" in body and server_ms is not None:
                times[key].append(elapsed)
                server[key].append(server_ms)
            else:
                errors[f"{key} {status}"] = errors.get(f"{key} {status}", 0) + 1
    return {"server": server, "wall": times}, errors


# --- Report ---------------------------------------------------------------------------------------


def stats(values: list[float]) -> dict:
    values = sorted(values)
    return {
        "n": len(values),
        "p50": percentile(values, 0.5),
        "p95": percentile(values, 0.95),
        "p99": percentile(values, 0.99),
        "max": values[-1] if values else None,
    }


def fmt(value) -> str:
    return "n/a" if value is None else f"{value:.2f}"


def report(args, seed: dict, plans: dict, measured: dict, http_times: dict | None, http_errors: dict, extra) -> None:
    width = 40
    line = "=" * 108
    print()
    print("Directorio benchmark (benchmarks/directory.py)")
    print(line)
    w = seed["written"]
    for key, value in (
        ("Database", f"{seed['version']} ({'SQLite' if args.sqlite else args.db_name}), {seed['size']}"),
        (
            "Accounts",
            f"{w['entidades']:,} ({w['entidades'] - seed['n_entities']:,} suppliers, {seed['n_entities']:,} entities), "
            f"{w['perfiles']:,} commercial profiles, {w['areas']:,} areas of interest",
        ),
        ("Users", f"{w['usuarios']:,} with {w['membresias']:,} memberships; {w['documentos']:,} documents"),
        (
            "Seeding",
            f"generated in {seed['gen_s']:.0f} s, {'COPY' if not args.sqlite else 'executemany'} "
            f"{seed['copy_s']:.0f} s, {'VACUUM ' if not args.sqlite else ''}ANALYZE {seed['analyze_s']:.0f} s",
        ),
        (
            "Requests",
            f"{QUERIES_PER_SCENARIO} per scenario ({BROAD_QUERIES} broad queries), {args.repeat} shuffled rounds",
        ),
        ("Web server", f"gunicorn, {WEB_WORKERS} workers (manage.py serve --no-worker), one request at a time"),
        (
            "Cache and sessions",
            f"Redis {args.cache_url}, cached_db" if args.cache_url else "database cache, db sessions",
        ),
        ("CPUs / load average at the end", f"{os.cpu_count()} / {os.getloadavg()[0]:.2f}"),
        (
            "Columns",
            "in process: wall time of the selector and the rows; CPU: that process's CPU time plus its "
            "PostgreSQL backend's (the request's own cost, whatever else the machine runs); page: the "
            "server time of GET of the page with a logged-in session (its Server-Timing header: every "
            "middleware, the view and the template); HTTP wall: the client's clock for it",
        ),
    ):
        print(f"{key:<{width}}  {value}")
    print("-" * len(line))
    header = (
        f"{'Server time (ms)':<{width}}  {'':>9}{'p50':>8}{'p95':>8}{'p99':>8}{'max':>8}  target   matches (median)"
    )
    print(header)
    verdicts = []
    for key, label, target in SCENARIOS:
        for where, source in (
            ("in process", measured["times"]),
            ("CPU", measured.get("cpu")),
            ("page", (http_times or {}).get("server")),
            ("HTTP wall", (http_times or {}).get("wall")),
        ):
            if source is None or not source.get(key):
                continue
            s = stats(source[key])
            if where == "HTTP wall":  # the client's clock, shown beside the server's, not judged
                verdict = f"{'(client)':<13}"
            else:
                goal = TARGET_MS if where == "page" else target  # the NIT's 5 ms is its lookup's
                ok = s["p95"] is not None and s["p95"] <= goal
                verdict = f"p95<={goal:g} {'PASS' if ok else 'FAIL'}"
                verdicts.append((label, where, s["p95"], goal, ok))
            results = sorted(measured["results"].get(key) or [0])
            matched = f"{results[len(results) // 2]}" if "perfil" not in key else ""
            print(
                f"{label if where == 'in process' else '':<{width}}  {where:>9}{fmt(s['p50']):>8}{fmt(s['p95']):>8}"
                f"{fmt(s['p99']):>8}{fmt(s['max']):>8}  {verdict}  {matched if where == 'in process' else ''}"
            )
    if http_errors:
        print(f"{'HTTP errors':<{width}}  {http_errors}")
    for label, text in extra:
        print(f"{label:<{width}}  {text}")
    print(line)
    for key, plan in measured["plans"].items():
        print(f"Plans of the slowest request of {key!r}: {plan['request']}")
        for text in plan["queries"]:
            print("    " + text.replace("\n", "\n    "))
        print()
    print(line)
    for label, where, p95, target, ok in verdicts:
        print(
            f"{label + ', ' + where:<{width + 12}}  p95 {fmt(p95):>7} ms  (<= {target:g})  {'PASS' if ok else 'FAIL'}"
        )


# --- Main -----------------------------------------------------------------------------------------


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.scale < 2000 or args.users < 10 or args.repeat < 1:
        print("--scale >= 2000, --users >= 10 and --repeat >= 1, please", file=sys.stderr)
        return 2
    reuse = Path(args.reuse) if args.reuse else None
    tmp = reuse or Path(tempfile.mkdtemp(prefix="bench-directory-"))
    log = tmp / "bench.log"
    server = None
    admin_url = ""
    keep = args.keep or reuse is not None
    try:
        if args.sqlite:
            database_url = f"sqlite:///{tmp / 'var' / 'bench.sqlite3'}"
        elif reuse:
            database_url, admin_url = bench_database_url(args.database_url, args.db_name)
        else:
            database_url, admin_url = bench_database_create(args.database_url, args.db_name)
        (tmp / "var").mkdir(exist_ok=True)
        env = build_env(tmp / "var", database_url, args.cache_url)
        if reuse:
            seed = json.loads((tmp / "seed.json").read_text())
            print(f"Reusing {tmp} ...", flush=True)
        else:
            print(f"Setting up in {tmp} ({'SQLite' if args.sqlite else 'PostgreSQL ' + args.db_name}) ...", flush=True)
            run_manage(env, "migrate", "--noinput", log=log)
            run_manage(env, "createcachetable", log=log)
            run_manage(env, "collectstatic", "--noinput", "--verbosity", "0", log=log)
            run_manage(env, "load_reference_data", log=log)
            print(
                f"Seeding {args.scale:,} suppliers, {max(args.scale // 20, 100):,} entities, {args.users:,} users ...",
                flush=True,
            )
            seed = run_child(
                __file__,
                env,
                "seed",
                {"scale": args.scale, "users": args.users, "seed": args.seed},
                tmp,
                log,
                timeout=7200,
            )
            (tmp / "seed.json").write_text(json.dumps(seed))
            print(f"  {seed['written']} in {seed['gen_s'] + seed['copy_s'] + seed['analyze_s']:.0f} s", flush=True)
        print("Building the requests ...", flush=True)
        plans = run_child(
            __file__,
            env,
            "plan",
            {"accounts": seed["accounts"], "seed": args.seed, "n": QUERIES_PER_SCENARIO, "broad": BROAD_QUERIES},
            tmp,
            log,
            timeout=3600,
        )
        print("Timing in process ...", flush=True)
        measured = run_child(
            __file__, env, "measure", {"plans": plans, "repeat": args.repeat, "seed": args.seed}, tmp, log, timeout=3600
        )
        http_times, http_errors = None, {}
        if not args.no_http:
            cookies = run_child(__file__, env, "sessions", {}, tmp, log)["cookies"]
            port = free_port()
            print(f"Timing the pages over HTTP (gunicorn, {WEB_WORKERS} workers, port {port}) ...", flush=True)
            server = start_server(env, port, tmp / "server.log")
            http_times, http_errors = time_http(port, plans, cookies, args.repeat, random.Random(args.seed + 3))
            stop_server(server)
            server = None
        extra = [row for figure in EXTRA_FIGURES for row in figure(env, tmp, log)]
        report(args, seed, plans, measured, http_times, http_errors, extra)
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
        cleanup(tmp, admin_url=admin_url, db_name=args.db_name, keep=keep)


if __name__ == "__main__":
    if sys.argv[1:2] == [CHILD_FLAG]:
        sys.exit(child_main(sys.argv[2:]))
    sys.exit(main())
