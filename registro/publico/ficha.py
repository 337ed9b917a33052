"""One account as the public page and the public API show it: only the fields of the visibility
table that the viewer's level allows, and a validator for caches (ETag, Last-Modified)."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from django.core.serializers.json import DjangoJSONEncoder

from registro.accounts.models import DocumentType
from registro.core.models import TipoEmpresa
from registro.entities.account.models import Entidad

from . import selectors
from .visibility import CAMPOS, Nivel

NATURAL = TipoEmpresa.Persona.NATURAL


def es_persona_natural(entidad: Entidad) -> bool:
    perfil = entidad.perfil if hasattr(entidad, "perfil") else None
    if perfil is None:
        return False
    if perfil.persona:
        return perfil.persona == NATURAL
    return bool(perfil.tipo_empresa and perfil.tipo_empresa.persona == NATURAL)


def _str(obj) -> str:
    return str(obj) if obj is not None else ""


def ficha(entidad: Entidad, nivel: Nivel) -> dict:
    """The account's visible fields, keyed by their name in the visibility table."""
    natural = es_persona_natural(entidad)
    perfil = entidad.perfil if hasattr(entidad, "perfil") else None
    areas = [
        {"codigo": a.codigo_id, "nombre": a.codigo.nombre, "principal": a.principal}
        for a in entidad.areas_interes.select_related("codigo").order_by("-principal", "codigo_id")
    ]
    principal = next((a for a in areas if a["principal"]), None)
    historial = selectors.historial_publico(entidad)
    con_motivo = CAMPOS["motivo_estado"].visible(nivel, natural=natural)
    values = {
        "codigo": entidad.pk,
        "nombre": entidad.nombre,
        "nit": entidad.nit or "",
        "dv": entidad.dv,
        "tipo_cuenta": entidad.tipo_label,
        "es_entidad": entidad.es_entidad_estatal,
        "estado": entidad.get_estado_display(),
        "esta_activa": entidad.estado == Entidad.Estado.ACTIVA,
        "fecha_creacion": entidad.created_at,
        "fecha_activacion": entidad.activada_at,
        "pais": entidad.pais,
        "departamento": _str(entidad.departamento and entidad.departamento.nombre),
        "municipio": _str(entidad.municipio and entidad.municipio.nombre),
        "codigo_categoria_principal": principal["codigo"] if principal else "",
        "descripcion_categoria_principal": principal["nombre"] if principal else "",
        "areas_interes": areas,
        "telefono": entidad.telefono,
        "correo": entidad.correo_notificaciones,
        "historial": [
            {"tipo": h.tipo, "texto": h.texto, "fecha": h.fecha, **({"motivo": h.motivo} if con_motivo else {})}
            for h in historial
        ],
    }
    if entidad.es_entidad_estatal:
        values |= {
            "orden": _str(entidad.orden and entidad.orden.valor),
            "rama": _str(entidad.rama and entidad.rama.valor),
            "sector": _str(entidad.sector and entidad.sector.valor),
            "tipo_entidad": _str(entidad.tipo_entidad and entidad.tipo_entidad.valor),
        }
    if perfil is not None:
        values |= {
            "tipo_empresa": _str(perfil.tipo_empresa and perfil.tipo_empresa.nombre),
            "espyme": perfil.es_mipyme,
            "tamano": perfil.get_tamano_display(),
            "direccion": perfil.direccion,
            "sitio_web": perfil.sitio_web,
        }
        if natural:
            documento = perfil.numero_documento
            if documento:
                tipo = DocumentType(perfil.tipo_documento).label if perfil.tipo_documento else ""
                values["documento_persona"] = f"{tipo} {documento}".strip()
        else:
            values |= {
                "nombre_representante_legal": perfil.representante_nombre,
                "tipo_doc_representante_legal": perfil.representante_tipo_documento,
                "n_mero_doc_representante_legal": perfil.representante_numero_documento,
                "telefono_representante_legal": perfil.representante_telefono,
                "correo_representante_legal": perfil.representante_correo,
            }
        if perfil.anio_fiscal:
            values["datos_financieros"] = {
                "anio_fiscal": perfil.anio_fiscal,
                "activos": perfil.activos,
                "pasivos": perfil.pasivos,
                "patrimonio": perfil.patrimonio,
                "ingresos_operacionales": perfil.ingresos_operacionales,
            }
    elif entidad.es_entidad_estatal:
        values["tipo_empresa"] = "Entidad Estatal"
    return {k: v for k, v in values.items() if CAMPOS[k].visible(nivel, natural=natural)}


def validador(data: dict, *, nivel: Nivel, viewer: str) -> str:
    """A strong ETag of what the viewer gets: it changes whenever a shown value or the history
    changes, and differs between levels and viewers (the header names the user)."""
    payload = json.dumps([data, int(nivel), viewer], cls=DjangoJSONEncoder, sort_keys=True)
    return '"' + hashlib.sha256(payload.encode()).hexdigest()[:32] + '"'


def ultima_modificacion(entidad: Entidad) -> datetime:
    return selectors.ultima_modificacion(entidad)
