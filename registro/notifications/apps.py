from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "registro.notifications"
    label = "notifications"
