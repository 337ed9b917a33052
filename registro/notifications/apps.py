from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "registro.notifications"
    label = "notifications"

    def ready(self):
        from registro.core.observability.metrics import register_scrape_collector

        from .metrics import EmailCollector

        register_scrape_collector(EmailCollector())
