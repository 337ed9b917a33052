"""Correcting an entity's registration data after it was submitted (while the Mesa de Servicio
asks for corrections): the registration's own form and rules, the NIT fixed, every change recorded
with its value before and after. The desk's case flow calls these; they know nothing of cases."""

from django.db import transaction
from django.utils.translation import gettext as _

from registro.core.errors import ApplicationError, ErrorCode
from registro.entities.account import workflow
from registro.entities.account.models import AreaNegocio, Entidad, EventoEntidad, TipoOrganizacion
from registro.entities.membership.catalogue import Permiso
from registro.entities.membership.permissions import user_can
from registro.entities.registration import rules
from registro.entities.registration.forms import CLASIFICACIONES, EntidadDatosForm
from registro.entities.registration.models import Documento
from registro.entities.registration.services import documento_make_current, documento_stored, form_errors
from registro.entities.registration.services import documentos_faltantes as registration_documentos_faltantes

ENTIDAD_DATOS_FIELDS = tuple(EntidadDatosForm.base_fields)


# The entity's own columns the correction form sets (the certificate's date is its document's).
_SIMPLE_FIELDS = (
    "nombre",
    "nombre_abreviado",
    "registrada_siif",
    "codigo_pci",
    "area_negocio",
    "tipo_organizacion",
    "telefono",
    "correo_notificaciones",
    "ordenador_delegado",
)


_RELATED_FIELDS = (*CLASIFICACIONES, "entidad_superior", "departamento", "municipio")


def _si_no(value: bool) -> str:
    return "si" if value else "no"


def _certificado(entidad: Entidad) -> Documento | None:
    return entidad.documentos.filter(tipo=Documento.Tipo.CERTIFICADO_EXISTENCIA, vigente=True).first()


def entidad_datos_initial(entidad: Entidad) -> dict[str, str]:
    """The entity's current data as the correction form's values (what the form would post)."""
    superior = entidad.entidad_superior
    certificado = _certificado(entidad)
    fecha = certificado.fecha_expedicion if certificado else None
    return {
        "registrada_siif": _si_no(entidad.registrada_siif),
        "codigo_pci": entidad.codigo_pci,
        "area_negocio": entidad.area_negocio,
        "tipo_organizacion": entidad.tipo_organizacion,
        "nombre": entidad.nombre,
        "nombre_abreviado": entidad.nombre_abreviado,
        "nit": entidad.nit,
        **{name: str(getattr(entidad, f"{name}_id") or "") for name in CLASIFICACIONES},
        "entidad_superior_nombre": superior.nombre if superior else "",
        "entidad_superior_nit": superior.nit if superior else "",
        "departamento": entidad.departamento_id or "",
        "municipio": entidad.municipio_id or "",
        "telefono": entidad.telefono,
        "correo_notificaciones": entidad.correo_notificaciones,
        "ordenador_delegado": _si_no(entidad.ordenador_delegado),
        "certificado_fecha_expedicion": fecha.isoformat() if fecha else "",
    }


_CHOICES = {"area_negocio": dict(AreaNegocio.choices), "tipo_organizacion": dict(TipoOrganizacion.choices)}


def _as_text(value, name: str = "") -> str:
    """How a value is shown in the entity's history."""
    if name in _CHOICES:
        return str(_CHOICES[name].get(value, value))
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return str(_("Sí") if value else _("No"))
    if isinstance(value, Entidad):
        return f"{value.nombre} (NIT {value.nit_con_dv})"
    if hasattr(value, "valor"):  # a classification value
        return value.valor
    if hasattr(value, "nombre"):  # department, municipality
        return value.nombre
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def _nit_error(entidad: Entidad, data: dict) -> list[str]:
    typed = (data.get("nit") or "").strip()
    if not typed:
        return []
    number, dv = rules.split_nit(typed)
    if number == entidad.nit and dv in (None, entidad.dv):
        return []
    return [
        _(
            "El NIT de la Entidad (%(nit)s) no se puede cambiar. Si el NIT registrado está errado, escríbalo a la "
            "Mesa de Servicio en el caso."
        )
        % {"nit": entidad.nit_con_dv}
    ]


def entidad_datos_merged(entidad: Entidad, data) -> dict[str, str]:
    """What is sent over the current data: a field left out keeps its value (the API's PATCH)."""
    sent = {name: data.get(name) for name in ENTIDAD_DATOS_FIELDS if data.get(name) is not None}
    if "entidad_superior_nit" in sent or "entidad_superior_nombre" in sent:
        # The entity it depends on is one choice: its NIT, with the name the search showed.
        superior_nit = sent.get("entidad_superior_nit", "")
        sent["entidad_superior_nit"] = superior_nit
        sent.setdefault("entidad_superior_nombre", superior_nit)
    return {**entidad_datos_initial(entidad), **{k: str(v) for k, v in sent.items()}}


