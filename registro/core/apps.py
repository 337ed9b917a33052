from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "registro.core"
    label = "core"
