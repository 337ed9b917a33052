from django.apps import AppConfig


class EntitiesConfig(AppConfig):
    name = "registro.entities"
    label = "entities"
