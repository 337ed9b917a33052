"""Server time of "Validar" and of the parent-entity search over 50,000 entities on PostgreSQL.

Run as `.venv/bin/python benchmarks/entity_search.py`. In one run it:

1. builds a throw-away environment (temporary VAR_DIR, a dedicated PostgreSQL database
   `bench_entity_search` on `--database-url`), migrates it (the search indexes of migrations 0002
   and 0003 included) and loads the reference data;
2. seeds 50,000 realistic entities in one bulk insert (alcaldías, concejos, personerías, E.S.E.
   hospitals, instituciones educativas, gobernaciones, national bodies and their regional offices,
   named after the DIVIPOLA municipalities and departments), `nombre` written as the registration
   form writes it (`rules.normalize_legal_name`), `nombre_busqueda` by `search_key`, unique 9-digit
   NITs with their DIAN check digit, then VACUUM ANALYZE;
3. builds about 500 queries the way people type them: one or two words of a name, partial words
   (3 letters or more), lower case and accents ("alcaldía de medellín"), NITs and NIT prefixes with
   dots and check digit, a few with no match, and a few 2-letter ones (the parent-entity picker
   searches from the 2nd letter typed);
4. in a Django process with the same environment: runs every query once (warm-up), then times
   `selectors.entidad_search(query=...)` evaluated with list() in `--repeat` rounds, each round
   a shuffled pass with every index, one with the trigram index (0002) dropped and one with the
   name-order index (0003) dropped, each recreated with its migration's own statement (alternating
   keeps the machine's changing load out of the comparison); EXPLAIN ANALYZE of a selective name
   query, of the broadest one, of the slowest one and of a NIT query;
5. starts the product's web server as `manage.py serve` does (gunicorn, 2 workers) and times
   GET /api/v1/entidades/buscar?q=... for the same queries, one at a time, after a warm-up pass;
6. prints p50/p95/p99/max of each against the target (p95 <= 20 ms) and removes everything.

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
from collections.abc import Iterator
from pathlib import Path

from harness import (
    CHILD_FLAG,
    ROOT,
    SetupError,
    bench_database_create,
    cleanup,
    free_port,
    percentile,
    run_child,
    run_manage,
    serve_start,
    stop_server,
)

BENCH_DB_NAME = "bench_entity_search"
DEFAULT_SERVER_URL = "postgres://postgres@127.0.0.1:5432/postgres"
TARGET_P95_MS = 20.0
WEB_WORKERS = 2
SEARCH_PATH = "/api/v1/entidades/buscar"
TRGM_INDEX = "entidad_nombre_busqueda_trgm"  # migration 0002
ORDEN_INDEX = "entidad_nombre_orden"  # migration 0003
# Indexes dropped in turn for comparison: (key, index, migration that creates it).
VARIANTS = (
    ("no_trgm", TRGM_INDEX, "0002_search_indexes"),
    ("no_orden", ORDEN_INDEX, "0003_entidad_nombre_orden"),
)
WARMUP_QUERIES = 50  # run unmeasured before each measured pass (after an index is dropped, say)


# --- Environment (as in benchmarks/login.py) ---------------------------------------------------


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--entities", type=int, default=50_000, help="entities seeded (default 50000)")
    parser.add_argument("--queries", type=int, default=500, help="distinct queries (default 500)")
    parser.add_argument("--repeat", type=int, default=3, help="measured rounds over the queries (default 3)")
    parser.add_argument("--seed", type=int, default=20240611, help="random seed of names and queries")
    parser.add_argument(
        "--database-url",
        default=DEFAULT_SERVER_URL,
        help=f"PostgreSQL server to use (default {DEFAULT_SERVER_URL}); the benchmark creates and drops "
        f"its own database {BENCH_DB_NAME!r} there.",
    )
    parser.add_argument("--keep", action="store_true", help="keep the temp dir and the database for inspection")
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
    )
    return env


# --- Web server -----------------------------------------------------------------------------


def http_get(port: int, path: str, timeout: float = 10.0) -> tuple[int | None, bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers={"Accept": "application/json", "User-Agent": "bench-entity-search/1.0"})
        resp = conn.getresponse()
        return resp.status, resp.read()
    except OSError:
        return None, b""
    finally:
        conn.close()


def start_server(env: dict[str, str], port: int, log: Path) -> subprocess.Popen:
    # The product's own entry point (`make run` -> manage.py serve), without the task worker.
    return serve_start(env, port, log, workers=WEB_WORKERS)


# --- Realistic names ----------------------------------------------------------------------------
#
# Written as people write them (accents, Ñ); the stored `nombre` is what the registration form makes
# of them (rules.normalize_legal_name: capitals, no accents, Ñ kept), and the queries use the
# accented forms too.

# fmt: off
PATRONOS = [
    "San José", "San Juan Bautista", "Santa Teresa", "San Vicente de Paúl", "Nuestra Señora del Carmen",
    "Sagrado Corazón de Jesús", "San Rafael", "San Antonio", "Santa Ana", "San Francisco de Asís",
    "La Inmaculada", "María Auxiliadora", "Santa Bárbara", "San Pedro Claver", "San Martín de Porres",
    "Nuestra Señora de Fátima", "La Presentación", "San Luis Gonzaga", "Santa Lucía", "San Sebastián",
    "Francisco José de Caldas", "Simón Bolívar", "Antonio Nariño", "Policarpa Salavarrieta",
    "Jorge Eliécer Gaitán", "Gabriel García Márquez", "Camilo Torres", "José María Córdova",
    "Francisco de Paula Santander", "José Antonio Galán", "Atanasio Girardot", "Manuela Beltrán",
    "Rafael Núñez", "Luis Carlos Galán", "Marco Fidel Suárez", "Tomás Carrasquilla", "Jorge Isaacs",
    "León de Greiff", "Rafael Pombo", "Pedro Nel Gómez", "Débora Arango", "Eduardo Santos",
    "Alfonso López Pumarejo", "Julio César Turbay", "Gustavo Rojas Pinilla", "Monseñor Rubén Isaza",
    "Madre Laura", "Juan XXIII", "Pío XII", "Juan Pablo II", "El Divino Niño", "La Milagrosa",
    "Cristo Rey", "Los Fundadores", "La Esperanza", "El Progreso", "La Paz", "Nuevo Horizonte",
]
VEREDAS = [
    "La Esperanza", "El Porvenir", "Santa Rosa", "La Palma", "El Carmen", "Buenos Aires", "La Unión",
    "San Antonio", "El Rosal", "La Florida", "Alto Bonito", "El Diamante", "Las Mercedes", "La Cumbre",
    "Monteloro", "El Tablazo", "La Playa", "Quebrada Negra", "Los Naranjos", "El Retiro", "La Ceiba",
    "Guayabal", "Piedras Blancas", "El Cedro", "La Pradera", "Caño Seco", "El Guamo", "Patio Bonito",
    "Mesopotamia", "La Bodega", "El Caucho", "Peñas Blancas", "Villa Nueva", "Campo Alegre", "El Jardín",
]
POR_MUNICIPIO = [  # one each
    "Alcaldía Municipal de {m}", "Concejo Municipal de {m}", "Personería Municipal de {m}",
    "E.S.E. Hospital {p} de {m}", "Empresa de Servicios Públicos de {m} E.S.P.",
    "Instituto Municipal de Deportes y Recreación de {m}", "Casa de la Cultura de {m}",
    "Cuerpo de Bomberos Voluntarios de {m}", "Secretaría de Educación Municipal de {m}",
]
VARIABLES = [  # (weight, template) drawn at random until --entities is reached
    (40, "Institución Educativa {p} de {m}"),
    (12, "Institución Educativa Rural {v} de {m}"),
    (8, "Institución Educativa Técnica Agropecuaria {p} de {m}"),
    (10, "Centro Educativo Rural {v} de {m}"),
    (6, "E.S.E. Centro de Salud {p} de {m}"),
    (3, "E.S.E. Hospital Local {p} de {m}"),
    (4, "Institución Educativa Normal Superior {p} de {m}"),
    (3, "Hogar Infantil {v} de {m}"),
    (3, "Junta Administradora del Acueducto Vereda {v} de {m}"),
    (2, "Fondo de Vivienda de Interés Social de {m}"),
    (2, "Instituto de Tránsito y Transporte de {m}"),
    (2, "Biblioteca Pública Municipal {p} de {m}"),
    (2, "Escuela de Música {p} de {m}"),
    (1, "Terminal de Transportes de {m} S.A."),
]
POR_DEPARTAMENTO = [
    "Gobernación de {d}", "Asamblea Departamental de {d}", "Contraloría Departamental de {d}",
    "Secretaría de Salud Departamental de {d}", "Secretaría de Educación Departamental de {d}",
    "E.S.E. Hospital Departamental {p} de {d}", "Instituto Departamental de Deportes de {d}",
    "Lotería de {d}", "Instituto Departamental de Tránsito de {d}", "Universidad de {d}",
    "Servicio Nacional de Aprendizaje SENA Regional {d}", "Instituto Colombiano de Bienestar Familiar Regional {d}",
    "Registraduría Nacional del Estado Civil Delegación {d}", "Departamento de Policía {d}",
    "Dirección Seccional de Fiscalías de {d}", "Corporación Autónoma Regional de {d}",
]
NACIONALES = [
    "Ministerio de Educación Nacional", "Ministerio de Salud y Protección Social", "Ministerio de Hacienda y Crédito Público",
    "Ministerio de Defensa Nacional", "Ministerio de Transporte", "Ministerio de Cultura", "Ministerio del Interior",
    "Ministerio de Agricultura y Desarrollo Rural", "Ministerio de Tecnologías de la Información y las Comunicaciones",
    "Servicio Nacional de Aprendizaje SENA", "Instituto Colombiano de Bienestar Familiar ICBF",
    "Departamento Nacional de Planeación", "Departamento Administrativo Nacional de Estadística DANE",
    "Agencia Nacional de Contratación Pública Colombia Compra Eficiente", "Fiscalía General de la Nación",
    "Procuraduría General de la Nación", "Contraloría General de la República", "Defensoría del Pueblo",
    "Registraduría Nacional del Estado Civil", "Policía Nacional", "Ejército Nacional", "Armada Nacional",
    "Fuerza Aérea Colombiana", "Instituto Nacional de Vías INVIAS", "Agencia Nacional de Infraestructura",
    "Unidad Nacional para la Gestión del Riesgo de Desastres", "Superintendencia de Industria y Comercio",
    "Superintendencia Nacional de Salud", "Instituto Geográfico Agustín Codazzi", "Universidad Nacional de Colombia",
    "Instituto Nacional Penitenciario y Carcelario INPEC", "Dirección de Impuestos y Aduanas Nacionales DIAN",
    "Unidad Administrativa Especial de Aeronáutica Civil", "Instituto Colombiano de Crédito Educativo ICETEX",
    "Agencia Nacional de Tierras", "Unidad para la Atención y Reparación Integral a las Víctimas",
]
STOPWORDS = {"DE", "LA", "EL", "DEL", "LOS", "LAS", "Y", "EN", "SA", "ESP"}
CATEGORIES = (
    "una palabra", "dos palabras", "palabras parciales", "minúsculas y tildes", "NIT", "sin resultado", "2 letras",
)
# "2 letras": the parent-entity picker searches from the 2nd letter typed (core/static/core/registro.js).
CATEGORY_WEIGHTS = (20, 25, 15, 15, 18, 5, 2)
# fmt: on


def _divipola() -> tuple[list[tuple[str, str, str]], list[tuple[str, str]]]:
    """([(codigo municipio, codigo departamento, nombre)], [(codigo departamento, nombre)]), names as
    DIVIPOLA writes them ("MEDELLÍN", "BOGOTÁ, D.C.")."""
    with open(ROOT / "registro/core/data/divipola.csv", encoding="utf-8", newline="") as fh:
        municipios = [
            (r["cod_mpio"].zfill(5), r["cod_dpto"].zfill(2), r["municipio"].strip()) for r in csv.DictReader(fh)
        ]
    with open(ROOT / "registro/core/data/divipola_departamentos.csv", encoding="utf-8", newline="") as fh:
        departamentos = [
            (r["codigo_departamento"].zfill(2), r["nombre_departamento"].strip()) for r in csv.DictReader(fh)
        ]
    return municipios, departamentos


def _place(name: str) -> str:
    """DIVIPOLA's "BOGOTÁ, D.C." as people write it in a name; Title case like the templates."""
    return name.replace(", D.C.", " D.C.").title().replace(" De ", " de ").replace(" Del ", " del ")


