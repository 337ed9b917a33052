"""The words' GIN index holds every prefix of every word as a lexeme (PostgreSQL only; ADR 0014).

`directorio_buscar` indexed the words of the folded name (`to_tsvector('simple', clave)`), so the
word being typed was a GIN *partial match* (`asociados:*`): PostgreSQL walks every lexeme that
begins with it and merges their posting lists, which cost 20 to 40 ms for common endings at a
million accounts ("uribe asociados:*" 34 ms against 3.8 ms for the whole word). Now
`directorio_prefijos(clave)` holds, for each word, its first 1 to `PREFIX_LENGTH` characters, and
every word of a search is one exact lexeme (`'URIBE' & 'ASOCIADO'`): one posting list each.

A word longer than `PREFIX_LENGTH` is looked up by its first `PREFIX_LENGTH` characters; the
search's own conditions (whole words, the last one a prefix) then keep only the names that match,
as they always did. The folded name holds only A-Z, 0-9 and spaces, so every prefix is a lexeme
as it is, without quoting.

The index is about 60 % larger than the one it replaces (100 against 62 MB at 1,050,000 accounts)
and takes about a minute to build at that size.

Two indexes of migration 0012 on the accounts' table go: PostgreSQL has searched the directory's
own rows since migration 0014, and nothing else reads them (`entidad_directorio_nombre`, 115 MB,
and `entidad_directorio_palabras`; no scan of either in a whole benchmark run). SQLite keeps its
own `entidad_directorio_nombre`."""

from django.db import migrations

from registro.core.migration_ops import postgresql_only

PREFIX_LENGTH = 10  # registro.entities.directory.search.PREFIX_LENGTH

FORWARD = [
    f"""
    CREATE OR REPLACE FUNCTION directorio_prefijos(clave text) RETURNS tsvector
    LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS $$
        SELECT array_to_tsvector(coalesce(array_agg(left(w, n)), '{{}}'))
        FROM unnest(string_to_array(clave, ' ')) AS w,
             generate_series(1, least(length(w), {PREFIX_LENGTH})) AS n
        WHERE w <> ''
    $$
    """,
    "CREATE INDEX IF NOT EXISTS directorio_buscar_prefijos ON entities_directorio "
    "USING gin (directorio_prefijos(clave), etiquetas)",
    "DROP INDEX IF EXISTS directorio_buscar",
    "ALTER INDEX directorio_buscar_prefijos RENAME TO directorio_buscar",
    "ANALYZE entities_directorio",
    "DROP INDEX IF EXISTS entidad_directorio_nombre",
    "DROP INDEX IF EXISTS entidad_directorio_palabras",
]
BACKWARD = [
    'CREATE INDEX IF NOT EXISTS entidad_directorio_nombre ON entities_entidad (nombre_busqueda COLLATE "C", id) '
    "INCLUDE (tipo_cuenta, es_proveedor, departamento_id, municipio_id) WHERE estado = 'activa'",
    "CREATE INDEX IF NOT EXISTS entidad_directorio_palabras ON entities_entidad "
    "USING gin (to_tsvector('simple'::regconfig, nombre_busqueda)) WHERE estado = 'activa'",
    "CREATE INDEX IF NOT EXISTS directorio_buscar_palabras ON entities_directorio "
    "USING gin (to_tsvector('simple'::regconfig, clave), etiquetas)",
    "DROP INDEX IF EXISTS directorio_buscar",
    "ALTER INDEX directorio_buscar_palabras RENAME TO directorio_buscar",
    "DROP FUNCTION IF EXISTS directorio_prefijos(text)",
]


class Migration(migrations.Migration):
    dependencies = [("entities", "0015_directorio_nombre_parcial")]

    operations = [postgresql_only(FORWARD, BACKWARD)]
