"""R1.1 in the database too: no change to a membership may leave its entity without an active
Administrador. The services already refuse such changes under a row lock on the entity; this is
the backstop for anything that bypasses them (admin site, shell, a future bug).

PostgreSQL: a constraint trigger deferred to commit, so a transaction may pass through an
intermediate state (promote one, then demote the other) and deleting a whole entity, whose
memberships go first, is fine. A membership deleted because its user's account was deleted is let
through: that is how an entity "loses" its administrator, and the desk appoints a new one.
SQLite cannot defer triggers; there the check runs on updates of role or status (the changes the
services make), immediately."""

from django.db import migrations

PG_FORWARD = [
    """
    CREATE OR REPLACE FUNCTION entities_membresia_keeps_admin() RETURNS trigger AS $$
    BEGIN
        IF OLD.rol = 'administrador' AND OLD.activa
           AND EXISTS (SELECT 1 FROM entities_entidad WHERE id = OLD.entidad_id)
           AND EXISTS (SELECT 1 FROM accounts_user WHERE id = OLD.usuario_id)
           AND NOT EXISTS (
               SELECT 1 FROM entities_membresia
               WHERE entidad_id = OLD.entidad_id AND activa AND rol = 'administrador'
           ) THEN
            RAISE EXCEPTION 'R1.1: la Entidad % quedaría sin Usuario Administrador activo', OLD.entidad_id
                USING ERRCODE = 'check_violation';
        END IF;
        RETURN NULL;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE CONSTRAINT TRIGGER membresia_keeps_admin
    AFTER UPDATE OR DELETE ON entities_membresia
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION entities_membresia_keeps_admin()
    """,
]
PG_BACKWARD = [
    "DROP TRIGGER IF EXISTS membresia_keeps_admin ON entities_membresia",
    "DROP FUNCTION IF EXISTS entities_membresia_keeps_admin()",
]

SQLITE_FORWARD = [
    """
    CREATE TRIGGER IF NOT EXISTS membresia_keeps_admin
    AFTER UPDATE OF rol, activa ON entities_membresia
    WHEN OLD.rol = 'administrador' AND OLD.activa
     AND NOT EXISTS (
         SELECT 1 FROM entities_membresia
         WHERE entidad_id = OLD.entidad_id AND activa AND rol = 'administrador'
     )
    BEGIN
        SELECT RAISE(ABORT, 'R1.1: la Entidad quedaría sin Usuario Administrador activo');
    END
    """
]
SQLITE_BACKWARD = ["DROP TRIGGER IF EXISTS membresia_keeps_admin"]

STATEMENTS = {
    "postgresql": (PG_FORWARD, PG_BACKWARD),
    "sqlite": (SQLITE_FORWARD, SQLITE_BACKWARD),
}


def forward(apps, schema_editor):
    for statement in STATEMENTS.get(schema_editor.connection.vendor, ([], []))[0]:
        schema_editor.execute(statement, params=None)


def backward(apps, schema_editor):
    for statement in STATEMENTS.get(schema_editor.connection.vendor, ([], []))[1]:
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("entities", "0007_roles_invitaciones_unidades"), ("accounts", "0001_initial")]

    operations = [migrations.RunPython(forward, backward)]
