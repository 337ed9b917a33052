from django.core.management.base import BaseCommand

from registro.core.services import reference_data_load


class Command(BaseCommand):
    help = (
        "Carga los datos de referencia: DIVIPOLA, las listas de clasificación de Entidades, los tipos de "
        "organización de Proveedores y el clasificador UNSPSC."
    )

    def handle(self, *args, **options):
        result = reference_data_load()
        self.stdout.write(
            f"Departamentos: {result.departamentos}; municipios: {result.municipios}; "
            f"valores de clasificación nuevos: {result.clasificaciones_nuevas}; "
            f"tipos de organización nuevos: {result.tipos_empresa_nuevos}; códigos UNSPSC: {result.codigos_unspsc}"
        )
