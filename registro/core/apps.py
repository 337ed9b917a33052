from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "registro.core"
    label = "core"

    def ready(self):
        from django.core.signals import request_finished

        from .observability import context

        request_finished.connect(context.end, dispatch_uid="registro_log_context_end")
