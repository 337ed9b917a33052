from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "registro.accounts"
    label = "accounts"
    verbose_name = "Usuarios"

    def ready(self):
        from . import mfa, permissions, signals  # noqa: F401 - the request facts they register (backends)
