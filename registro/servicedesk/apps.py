from django.apps import AppConfig


class ServicedeskConfig(AppConfig):
    name = "registro.servicedesk"
    label = "servicedesk"
    verbose_name = "Mesa de Servicio"

    def ready(self):
        from . import receivers

        receivers.connect()