def generate_entities(rng: random.Random) -> Iterator[dict]:
    """{raw, municipio, departamento, orden} without end: national bodies, then each department's and
    each municipality's own, then schools, clinics and the like at random. `raw` is as typed, accents
    and all; the caller normalises it and drops the names it has already seen."""
    municipios, departamentos = _divipola()
    for name in NACIONALES:
        yield {"raw": name, "municipio": None, "departamento": "11", "orden": "Nacional"}
    for codigo, nombre in departamentos:
        for template in POR_DEPARTAMENTO:
            raw = template.format(d=_place(nombre), p=rng.choice(PATRONOS))
            yield {"raw": raw, "municipio": None, "departamento": codigo, "orden": "Territorial"}
    for codigo, dpto, nombre in municipios:
        for template in POR_MUNICIPIO:
            raw = template.format(m=_place(nombre), p=rng.choice(PATRONOS))
            yield {"raw": raw, "municipio": codigo, "departamento": dpto, "orden": "Territorial"}
    weights = [w for w, _ in VARIABLES]
    templates = [t for _, t in VARIABLES]
    # Larger places have more schools and clinics: a few municipalities weigh much more.
    mpio_weights = [rng.choice((1, 1, 1, 2, 3, 8)) for _ in municipios]
    while True:
        codigo, dpto, nombre = rng.choices(municipios, mpio_weights)[0]
        template = rng.choices(templates, weights)[0]
        raw = template.format(m=_place(nombre), p=rng.choice(PATRONOS), v=rng.choice(VEREDAS))
        yield {"raw": raw, "municipio": codigo, "departamento": dpto, "orden": "Territorial"}


