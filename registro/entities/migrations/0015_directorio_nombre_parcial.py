"""`directorio_nombre` becomes partial, `WHERE clave <> ''` (PostgreSQL only; ADR 0014).

A walk that tests filters needs each entry's tags. PostgreSQL's planner read them from the table,
through the narrow name index, instead of from `directorio_orden`'s own entries, because the
table is in name order; the walk of a department plus a segment (12,473 entries) took 55 to 87 ms
that way and 18 ms from `directorio_orden` alone. A walk of words alone still reads the narrow
index, and says `clave <> ''` so that it may (no name without letters or digits has words); a
walk with filters, which does not, cannot use it."""

from django.db import migrations

from registro.core.migration_ops import postgresql_only

FORWARD = [
    "CREATE INDEX IF NOT EXISTS directorio_nombre_parcial ON entities_directorio (clave, entidad_id) WHERE clave <> ''",
    "DROP INDEX IF EXISTS directorio_nombre",
    "ALTER INDEX directorio_nombre_parcial RENAME TO directorio_nombre",
]
BACKWARD = [
    "CREATE INDEX IF NOT EXISTS directorio_nombre_entera ON entities_directorio (clave, entidad_id)",
    "DROP INDEX IF EXISTS directorio_nombre",
    "ALTER INDEX directorio_nombre_entera RENAME TO directorio_nombre",
]



class Migration(migrations.Migration):
    dependencies = [("entities", "0014_directorio_filas")]

    operations = [postgresql_only(FORWARD, BACKWARD)]
