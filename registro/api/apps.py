from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "registro.api"
    label = "api"
