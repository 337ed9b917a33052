from datetime import date, timedelta
from statistics import median

from django.db.models import Count, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from registro.entities.account.models import Entidad, EventoEntidad

from . import workflow
from .models import Caso


def queue(*, estado: str = "", asunto: str = "") -> QuerySet[Caso]:
    """The desk's queue: open cases, oldest first (or every case in one state)."""
    qs = Caso.objects.select_related("entidad", "solicitante", "asignado_a")
    qs = qs.filter(estado=estado) if estado else qs.filter(estado__in=workflow.OPEN_STATES)
    if asunto:
        qs = qs.filter(asunto=asunto)
    return qs.order_by("created_at", "id")


def cases_of(*, user) -> QuerySet[Caso]:
    return Caso.objects.filter(solicitante=user).select_related("entidad").order_by("-created_at")


def case_by_number(*, numero: str) -> Caso | None:
    return Caso.objects.select_related("entidad", "solicitante", "asignado_a").filter(numero=numero).first()


def entity_history(*, entidad: Entidad) -> QuerySet[EventoEntidad]:
    return entidad.eventos.select_related("actor").order_by("-created_at", "-id")


def daily_counts(*, days: int = 30, today: date | None = None) -> list[dict]:
    """Cases opened and resolved per day over the last `days` days (dates in the active zone)."""
    today = today or timezone.localdate()
    start = today - timedelta(days=days - 1)
    opened = dict(
        Caso.objects.filter(created_at__date__gte=start)
        .annotate(day=TruncDate("created_at"))
        .values_list("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    resolved = dict(
        Caso.objects.filter(resuelto_at__date__gte=start)
        .annotate(day=TruncDate("resuelto_at"))
        .values_list("day")
        .annotate(n=Count("id"))
        .values_list("day", "n")
    )
    return [
        {
            "day": start + timedelta(days=i),
            "opened": opened.get(start + timedelta(days=i), 0),
            "resolved": resolved.get(start + timedelta(days=i), 0),
        }
        for i in range(days)
    ]


def median_activation_time() -> timedelta | None:
    """Median time from an entity's registration to its activation."""
    durations = [
        activated - created
        for created, activated in Entidad.objects.filter(activada_at__isnull=False).values_list(
            "created_at", "activada_at"
        )
    ]
    return median(durations) if durations else None
