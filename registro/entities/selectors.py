import re

from django.db.models import QuerySet

from registro.core.text import search_key

from .models import Entidad

SEARCH_LIMIT = 20


def entidad_search(*, query: str, limit: int = SEARCH_LIMIT) -> QuerySet[Entidad]:
    """Entities whose NIT starts with the digits typed, or whose name holds every word typed,
    regardless of case and accents."""
    query = (query or "").strip()
    if not query:
        return Entidad.objects.none()
    digits = re.sub(r"[\s.\-]", "", query)
    if digits.isdigit():
        # A NIT may be typed with its check digit after a dash: "899999001-7".
        nit = re.sub(r"[\s.]", "", query).split("-")[0]
        return Entidad.objects.filter(nit__startswith=nit).order_by("nit")[:limit]
    qs = Entidad.objects.all()
    for word in search_key(query).split():
        qs = qs.filter(nombre_busqueda__contains=word)
    return qs.order_by("nombre")[:limit]
