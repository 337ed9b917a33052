"""The words' index keeps statistics of up to 10,000 of its most common lexemes (PostgreSQL only;
ADR 0014).

The search asks PostgreSQL how many accounts a search matches before choosing how to read them
(`_Plan.estimate`). The index expression `directorio_prefijos(clave)` has statistics of its own,
but at the default target (100) they held the 1,000 most common prefixes: any other got a
fixed guess of half the least common one, about 4,500 accounts at a million, whether it named
none or 12,000. At 1,000 ANALYZE keeps every prefix held by more than about 0.1 % of the
accounts (some 3,000 at a million), and estimates a search's matches within a few per cent; a
prefix held by fewer is estimated at a few dozen, as rare as it is. ANALYZE reads 300,000 rows
instead of 30,000: about 7 s at a million accounts."""

from django.db import migrations

from registro.core.migration_ops import postgresql_only

FORWARD = [
    "ALTER INDEX directorio_buscar ALTER COLUMN 1 SET STATISTICS 1000",
    "ANALYZE entities_directorio",
]
BACKWARD = ["ALTER INDEX directorio_buscar ALTER COLUMN 1 SET STATISTICS -1"]


class Migration(migrations.Migration):
    dependencies = [("entities", "0016_directorio_prefijos")]

    operations = [postgresql_only(FORWARD, BACKWARD)]