def _case_variant(text: str, rng: random.Random) -> str:
    return rng.choice((text.lower(), text.lower(), text.upper(), text.title()))


def _digits_with_dots(digits: str) -> str:
    """ "890905211" -> "890.905.211"; a prefix keeps the dots where they fall ("890.90")."""
    return ".".join(digits[i : i + 3] for i in range(0, len(digits), 3))


def generate_queries(entities: list[dict], n: int, rng: random.Random) -> list[dict]:
    """[{category, q}] - distinct queries, typed as people type them."""
    queries: dict[str, str] = {}
    attempts = 0
    while len(queries) < n and attempts < n * 50:
        attempts += 1
        category = rng.choices(CATEGORIES, CATEGORY_WEIGHTS)[0]
        entity = rng.choice(entities)
        words = entity["nombre"].split()
        significant = [w for w in words if w not in STOPWORDS and len(w) >= 3]
        if not significant:
            continue
        if category == "una palabra":
            q = _case_variant(rng.choice(significant), rng)
        elif category == "dos palabras":
            if rng.random() < 0.4 and len(words) >= 2:
                i = rng.randrange(len(words) - 1)  # consecutive, short words included: "municipal de"
                pair = words[i : i + 2]
            elif len(significant) >= 2:
                pair = sorted(rng.sample(significant, 2), key=words.index)
            else:
                continue
            q = _case_variant(" ".join(pair), rng)
        elif category == "palabras parciales":
            picked = sorted(rng.sample(significant, min(len(significant), rng.choice((1, 1, 2)))), key=words.index)
            parts = []
            for word in picked:
                if len(word) <= 3:
                    parts.append(word)
                elif rng.random() < 0.7:
                    parts.append(word[: rng.randint(3, len(word) - 1)])  # prefix: "alcal", "medel"
                else:
                    start = rng.randint(1, len(word) - 3)  # inside a word: "caldia"
                    parts.append(word[start : start + rng.randint(3, len(word) - start)])
            q = _case_variant(" ".join(parts), rng)
        elif category == "minúsculas y tildes":
            raw_words = entity["raw"].replace(".", "").split()
            if rng.random() < 0.5:
                k = rng.randint(1, min(3, len(raw_words)))
                i = rng.randrange(len(raw_words) - k + 1)
                if all(w.upper() in STOPWORDS for w in raw_words[i : i + k]):
                    continue  # nobody looks for "de la"
                q = " ".join(raw_words[i : i + k]).lower()
            else:
                q = entity["raw"].lower()  # the whole name as the user knows it, "alcaldía municipal de medellín"
            if not any(ch.isalpha() and ord(ch) > 127 for ch in q) and rng.random() < 0.5:
                q = q.capitalize()
        elif category == "NIT":
            nit, dv = entity["nit"], entity["dv"]
            style = rng.random()
            if style < 0.25:
                q = f"{_digits_with_dots(nit)}-{dv}"  # "890.905.211-7", from the RUT
            elif style < 0.45:
                q = f"{nit}-{dv}"
            elif style < 0.6:
                q = nit
            elif style < 0.8:
                q = _digits_with_dots(nit[: rng.randint(4, 8)])  # typing in progress, "890.90"
            else:
                q = nit[: rng.randint(4, 8)]
        elif category == "2 letras":
            q = rng.choice(significant)[:2].lower()  # the picker's first request: "in", "al", "es"
        else:  # sin resultado: a misspelt word, or a NIT nobody has
            if rng.random() < 0.5:
                word = rng.choice(significant)
                i = rng.randrange(len(word))
                q = (word[:i] + rng.choice("QXZKW") + word[i + 1 :]).lower()
            else:
                q = str(rng.randint(100_000_000, 799_999_999))
        q = " ".join(q.split())
        if q and q not in queries:
            queries[q] = category
    return [{"category": c, "q": q} for q, c in queries.items()]


