"""Indexes that make "Validar" fast on PostgreSQL: trigram GIN on the folded name (for the
any-word contains search). SQLite has no such index type; there the search scans, which is fine
for a development database."""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS entidad_nombre_busqueda_trgm ON entities_entidad USING gin (nombre_busqueda gin_trgm_ops)",
]
BACKWARD = ["DROP INDEX IF EXISTS entidad_nombre_busqueda_trgm"]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("entities", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
