"""The Directorio's own row per active account, kept by triggers (PostgreSQL only; ADR 0014).

`entities_directorio` holds, for every active account, its folded name (`clave`, byte order) and
one array of tags that says everything the filters test: the kind (`k:proveedor`,
`k:entidad_estatal`, `k:entidad_proveedor`), department (`d:05`), municipality (`m:05001`), size
(`s:micro`), MiPyme (`mipyme`), type of organisation (`e:3`) and, for each area of interest, the
code and every level above it (`u:43`, `u:4321`, `u:432115`, `u:43211501`: a filter by a code is
then one tag, whatever its level). Every filter is `etiquetas @> ARRAY[...]`, so:

- `directorio_orden` (clave, entidad_id) INCLUDE (etiquetas) is the walk in the directory's order
  that tests every filter from the index itself (no look at the profile or the areas), and
  `directorio_nombre` (clave, entidad_id) the same walk, narrower, for words alone;
- `directorio_buscar`, one GIN over the words of the name and the tags, gathers a rare mix (words
  and filters together, e.g. MiPyme + a class) by intersecting posting lists;
- the tags' statistics (most common elements) give the planner real estimates of any mix.

Triggers on accounts, profiles and areas rewrite an account's row in the same transaction as the
change (a TRUNCATE of any of them rebuilds the table), so no service has to remember it. SQLite
keeps searching the accounts' table itself (migration 0012)."""

from django.db import migrations

from registro.core.migration_ops import postgresql_only

