"""An index that keeps "Validar" fast when most names match (PostgreSQL only).

The search returns the first 20 matches by name. With the trigram index alone PostgreSQL must
find every match and sort them: cheap for "alcaldia medellin", but for words that most names
hold ("institucion", "educativa", "san", "de") that is tens of thousands of rows, 20-40 ms at
50,000 entities. This btree walks the names in order and carries the folded name and the id, so
`selectors.entidad_search` picks the 20 ids from the index alone (an index-only scan that tests
each entry and stops at the 20th match) and reads only those 20 rows. The planner still takes the
trigram index when the words are rare. See benchmarks/entity_search.py.
"""

from django.db import migrations

FORWARD = [
    "CREATE INDEX IF NOT EXISTS entidad_nombre_orden ON entities_entidad (nombre) INCLUDE (nombre_busqueda, id)",
]
BACKWARD = ["DROP INDEX IF EXISTS entidad_nombre_orden"]


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in FORWARD:
            schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("entities", "0002_search_indexes")]

    operations = [migrations.RunPython(forward, backward)]