# --- Django side (run in a child process with the benchmark's environment) ----------------------


def _django_setup() -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def child_seed(params: dict) -> dict:
    """Seeds the entities and returns the queries built from them."""
    from django.db import connection, transaction

    from registro.core.models import ClasificacionEntidad
    from registro.core.text import search_key
    from registro.entities.account.models import Entidad
    from registro.entities.registration.rules import nit_check_digit, normalize_legal_name

    rng = random.Random(params["seed"])
    n = params["entities"]
    seen: set[str] = set()
    rows: list[dict] = []
    for attempt, item in enumerate(generate_entities(rng)):
        if len(rows) == n or attempt > 20 * n:
            break
        nombre = normalize_legal_name(item["raw"])
        if nombre not in seen:
            seen.add(nombre)
            rows.append({**item, "nombre": nombre})
    if len(rows) < n:
        raise SystemExit(f"only {len(rows)} distinct names could be generated")
    nits = rng.sample(range(800_000_000, 1_000_000_000), n)
    orden = {c.valor: c for c in ClasificacionEntidad.objects.filter(campo="orden")}
    rama = ClasificacionEntidad.objects.filter(campo="rama", valor="Ejecutiva").first()
    estados = [Entidad.Estado.ACTIVA] * 17 + [Entidad.Estado.PENDIENTE] * 2 + [Entidad.Estado.REQUIERE_CORRECCION]
    objs = []
    for row, nit in zip(rows, nits, strict=True):
        row["nit"] = str(nit)
        row["dv"] = nit_check_digit(row["nit"])
        objs.append(
            Entidad(
                nombre=row["nombre"],
                nombre_busqueda=search_key(row["nombre"]),  # bulk_create does not call save()
                nit=row["nit"],
                dv=row["dv"],
                estado=rng.choice(estados),
                orden=orden.get(row["orden"]),
                rama=rama,
                departamento_id=row["departamento"],
                municipio_id=row["municipio"],
                telefono=str(rng.randint(6010000000, 6089999999)),
                correo_notificaciones=f"contratacion{nit}@entidad.gov.co",
            )
        )
    t0 = time.perf_counter()
    with transaction.atomic():
        Entidad.objects.bulk_create(objs, batch_size=2000)
    insert_s = time.perf_counter() - t0
    with connection.cursor() as cursor:
        # VACUUM as well as ANALYZE: a table that has been in use for a while has its visibility map
        # set by autovacuum (PostgreSQL 13+ also vacuums after inserts), and index-only scans rely
        # on it. Right after a bulk load it is empty.
        cursor.execute("VACUUM ANALYZE entities_entidad")
        cursor.execute("SELECT pg_size_pretty(pg_table_size('entities_entidad')), current_setting('server_version')")
        table_size, version = cursor.fetchone()
    return {
        "count": Entidad.objects.count(),
        "insert_s": insert_s,
        "table_size": table_size,
        "pg_version": version,
        "queries": generate_queries(rows, params["queries"], rng),
        "examples": [r["nombre"] for r in rng.sample(rows, 6)],
    }


