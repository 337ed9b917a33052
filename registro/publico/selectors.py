"""Reads for the public view: which accounts are public, the downloads' filters, an account's public
history and when its public data last changed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _

from registro.core.errors import ApplicationError, ErrorCode
from registro.entities.account.models import AreaInteres, Entidad, EventoEntidad, TipoCuenta

E = Entidad.Estado
T = EventoEntidad.Tipo

# Accounts that are or were active. Suspended accounts stay public (marked "No" in esta_activa and
# with the suspension in their history): those who follow public procurement need to know it.
# Drafts, pending, corrected and rejected registrations never are (ADR 0015).
ESTADOS_PUBLICOS = (E.ACTIVA, E.SUSPENDIDA)

# The history the public page tells, in words.
EVENTOS_PUBLICOS = (T.REGISTRADA, T.ACTIVADA, T.SUSPENDIDA, T.REACTIVADA, T.PERFIL_PROVEEDOR)
# Events after which a public field may read differently: `modificado_desde` and the ETag see them.
EVENTOS_QUE_MODIFICAN = (
    *EVENTOS_PUBLICOS,
    T.DATOS_CORREGIDOS,
    T.PERFIL_EDITADO,
    T.AREAS_EDITADAS,
    T.CAMBIO_APLICADO,
)

HISTORIAL_TEXTO = {
    T.REGISTRADA: _("Se registró en la plataforma"),
    T.ACTIVADA: _("La Mesa de Servicio activó la cuenta"),
    T.SUSPENDIDA: _("La Mesa de Servicio suspendió la cuenta"),
    T.REACTIVADA: _("La Mesa de Servicio reactivó la cuenta"),
    T.PERFIL_PROVEEDOR: _("Se habilitó su perfil de Proveedor"),
}

TIPOS = {"entidad_estatal": TipoCuenta.ENTIDAD_ESTATAL, "proveedor": TipoCuenta.PROVEEDOR}


def cuentas_publicas() -> QuerySet[Entidad]:
    return Entidad.objects.filter(estado__in=ESTADOS_PUBLICOS)


def cuenta_publica_get(*, pk: int) -> Entidad | None:
    return (
        cuentas_publicas()
        .select_related(
            "departamento", "municipio", "orden", "rama", "sector", "tipo_entidad", "perfil", "perfil__tipo_empresa"
        )
        .filter(pk=pk)
        .first()
    )


@dataclass(frozen=True)
class Filtros:
    departamento: str = ""
    unspsc: str = ""
    tipo: str = ""
    modificado_desde: datetime | None = None

    def as_query(self) -> dict[str, str]:
        q = {"departamento": self.departamento, "unspsc": self.unspsc, "tipo": self.tipo}
        if self.modificado_desde:
            q["modificado_desde"] = self.modificado_desde.isoformat()
        return {k: v for k, v in q.items() if v}


def filtros_parse(params) -> Filtros:
    """The downloads' query parameters. Raises ApplicationError (400) naming every wrong parameter
    at once, each with its Spanish message."""
    errors: dict[str, list[str]] = {}
    departamento = (params.get("departamento") or "").strip()
    if departamento and not re.fullmatch(r"[0-9]{2}", departamento):
        errors["departamento"] = [_("«departamento» es el código DANE de 2 dígitos (p. ej. 05 para Antioquia).")]
    unspsc = (params.get("unspsc") or "").strip()
    if unspsc and not re.fullmatch(r"[0-9]{2,8}", unspsc):
        errors["unspsc"] = [_("«unspsc» es un prefijo de 2 a 8 dígitos del Clasificador UNSPSC (p. ej. 43 o 4321).")]
    tipo = (params.get("tipo") or "").strip()
    if tipo and tipo not in TIPOS:
        errors["tipo"] = [_("«tipo» es «entidad_estatal» o «proveedor».")]
    texto = (params.get("modificado_desde") or "").strip()
    desde = None
    if texto:
        try:
            desde = parse_datetime(texto)
            if desde is None and (fecha := parse_date(texto)):
                desde = datetime.combine(fecha, time.min)
        except ValueError:
            desde = None
        if desde is None:
            errors["modificado_desde"] = [
                _(
                    "«modificado_desde» es una fecha AAAA-MM-DD o una fecha y hora ISO 8601 (p. ej. 2026-01-31T08:00:00-05:00)."
                )
            ]
        elif timezone.is_naive(desde):
            desde = timezone.make_aware(desde)
    if errors:
        message = " ".join(m for ms in errors.values() for m in ms)
        raise ApplicationError(ErrorCode.VALIDATION, message, {"fields": errors}, status=400)
    return Filtros(departamento=departamento, unspsc=unspsc, tipo=tipo, modificado_desde=desde)


def filtrar(qs: QuerySet[Entidad], filtros: Filtros) -> QuerySet[Entidad]:
    if filtros.departamento:
        qs = qs.filter(departamento_id=filtros.departamento)
    if filtros.unspsc:
        qs = qs.filter(Exists(AreaInteres.objects.filter(entidad=OuterRef("pk"), prefijo__startswith=filtros.unspsc)))
    if filtros.tipo:
        qs = qs.filter(tipo_cuenta=TIPOS[filtros.tipo])
    if filtros.modificado_desde:
        qs = modificadas_desde(qs, filtros.modificado_desde)
    return qs


def modificadas_desde(qs: QuerySet[Entidad], desde: datetime) -> QuerySet[Entidad]:
    """Accounts whose public data may have changed at or after `desde`: registered, activated,
    profile saved, an area of interest added, or an event that changes public fields."""
    eventos = EventoEntidad.objects.filter(
        entidad=OuterRef("pk"), tipo__in=EVENTOS_QUE_MODIFICAN, created_at__gte=desde
    )
    areas = AreaInteres.objects.filter(entidad=OuterRef("pk"), created_at__gte=desde)
    return qs.filter(
        Q(created_at__gte=desde)
        | Q(activada_at__gte=desde)
        | Q(perfil__updated_at__gte=desde)
        | Exists(eventos)
        | Exists(areas)
    )


def proveedores(filtros: Filtros = Filtros()) -> QuerySet[Entidad]:
    """ "Proveedores Registrados": supplier accounts and State entities that also supply (R4.3)."""
    qs = cuentas_publicas().filter(Q(tipo_cuenta=TipoCuenta.PROVEEDOR) | Q(es_proveedor=True))
    return filtrar(qs, filtros).order_by("pk")


def entidades(filtros: Filtros = Filtros()) -> QuerySet[Entidad]:
    return filtrar(cuentas_publicas().filter(tipo_cuenta=TipoCuenta.ENTIDAD_ESTATAL), filtros).order_by("pk")


def partes(filtros: Filtros = Filtros()) -> QuerySet[Entidad]:
    """Every public account, for the OCDS parties."""
    return filtrar(cuentas_publicas(), filtros).order_by("pk")


@dataclass(frozen=True)
class Hito:
    tipo: str
    texto: str
    fecha: datetime
    motivo: str = ""


def historial_publico(entidad: Entidad) -> list[Hito]:
    """The account's state history in words, oldest first. The registration is told from the
    account's creation when no event recorded it (accounts made before events existed)."""
    eventos = list(
        entidad.eventos.filter(tipo__in=EVENTOS_PUBLICOS)
        .order_by("created_at", "id")
        .values("tipo", "created_at", "motivo")
    )
    hitos = [Hito(e["tipo"], str(HISTORIAL_TEXTO[e["tipo"]]), e["created_at"], e["motivo"]) for e in eventos]
    if not any(h.tipo == T.REGISTRADA for h in hitos):
        hitos.insert(0, Hito(T.REGISTRADA, str(HISTORIAL_TEXTO[T.REGISTRADA]), entidad.created_at))
    if entidad.activada_at and not any(h.tipo == T.ACTIVADA for h in hitos):
        hitos.append(Hito(T.ACTIVADA, str(HISTORIAL_TEXTO[T.ACTIVADA]), entidad.activada_at))
        hitos.sort(key=lambda h: h.fecha)
    return hitos


def ultima_modificacion(entidad: Entidad) -> datetime:
    """When the account's public data last changed, as far as the platform records it."""
    fechas = [entidad.created_at, entidad.activada_at]
    ultimo_evento = (
        entidad.eventos.filter(tipo__in=EVENTOS_QUE_MODIFICAN)
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    ultima_area = entidad.areas_interes.order_by("-created_at").values_list("created_at", flat=True).first()
    perfil = entidad.perfil if hasattr(entidad, "perfil") else None
    fechas += [ultimo_evento, ultima_area, perfil.updated_at if perfil else None]
    return max(f for f in fechas if f is not None)
