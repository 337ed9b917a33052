from django.apps import AppConfig


class PublicoConfig(AppConfig):
    """The public view and open data (issue 12, R10): reads the accounts, nothing imports it."""

    name = "registro.publico"
    label = "publico"
    verbose_name = "Vista pública y datos abiertos"