def _indexes() -> dict[str, dict]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef, pg_size_pretty(pg_relation_size(format('%I', indexname)::regclass)) "
            "FROM pg_indexes WHERE tablename = 'entities_entidad'"
        )
        return {name: {"def": definition, "size": size} for name, definition, size in cursor.fetchall()}


def _time_pass(queries: list[str], times: list[list[float]], rng: random.Random) -> None:
    """A warm-up over some of the queries, then every query once in shuffled order."""
    from registro.entities.account.selectors import entidad_search

    for q in queries[:WARMUP_QUERIES]:
        list(entidad_search(query=q))
    order = list(range(len(queries)))
    rng.shuffle(order)
    for i in order:
        t0 = time.perf_counter()
        list(entidad_search(query=queries[i]))
        times[i].append((time.perf_counter() - t0) * 1000)


def _explain(query: str) -> str:
    from registro.entities.account.selectors import entidad_search

    return entidad_search(query=query).explain(analyze=True, buffers=True)


def _plan_queries(queries: list[dict], matches: list[int]) -> dict[str, str]:
    """A selective name query, the broadest name query and a NIT typed with dots."""
    names = [
        (m, q["q"]) for q, m in zip(queries, matches, strict=True) if q["category"] not in ("NIT", "sin resultado")
    ]
    names = [(m, q) for m, q in names if any(len(w) >= 3 for w in q.split())]
    selective = [q for m, q in names if 20 <= m <= 500 and len(q.split()) == 2] or [q for m, q in names if m]
    nits = [q["q"] for q in queries if q["category"] == "NIT" and "." in q["q"] and "-" in q["q"]]
    prefixes = [q["q"] for q in queries if q["category"] == "NIT" and len(q["q"].replace(".", "")) < 9]
    return {
        "name": selective[0],
        "broad": max(names)[1],
        "nit": (nits or [q["q"] for q in queries if q["category"] == "NIT"])[0],
        "nit_prefix": (prefixes or ["890.9"])[0],
    }


