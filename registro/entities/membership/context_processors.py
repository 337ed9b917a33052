from django.utils.functional import SimpleLazyObject

from . import acting


def _switcher(user, request) -> dict:
    actual, opciones = acting.switcher(user, request)
    return {"actual": actual, "opciones": opciones}


def entity_switcher(request):
    """The header's entity switcher (R1.2): the entity acted for and the others to choose from;
    computed only when a page shows it."""
    user = getattr(request, "user", None)
    return {"ENTITY_SWITCHER": SimpleLazyObject(lambda: _switcher(user, request))}
