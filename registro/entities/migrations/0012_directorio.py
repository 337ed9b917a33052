"""The Directorio (issue 11): the record of its downloads, and the indexes of its search
(docs/adr/0014-directory-search.md), in SQL of each database because Django's indexes cannot say
`COLLATE "C"` on one and nothing on the other.

- `entidad_directorio_nombre`: the active accounts in the directory's order (folded name byte by
  byte, then id), carrying the columns the filters test, so that a page is a walk of this index
  from the cursor that stops at the page's last row, and a name beginning with the text typed is a
  range of it.
- `entidad_directorio_palabras`: the words of the active accounts' folded names (GIN, PostgreSQL's
  `simple` configuration: the words as they are), which finds the accounts holding rare words
  without reading the others.
- `area_interes_entidad_prefijo`: an account's areas by prefix, for the walk's test of a UNSPSC
  filter; `area_interes_prefijo_entidad`: the accounts with areas under a code, for gathering;
  `entidad_directorio_id` and `perfil_directorio`: an active account's indexed columns and its
  profile's filtered columns by id. With them every test of a gathered account is read from an
  index, never from the tables. The NIT comes from its unique index."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


POSTGRESQL_FORWARD = [
    'CREATE INDEX IF NOT EXISTS entidad_directorio_nombre ON entities_entidad (nombre_busqueda COLLATE "C", id) '
    "INCLUDE (tipo_cuenta, es_proveedor, departamento_id, municipio_id) WHERE estado = 'activa'",
    "CREATE INDEX IF NOT EXISTS entidad_directorio_palabras ON entities_entidad "
    "USING gin (to_tsvector('simple'::regconfig, nombre_busqueda)) WHERE estado = 'activa'",
    "CREATE INDEX IF NOT EXISTS entidad_directorio_id ON entities_entidad (id) "
    "INCLUDE (nombre_busqueda, tipo_cuenta, es_proveedor, departamento_id, municipio_id) WHERE estado = 'activa'",
    "CREATE INDEX IF NOT EXISTS area_interes_entidad_prefijo ON entities_areainteres "
    "(entidad_id, prefijo varchar_pattern_ops)",
    "CREATE INDEX IF NOT EXISTS area_interes_prefijo_entidad ON entities_areainteres "
    "(prefijo varchar_pattern_ops, entidad_id)",
    "CREATE INDEX IF NOT EXISTS perfil_directorio ON entities_perfilcomercial (entidad_id) "
    "INCLUDE (es_mipyme, tamano, tipo_empresa_id)",
]
SQLITE_FORWARD = [
    "CREATE INDEX IF NOT EXISTS entidad_directorio_nombre ON entities_entidad (nombre_busqueda, id) "
    "WHERE estado = 'activa'",
]
# SQLite drops only what it has; IF EXISTS covers the rest.
BACKWARD = [
    "DROP INDEX IF EXISTS entidad_directorio_nombre",
    "DROP INDEX IF EXISTS entidad_directorio_palabras",
    "DROP INDEX IF EXISTS area_interes_entidad_prefijo",
    "DROP INDEX IF EXISTS area_interes_prefijo_entidad",
    "DROP INDEX IF EXISTS entidad_directorio_id",
    "DROP INDEX IF EXISTS perfil_directorio",
]


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in {"postgresql": POSTGRESQL_FORWARD, "sqlite": SQLITE_FORWARD}.get(vendor, []):
        schema_editor.execute(statement)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor in ("postgresql", "sqlite"):
        for statement in BACKWARD:
            schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ('entities', '0011_telefono_internacional'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='DescargaDocumento',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='Fecha y hora')),
                ('cuenta_actuante', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='entities.entidad', verbose_name='Cuenta a nombre de la que actúa')),
                ('documento', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='descargas', to='entities.documento')),
                ('usuario', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': 'descarga de documento del Directorio',
                'verbose_name_plural': 'descargas de documentos del Directorio',
                'ordering': ['-created_at', '-id'],
                'indexes': [models.Index(fields=['documento', '-created_at'], name='descarga_documento_recent')],
            },
        ),
        migrations.RunPython(forward, backward),
    ]