def child_measure(params: dict) -> dict:
    """In-process times with all the indexes and with each search index dropped in turn, in
    alternating rounds (all, no trigram, no name-order, all again...) so that every variant sees
    the same machine; each index is recreated with its migration's own statement. And the plans."""
    import importlib

    from django.db import connection

    from registro.entities.account.selectors import entidad_search

    queries = [item["q"] for item in params["queries"]]
    rng = random.Random(params["seed"] + 1)
    indexes = _indexes()
    if TRGM_INDEX not in indexes:
        raise SystemExit(f"the trigram index {TRGM_INDEX} is missing: was migration 0002 applied?")
    for q in queries:  # warm-up, and the cache filled once
        list(entidad_search(query=q))
    matches = [entidad_search(query=q, limit=10**9).count() for q in queries]
    returned = [len(list(entidad_search(query=q))) for q in queries]
    plan_queries = _plan_queries(params["queries"], matches)
    variants = [(key, index, migration) for key, index, migration in VARIANTS if index in indexes]
    times: dict[str, list[list[float]]] = {key: [[] for _ in queries] for key in ["all"] + [v[0] for v in variants]}
    plans: dict[str, dict[str, str]] = {}
    for _ in range(params["repeat"]):
        _time_pass(queries, times["all"], rng)
        for key, index, migration_name in variants:
            migration = importlib.import_module(f"registro.entities.migrations.{migration_name}")
            create = next(s for s in migration.FORWARD if index in s)
            with connection.cursor() as cursor:
                cursor.execute(f"DROP INDEX {index}")
            try:
                _time_pass(queries, times[key], rng)
                plans.setdefault(key, {k: _explain(plan_queries[k]) for k in ("name", "broad")})
            finally:
                with connection.cursor() as cursor:
                    cursor.execute(create)
    # ... and the query that took longest with every index, whatever it is.
    plan_queries["slowest"] = queries[max(range(len(queries)), key=lambda i: median(times["all"][i]))]
    plans["all"] = {key: _explain(q) for key, q in plan_queries.items()}
    return {
        "indexes": indexes,
        "matches": matches,
        "returned": returned,
        "plan_queries": plan_queries,
        "times": times,
        "plans": plans,
        "restored": all(name in _indexes() for name in indexes),
    }


def child_main(argv: list[str]) -> int:
    task, in_path, out_path = argv
    _django_setup()
    params = json.loads(Path(in_path).read_text())
    result = {"seed": child_seed, "measure": child_measure}[task](params)
    Path(out_path).write_text(json.dumps(result))
    return 0


# --- HTTP -----------------------------------------------------------------------------------


def time_http(port: int, queries: list[str], repeat: int, rng: random.Random) -> tuple[list[list[float]], dict]:
    """The same passes as in process, through the web server: one request at a time, a new
    connection each (gunicorn's sync workers close it after every response)."""
    paths = [f"{SEARCH_PATH}?{urllib.parse.urlencode({'q': q})}" for q in queries]
    errors: dict[str, int] = {}
    for path in paths:  # warm-up: both workers, every code path
        status, _ = http_get(port, path)
        if status != 200:
            errors[str(status)] = errors.get(str(status), 0) + 1
    if errors:
        raise SetupError(f"the search API answered {errors} during the warm-up")
    times: list[list[float]] = [[] for _ in queries]
    for _ in range(repeat):
        order = list(range(len(queries)))
        rng.shuffle(order)
        for i in order:
            t0 = time.perf_counter()
            status, body = http_get(port, paths[i])
            elapsed = (time.perf_counter() - t0) * 1000
            if status == 200 and body.startswith(b"["):
                times[i].append(elapsed)
            else:
                errors[str(status)] = errors.get(str(status), 0) + 1
    return times, errors


# --- Report ---------------------------------------------------------------------------------


def stats(times: list[list[float]], only: list[int] | None = None) -> dict:
    chosen = range(len(times)) if only is None else only
    values = sorted(t for i in chosen for t in times[i])
    return {
        "n": len(values),
        "p50": percentile(values, 0.5),
        "p95": percentile(values, 0.95),
        "p99": percentile(values, 0.99),
        "max": values[-1] if values else None,
    }