def entidad_data_update(*, entidad: Entidad, data, user, detalle: dict | None = None) -> Entidad:
    """ "Corregir datos de la Entidad": while the desk asks for corrections, an administrator fixes
    the entity's data under the registration's rules (the NIT is fixed). Fields left out keep their
    value. All or nothing: any error changes nothing and lists every field to fix. The event lists
    the changed fields with their old and new values, plus what the caller adds in `detalle` (the
    desk's case number)."""
    with transaction.atomic():
        locked = Entidad.objects.select_for_update().get(pk=entidad.pk)
        if not user_can(user, locked, Permiso.EDITAR_ENTIDAD):
            raise ApplicationError(
                ErrorCode.PERMISSION_DENIED,
                _("Su rol no le permite corregir los datos de esta Entidad."),
                status=403,
            )
        if locked.estado != Entidad.Estado.REQUIERE_CORRECCION:
            raise ApplicationError(
                ErrorCode.CONFLICT,
                _(
                    "Los datos de la Entidad se corrigen cuando la Mesa de Servicio pide corrección; ahora está "
                    "«%(estado)s»."
                )
                % {"estado": locked.get_estado_display()},
                {"estado": locked.estado},
                status=409,
            )
        form = EntidadDatosForm(entidad_datos_merged(locked, data), entidad=locked)
        errors = {} if form.is_valid() else form_errors(form)
        if nit_error := _nit_error(locked, data):
            errors["nit"] = nit_error
        cleaned = form.cleaned_data if not errors else {}
        certificado = _certificado(locked)
        fecha = cleaned.get("certificado_fecha_expedicion")
        if fecha and certificado is None:
            errors["certificado_fecha_expedicion"] = [
                _(
                    "Anexe primero el certificado de existencia y representación legal (en «Corregir y enviar de "
                    "nuevo»); luego escriba aquí su fecha de expedición."
                )
            ]
        if errors:
            raise ApplicationError(ErrorCode.VALIDATION, _("Revise los datos marcados."), {"fields": errors})

        new_values = {
            **{name: cleaned[name] for name in _SIMPLE_FIELDS},
            **{name: cleaned[name] for name in _RELATED_FIELDS},
        }
        new_values["registrada_siif"] = cleaned["registrada_siif"] == "si"
        new_values["ordenador_delegado"] = cleaned["ordenador_delegado"] == "si"
        cambios: dict[str, dict[str, str]] = {}
        changed_columns = []
        for name, value in new_values.items():
            column = f"{name}_id" if name in _RELATED_FIELDS else name
            new_key = value.pk if name in _RELATED_FIELDS and value is not None else value
            if getattr(locked, column) == new_key:
                continue
            cambios[name] = {"antes": _as_text(getattr(locked, name), name), "despues": _as_text(value, name)}
            setattr(locked, name, value)
            changed_columns.append(name)
        if fecha and certificado.fecha_expedicion != fecha:
            cambios["certificado_fecha_expedicion"] = {
                "antes": _as_text(certificado.fecha_expedicion),
                "despues": _as_text(fecha),
            }
            certificado.fecha_expedicion = fecha
            certificado.save(update_fields=["fecha_expedicion"])
        if not cambios:
            return locked
        if changed_columns:
            if "nombre" in changed_columns:
                changed_columns.append("nombre_busqueda")
            locked.save(update_fields=changed_columns)
        workflow.event_record(
            entidad=locked,
            tipo=EventoEntidad.Tipo.DATOS_CORREGIDOS,
            actor=user,
            detalle={"campos": list(cambios), "cambios": cambios, **(detalle or {})},
        )
    return locked


def entidad_documento_replace(*, entidad: Entidad, tipo: str, uploaded, user) -> Documento:
    """An administrator replaces a document while the entity requires corrections; the earlier
    version is kept."""
    with documento_stored(tipo=tipo, uploaded=uploaded, user=user) as documento, transaction.atomic():
        locked = Entidad.objects.select_for_update().get(pk=entidad.pk)
        if locked.estado != Entidad.Estado.REQUIERE_CORRECCION:
            raise ApplicationError(
                ErrorCode.VALIDATION,
                _("Los documentos se reemplazan cuando la Mesa de Servicio pide corrección."),
                status=409,
            )
        documento.entidad = locked
        documento_make_current(documento=documento, siblings=locked.documentos)
        workflow.event_record(
            entidad=locked,
            tipo=EventoEntidad.Tipo.DOCUMENTO_REEMPLAZADO,
            actor=user,
            detalle={"documento": documento.get_tipo_display(), "version": documento.version},
        )
    return documento


def documentos_faltantes(entidad: Entidad) -> list[str]:
    """The mandatory documents (for the entity's current data) it has no current version of."""
    return registration_documentos_faltantes(
        entidad.documentos, ordenador_delegado=entidad.ordenador_delegado, area_negocio=entidad.area_negocio
    )


def entidad_resubmit(*, entidad: Entidad, user, nota: str = "") -> Entidad:
    """The entity's side of "Enviar de nuevo": back to "Pendiente de activación", refused while a
    document its (possibly corrected) data asks for is missing (a delegation, "Público y
    Privado"). Runs inside the caller's transaction, after the caller's locks."""
    entidad = workflow.entidad_transition(
        entidad=entidad, to=Entidad.Estado.PENDIENTE, actor=user, motivo=(nota or "").strip()
    )
    if faltantes := documentos_faltantes(entidad):
        etiquetas = dict(Documento.Tipo.choices)
        labels = [str(etiquetas[t]) for t in faltantes]
        raise ApplicationError(
            ErrorCode.VALIDATION,
            _("Antes de enviar de nuevo el registro, anexe: %(docs)s.") % {"docs": ", ".join(labels)},
            {"missing_documents": faltantes, "missing_labels": labels},
        )
    return entidad
