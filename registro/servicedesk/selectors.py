import re
from datetime import date, timedelta
from statistics import median

from django.contrib.auth import get_user_model
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone

from registro.core.text import search_key
from registro.entities.account.models import Entidad, EventoEntidad, TipoCuenta
from registro.entities.membership.models import Membresia

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


def accounts(*, query: str = "", tipo: str = "", estado: str = "") -> QuerySet[Entidad]:
    """The desk's "Cuentas": every account of either kind, by name. `query` is the NIT's first
    digits (with or without check digit, dots or dash), a foreign supplier's tax identifier, or
    words of the name (case and accents ignored); `tipo` a kind of account ("entidad_estatal"
    also lists the entities that supply), `estado` a state."""
    qs = Entidad.objects.select_related("municipio", "departamento")
    query = (query or "").strip()
    digits = re.sub(r"[\s.\-]", "", query)
    if digits.isdigit():
        nit = re.sub(r"[\s.]", "", query).split("-")[0]
        qs = qs.filter(Q(nit__startswith=nit) | Q(id_tributario__iexact=query))
    elif query:
        words = Q()
        for word in search_key(query).split():
            words &= Q(nombre_busqueda__contains=word)
        qs = qs.filter(words | Q(id_tributario__iexact=query))
    if tipo in TipoCuenta.values:
        qs = qs.filter(tipo_cuenta=tipo)
    if estado in Entidad.Estado.values:
        qs = qs.filter(estado=estado)
    return qs.order_by("nombre", "id")


def users(*, query: str = "") -> QuerySet:
    """The desk's "Usuarios": every user, by username. `query` is a username, an e-mail address, a
    document number, or words of the name (each word must match the names or the username)."""
    qs = get_user_model().objects.all()
    query = (query or "").strip()
    if "@" in query:
        qs = qs.filter(email__iexact=query)
    elif query.isdigit():
        qs = qs.filter(document_number__startswith=query)
    elif query:
        for word in query.split():
            qs = qs.filter(Q(username__icontains=word) | Q(first_name__icontains=word) | Q(last_name__icontains=word))
    return qs.order_by("username", "id")


def user_memberships(*, user) -> QuerySet[Membresia]:
    """The accounts a user belongs to, with each one's role and roles (active first)."""
    return (
        Membresia.objects.filter(usuario=user)
        .select_related("entidad")
        .prefetch_related("roles")
        .order_by("-activa", "entidad__nombre")
    )


def account_members(*, entidad: Entidad) -> QuerySet[Membresia]:
    """Who belongs to the account, Administradores first, with each one's roles."""
    return (
        entidad.membresias.select_related("usuario")
        .prefetch_related("roles")
        .order_by("-activa", "rol", "usuario__username")
    )


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