def fmt(value, spec: str = ".2f") -> str:
    return "n/a" if value is None else f"{value:{spec}}"


def fmt_stats(s: dict) -> str:
    cells = " ".join(f"{fmt(s[k]):>7}" for k in ("p50", "p95", "p99", "max"))
    return f"{cells}   ({s['n']} searches)"


def verdict(s: dict) -> str:
    return "PASS" if s["p95"] is not None and s["p95"] <= TARGET_P95_MS else "FAIL"


def median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


def indented(text: str) -> str:
    return "    " + text.replace("\n", "\n    ")


def report(args, seed: dict, measured: dict, http_times: list[list[float]], http_errors: dict) -> None:
    queries = seed["queries"]
    texts = [q["q"] for q in queries]
    times = measured["times"]
    indexes = measured["indexes"]
    nit_indexes = [n for n, d in indexes.items() if "(nit" in d["def"]]
    labels = {
        "all": "(a) in process, entidad_search() + list()",
        "http": f"(b) HTTP GET {SEARCH_PATH}",
        "no_trgm": "(c) in process, no trigram index",
        "no_orden": "(d) in process, no name-order index",
    }
    by_category = {c: [i for i, q in enumerate(queries) if q["category"] == c] for c in CATEGORIES}
    overall = {key: stats(t) for key, t in times.items()} | {"http": stats(http_times)}

    width = 46
    line = "=" * 112
    print()
    print("Entity search benchmark (benchmarks/entity_search.py)")
    print(line)
    rows = [
        ("Database", f"PostgreSQL {seed['pg_version']}, database {BENCH_DB_NAME}"),
        (
            "Entities",
            f"{seed['count']:,} (bulk insert {seed['insert_s']:.1f} s, then VACUUM ANALYZE), table {seed['table_size']}",
        ),
        ("Trigram GIN index (0002)", f"{TRGM_INDEX} ({indexes[TRGM_INDEX]['size']})"),
        (
            "Name-order index (0003)",
            f"{ORDEN_INDEX} ({indexes[ORDEN_INDEX]['size']})" if ORDEN_INDEX in indexes else "not in this tree",
        ),
        ("NIT indexes", ", ".join(f"{n} ({indexes[n]['size']})" for n in nit_indexes) or "none found"),
        ("Queries", f"{len(texts)} distinct: " + ", ".join(f"{c} {len(ix)}" for c, ix in by_category.items() if ix)),
        (
            "Passes",
            f"{args.repeat} rounds alternating (a), (c), (d); each a warm-up of {WARMUP_QUERIES} queries and "
            "all of them in shuffled order, one search at a time",
        ),
        ("Web server", f"gunicorn config.wsgi:application, {WEB_WORKERS} workers (manage.py serve --no-worker)"),
        ("CPUs / load average at the end", f"{os.cpu_count()} / {os.getloadavg()[0]:.2f}"),
    ]
    for key, value in rows:
        print(f"{key:<{width}}  {value}")
    print("-" * len(line))
    print(f"{'Server time (ms)':<{width}}  {'p50':>7} {'p95':>7} {'p99':>7} {'max':>7}")
    for key in ("all", "http", "no_trgm", "no_orden"):
        if key in overall:
            print(f"{labels[key]:<{width}}  {fmt_stats(overall[key])}")
    print(f"{'':<{width}}  (c): {TRGM_INDEX} (migration 0002) dropped")
    print(f"{'':<{width}}  (d): {ORDEN_INDEX} (migration 0003) dropped - what the search cost before 0003")
    print("-" * len(line))
    shown = [k for k in ("all", "no_trgm", "no_orden") if k in times]
    print(
        f"{'In process, by kind of query: p50 / p95 (ms)':<{width}}  "
        + "".join(f"{k:>18}" for k in ("(a)", "(c)", "(d)")[: len(shown)])
    )
    for category, ix in by_category.items():
        if ix:
            cells = "".join(
                f"{fmt(stats(times[k], ix)['p50']):>9} /{fmt(stats(times[k], ix)['p95']):>7}" for k in shown
            )
            print(f"  {category + f' ({len(ix)})':<{width - 2}}  {cells}")
    print("-" * len(line))
    slow = sorted(range(len(texts)), key=lambda i: -median(times["all"][i]))
    header = "Slowest queries in (a), median ms: (a)  " + "  ".join(k for k in ("(c)", "(d)")[: len(shown) - 1])
    print(f"{header}   query, kind, rows matching")
    for i in slow[:8]:
        others = "  ".join(f"{median(times[k][i]):6.2f}" for k in shown[1:])
        print(
            f"  {median(times['all'][i]):6.2f}  {others}   {texts[i]!r:<34} {queries[i]['category']:<20} "
            f"{measured['matches'][i]:>6}"
        )
    print(line)
    print(f"{'Target':<{width}}  p95 of the server time <= {TARGET_P95_MS:g} ms")
    print(f"{'(a) in process':<{width}}  p95 {fmt(overall['all']['p95'])} ms  {verdict(overall['all'])}")
    if overall["http"]["n"]:
        print(
            f"{'(b) HTTP, request latency':<{width}}  p95 {fmt(overall['http']['p95'])} ms  {verdict(overall['http'])}"
        )
    for key, what in (("no_trgm", "trigram index"), ("no_orden", "name-order index")):
        if key in overall:
            a, d = overall["all"], overall[key]
            print(
                f"{'Effect of the ' + what:<{width}}  p50 {fmt(d['p50'])} -> {fmt(a['p50'])} ms, "
                f"p95 {fmt(d['p95'])} -> {fmt(a['p95'])} ms, max {fmt(d['max'])} -> {fmt(a['max'])} ms"
            )
    if http_errors:
        print(f"{'HTTP errors':<{width}}  {http_errors}")
    if not measured["restored"]:
        print("WARNING: an index dropped for the comparison could not be recreated")
    print(line)
    plans = measured["plans"]
    plan_queries = measured["plan_queries"]
    titles = {
        "name": "a selective name query",
        "broad": "the broadest name query",
        "slowest": "the slowest query in (a)",
        "nit": "a NIT query",
        "nit_prefix": "a NIT prefix (typing in progress)",
    }
    for key in ("name", "broad", "slowest", "nit", "nit_prefix"):
        plan = plans["all"][key]
        used = [name for name in indexes if name in plan]
        print(f"EXPLAIN (ANALYZE, BUFFERS), {titles[key]}: {plan_queries[key]!r}")
        print(f"  indexes used: {', '.join(used) or 'NONE'}")
        print(indented(plan))
        print()
    for key, what in (("no_trgm", "trigram index"), ("no_orden", "name-order index")):
        if key in plans:
            q = "name" if key == "no_trgm" else "broad"
            print(f"Without the {what}, {titles[q]}: {plan_queries[q]!r}")
            print(indented(plans[key][q]))
            print()


