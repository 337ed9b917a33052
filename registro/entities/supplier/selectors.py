"""Reads of the supplier side: the commercial profile, the areas of interest and the library."""

from dataclasses import dataclass

from django.db.models import QuerySet

from registro.core.models import TipoEmpresa
from registro.entities.account.models import AreaInteres, Entidad, EventoEntidad, PerfilComercial
from registro.entities.registration.models import Documento


def persona_of(entidad: Entidad, perfil: PerfilComercial | None) -> str:
    """Natural or legal person. An entity that also supplies, or a profile not filled in yet, is a
    legal person."""
    if perfil is not None:
        if perfil.persona:
            return perfil.persona
        if perfil.tipo_empresa_id:
            return perfil.tipo_empresa.persona
    return TipoEmpresa.Persona.JURIDICA


def perfil_of(entidad: Entidad) -> PerfilComercial | None:
    """The account's commercial profile; None for an entity whose profile was never created (it is
    created on its first edit)."""
    return PerfilComercial.objects.select_related("tipo_empresa").filter(entidad=entidad).first()


def areas_of(entidad: Entidad) -> QuerySet[AreaInteres]:
    return entidad.areas_interes.select_related("codigo").order_by("-principal", "codigo_id")


@dataclass(frozen=True)
class Biblioteca:
    vigentes: list[Documento]  # the library's current documents
    anteriores: list[Documento]  # earlier versions and retired documents, kept as history
    legales: list[Documento]  # the registration's documents, read-only here


def biblioteca_of(entidad: Entidad) -> Biblioteca:
    documentos = list(entidad.documentos.select_related("subido_por").order_by("tipo", "titulo", "-version"))
    return Biblioteca(
        vigentes=[d for d in documentos if d.tipo in Documento.BIBLIOTECA and d.vigente],
        anteriores=[d for d in documentos if d.tipo in Documento.BIBLIOTECA and not d.vigente],
        legales=[d for d in documentos if d.tipo not in Documento.BIBLIOTECA and d.vigente],
    )


def perfil_data(entidad: Entidad) -> dict:
    """The profile as one record: the account's columns and its commercial profile's (blank while
    an entity that also supplies has none yet), with its areas of interest."""
    perfil = perfil_of(entidad)
    blank = PerfilComercial(entidad=entidad)
    p = perfil or blank
    return {
        "entidad_id": entidad.pk,
        "tipo_cuenta": entidad.tipo_cuenta,
        "es_proveedor": entidad.es_proveedor,
        "persona": persona_of(entidad, perfil),
        "tipo_empresa": p.tipo_empresa.nombre if p.tipo_empresa_id else None,
        "nombre": entidad.nombre,
        "nombre_abreviado": entidad.nombre_abreviado,
        "nit": entidad.nit,
        "dv": entidad.dv,
        "pais": entidad.pais,
        "id_tributario": entidad.id_tributario,
        "departamento_id": entidad.departamento_id,
        "municipio_id": entidad.municipio_id,
        "telefono": entidad.telefono,
        "correo_notificaciones": entidad.correo_notificaciones,
        **{
            name: getattr(p, name)
            for name in (
                "direccion",
                "sitio_web",
                "nombres",
                "apellidos",
                "tipo_documento",
                "numero_documento",
                "representante_nombre",
                "representante_tipo_documento",
                "representante_numero_documento",
                "representante_correo",
                "representante_telefono",
                "tamano",
                "es_mipyme",
                "anio_fiscal",
                "activos",
                "pasivos",
                "patrimonio",
                "ingresos_operacionales",
            )
        },
        "areas": list(areas_of(entidad)),
    }


@dataclass(frozen=True)
class SolicitudIdentidad:
    evento: EventoEntidad  # CAMBIO_SOLICITADO
    aplicada: bool


def identity_request_last(entidad: Entidad) -> SolicitudIdentidad | None:
    """The account's latest request to change its NIT or legal name, and whether the desk applied
    it (the case itself is the desk's: its number is in the event)."""
    evento = entidad.eventos.filter(tipo=EventoEntidad.Tipo.CAMBIO_SOLICITADO).select_related("actor").first()
    if evento is None:
        return None
    caso = evento.detalle.get("caso")
    aplicada = entidad.eventos.filter(tipo=EventoEntidad.Tipo.CAMBIO_APLICADO, detalle__caso=caso).exists()
    return SolicitudIdentidad(evento=evento, aplicada=aplicada)
