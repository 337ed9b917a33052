import re

from django.db.models import QuerySet

from registro.core.text import search_key
from registro.entities.account.models import Entidad, EventoEntidad

SEARCH_LIMIT = 20


def entidad_search(*, query: str, limit: int = SEARCH_LIMIT) -> QuerySet[Entidad]:
    """ "Validar" (R3.1): entities whose NIT starts with the digits typed (with or without check
    digit, dots, spaces or dash), or whose name holds every word typed, regardless of case and
    accents."""
    query = (query or "").strip()
    if not query:
        return Entidad.objects.none()
    digits = re.sub(r"[\s.\-]", "", query)
    if digits.isdigit():
        nit = re.sub(r"[\s.]", "", query).split("-")[0]
        return Entidad.objects.filter(nit__startswith=nit, **_nit_prefix_range(nit)).order_by("nit")[:limit]
    qs = Entidad.objects.all()
    for word in search_key(query).split():
        qs = qs.filter(nombre_busqueda__contains=word)
    # The first `limit` by name are chosen in a subquery of ids, which PostgreSQL can answer from
    # the index entidad_nombre_orden alone (migration 0003): it walks the names in order, tests the
    # folded name held in each entry, and stops at the last one needed. That keeps words most names
    # hold ("institucion", "san", "de") as fast as rare ones, for which the planner takes the
    # trigram index instead. Only the rows chosen are read. Same result as
    # `qs.order_by("nombre")[:limit]`.
    first = qs.order_by("nombre").values("pk")[:limit]
    return Entidad.objects.filter(pk__in=first).order_by("nombre")


def _nit_prefix_range(prefix: str) -> dict[str, str]:
    """The same prefix as a range of NITs ("9660" -> >= "9660" and < "9661"). NITs are digits only
    (a check constraint), so the range holds exactly the NITs that start with the prefix, and
    PostgreSQL reads them straight from the unique index, already in order. With LIKE alone it
    sometimes overestimates the matches of a short prefix and walks the whole index in NIT order
    instead (20-25 ms at 50,000 entities rather than 0.5; see benchmarks/entity_search.py)."""
    if not (prefix.isascii() and prefix.isdigit()):
        return {}
    head = prefix.rstrip("9")
    if not head:
        return {"nit__gte": prefix}  # "999": nothing sorts after it that does not start with it
    return {"nit__gte": prefix, "nit__lt": head[:-1] + str(int(head[-1]) + 1)}


def entidad_get_by_nit(*, nit: str) -> Entidad | None:
    return Entidad.objects.filter(nit=nit).first()


def suspension(*, entidad: Entidad) -> EventoEntidad | None:
    """Why a suspended account is suspended: the desk's latest "Cuenta suspendida" event (who, when,
    the reason); None unless the account is suspended now."""
    if entidad.estado != Entidad.Estado.SUSPENDIDA:
        return None
    return entidad.eventos.filter(tipo=EventoEntidad.Tipo.SUSPENDIDA).select_related("actor").first()