# --- Main -----------------------------------------------------------------------------------


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.entities < 1000 or args.queries < 10 or args.repeat < 1:
        print("--entities >= 1000, --queries >= 10 and --repeat >= 1, please", file=sys.stderr)
        return 2
    tmp = Path(tempfile.mkdtemp(prefix="bench-entity-search-"))
    log = tmp / "bench.log"
    server = None
    admin_url = ""
    try:
        database_url, admin_url = bench_database_create(args.database_url, BENCH_DB_NAME)
        (tmp / "var").mkdir()
        env = build_env(tmp / "var", database_url)
        print(f"Setting up in {tmp} (PostgreSQL {BENCH_DB_NAME}) ...", flush=True)
        run_manage(env, "migrate", "--noinput", log=log)
        run_manage(env, "createcachetable", log=log)
        run_manage(env, "collectstatic", "--noinput", "--verbosity", "0", log=log)
        run_manage(env, "load_reference_data", log=log)
        print(f"Seeding {args.entities:,} entities ...", flush=True)
        params = {"entities": args.entities, "queries": args.queries, "seed": args.seed}
        seed = run_child(__file__, env, "seed", params, tmp, log, timeout=1800)
        print(f"  {seed['count']:,} rows in {seed['insert_s']:.1f} s; e.g. " + "; ".join(seed["examples"][:3]))
        print(
            f"Timing {len(seed['queries'])} queries in process, with every index and without each search index ...",
            flush=True,
        )
        params = {"queries": seed["queries"], "repeat": args.repeat, "seed": args.seed}
        measured = run_child(__file__, env, "measure", params, tmp, log, timeout=1800)
        port = free_port()
        print(f"Timing the same queries over HTTP (gunicorn, {WEB_WORKERS} workers, port {port}) ...", flush=True)
        server = start_server(env, port, tmp / "server.log")
        texts = [q["q"] for q in seed["queries"]]
        http_times, http_errors = time_http(port, texts, args.repeat, random.Random(args.seed + 2))
        stop_server(server)
        server = None
        report(args, seed, measured, http_times, http_errors)
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
