import getpass

from django.core.management.base import BaseCommand, CommandError

from registro.core.errors import ApplicationError
from registro.servicedesk.services import staff_create


class Command(BaseCommand):
    help = "Crea un usuario de la Mesa de Servicio (rol fuera de toda Entidad)."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("email")
        parser.add_argument("--nombres", default="Mesa")
        parser.add_argument("--apellidos", default="de Servicio")
        parser.add_argument("--password", help="Si se omite, se pide por la terminal.")
        parser.add_argument(
            "--no-password", action="store_true", help="Sin contraseña: la define con «¿Olvidó su contraseña?»."
        )

    def handle(self, *args, username, email, nombres, apellidos, password, no_password, **options):
        if not password and not no_password:
            password = getpass.getpass("Contraseña: ")
        try:
            user = staff_create(
                username=username,
                email=email,
                first_name=nombres,
                last_name=apellidos,
                password=None if no_password else password,
            )
        except ApplicationError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"Usuario de la Mesa de Servicio creado: {user.username}")
        self.stdout.write("Al entrar por primera vez deberá configurar la verificación en dos pasos (/cuentas/2fa/).")
