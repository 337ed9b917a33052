import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
application = get_wsgi_application()


def _settle() -> None:
    """Every URL pattern and view imported now rather than by the first request, then what
    start-up built (about 150,000 objects: Django, the apps and their modules) moved out of the
    garbage collector's sight. A full collection, about once in a thousand requests, scanned them
    all (130-145 ms); now it scans what requests have left since (docs/adr/0014)."""
    from django.urls import get_resolver

    get_resolver().reverse_dict  # noqa: B018 - imports every view and indexes the names `reverse` looks up
    gc.collect()
    gc.freeze()


_settle()