FORWARD = [
    """
    CREATE TABLE IF NOT EXISTS entities_directorio (
        entidad_id bigint PRIMARY KEY,
        clave text COLLATE "C" NOT NULL,
        etiquetas text[] NOT NULL
    )
    """,
    # The tags of an account, from its row, its profile and its areas (NULL parts drop out).
    """
    CREATE OR REPLACE FUNCTION directorio_etiquetas(e entities_entidad) RETURNS text[]
    LANGUAGE sql STABLE AS $$
        SELECT array_remove(ARRAY[
                CASE WHEN e.tipo_cuenta = 'proveedor' THEN 'k:proveedor'
                     WHEN e.es_proveedor THEN 'k:entidad_proveedor' ELSE 'k:entidad_estatal' END,
                'd:' || e.departamento_id,
                'm:' || e.municipio_id,
                's:' || NULLIF(p.tamano, ''),
                CASE WHEN p.es_mipyme THEN 'mipyme' END,
                'e:' || p.tipo_empresa_id
            ], NULL)
            || COALESCE((
                SELECT array_agg(DISTINCT 'u:' || left(a.prefijo, n.n))
                FROM entities_areainteres a CROSS JOIN (VALUES (2), (4), (6), (8)) n(n)
                WHERE a.entidad_id = e.id AND length(a.prefijo) >= n.n
            ), '{}')
        FROM (SELECT 1) one LEFT JOIN entities_perfilcomercial p ON p.entidad_id = e.id
    $$
    """,
    """
    CREATE OR REPLACE FUNCTION directorio_fila(cuenta bigint) RETURNS void
    LANGUAGE plpgsql AS $$
    BEGIN
        -- One writer per account at a time, until it commits: the next one's statements then see
        -- its changes (READ COMMITTED takes a snapshot per statement), so no row is left stale.
        PERFORM pg_advisory_xact_lock(20140014, mod(cuenta, 2147483647)::integer);
        DELETE FROM entities_directorio WHERE entidad_id = cuenta;
        INSERT INTO entities_directorio (entidad_id, clave, etiquetas)
        SELECT e.id, e.nombre_busqueda, directorio_etiquetas(e)
        FROM entities_entidad e WHERE e.id = cuenta AND e.estado = 'activa';
    END
    $$
    """,
    # The whole table again: after a bulk load without triggers, or a TRUNCATE.
    """
    CREATE OR REPLACE FUNCTION directorio_rebuild() RETURNS void
    LANGUAGE plpgsql AS $$
    BEGIN
        TRUNCATE entities_directorio;
        INSERT INTO entities_directorio (entidad_id, clave, etiquetas)
        SELECT e.id, e.nombre_busqueda, directorio_etiquetas(e)
        FROM entities_entidad e WHERE e.estado = 'activa';
    END
    $$
    """,
    """
    CREATE OR REPLACE FUNCTION directorio_entidad_cambio() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP = 'DELETE' THEN
            DELETE FROM entities_directorio WHERE entidad_id = OLD.id;
        ELSE
            PERFORM directorio_fila(NEW.id);
            IF TG_OP = 'UPDATE' AND OLD.id <> NEW.id THEN
                DELETE FROM entities_directorio WHERE entidad_id = OLD.id;
            END IF;
        END IF;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE OR REPLACE FUNCTION directorio_parte_cambio() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            PERFORM directorio_fila(OLD.entidad_id);
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') AND (TG_OP = 'INSERT' OR OLD.entidad_id <> NEW.entidad_id) THEN
            PERFORM directorio_fila(NEW.entidad_id);
        END IF;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE OR REPLACE FUNCTION directorio_truncado() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        PERFORM directorio_rebuild();
        RETURN NULL;
    END
    $$
    """,
    "DROP TRIGGER IF EXISTS directorio_entidad ON entities_entidad",
    """
    CREATE TRIGGER directorio_entidad AFTER INSERT OR DELETE OR UPDATE OF
        id, nombre_busqueda, tipo_cuenta, es_proveedor, departamento_id, municipio_id, estado
    ON entities_entidad FOR EACH ROW EXECUTE FUNCTION directorio_entidad_cambio()
    """,
    "DROP TRIGGER IF EXISTS directorio_perfil ON entities_perfilcomercial",
    """
    CREATE TRIGGER directorio_perfil AFTER INSERT OR DELETE OR UPDATE OF
        entidad_id, tamano, es_mipyme, tipo_empresa_id
    ON entities_perfilcomercial FOR EACH ROW EXECUTE FUNCTION directorio_parte_cambio()
    """,
    "DROP TRIGGER IF EXISTS directorio_area ON entities_areainteres",
    """
    CREATE TRIGGER directorio_area AFTER INSERT OR DELETE OR UPDATE OF entidad_id, prefijo
    ON entities_areainteres FOR EACH ROW EXECUTE FUNCTION directorio_parte_cambio()
    """,
    *(
        f"DROP TRIGGER IF EXISTS directorio_truncado ON {table}; "
        f"CREATE TRIGGER directorio_truncado AFTER TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION directorio_truncado()"
        for table in ("entities_entidad", "entities_perfilcomercial", "entities_areainteres")
    ),
    "SELECT directorio_rebuild()",
    "CREATE INDEX IF NOT EXISTS directorio_orden ON entities_directorio (clave, entidad_id) INCLUDE (etiquetas)",
    "CREATE INDEX IF NOT EXISTS directorio_nombre ON entities_directorio (clave, entidad_id)",
    "CREATE INDEX IF NOT EXISTS directorio_buscar ON entities_directorio "
    "USING gin (to_tsvector('simple'::regconfig, clave), etiquetas)",
    "ANALYZE entities_directorio",
]

BACKWARD = [
    "DROP TRIGGER IF EXISTS directorio_entidad ON entities_entidad",
    "DROP TRIGGER IF EXISTS directorio_perfil ON entities_perfilcomercial",
    "DROP TRIGGER IF EXISTS directorio_area ON entities_areainteres",
    *(
        f"DROP TRIGGER IF EXISTS directorio_truncado ON {table}"
        for table in ("entities_entidad", "entities_perfilcomercial", "entities_areainteres")
    ),
    "DROP FUNCTION IF EXISTS directorio_truncado()",
    "DROP FUNCTION IF EXISTS directorio_parte_cambio()",
    "DROP FUNCTION IF EXISTS directorio_entidad_cambio()",
    "DROP FUNCTION IF EXISTS directorio_rebuild()",
    "DROP FUNCTION IF EXISTS directorio_fila(bigint)",
    "DROP FUNCTION IF EXISTS directorio_etiquetas(entities_entidad)",
    "DROP TABLE IF EXISTS entities_directorio",
]


class Migration(migrations.Migration):
    dependencies = [("entities", "0013_solicitudes_informacion")]

    operations = [postgresql_only(FORWARD, BACKWARD)]
