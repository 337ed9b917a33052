from django.apps import AppConfig


class EntitiesConfig(AppConfig):
    name = "registro.entities"
    label = "entities"

    def ready(self):
        # The supplier side names the profile's fields for the account's history (EventoEntidad.LABELS).
        from registro.entities.membership import receivers, selectors  # noqa: F401 - the Administrador fact
        from registro.entities.supplier import forms  # noqa: F401
