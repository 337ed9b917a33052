"""The commercial profile after registration (R9.2): "Editar datos" with the registration's rules,
every change recorded with its value before and after, and the changes to what identifies the
account (NIT, legal name) sent to the Mesa de Servicio instead of applied (identity.py)."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _

from registro.accounts.models import DocumentType
from registro.core.errors import ApplicationError, ErrorCode
from registro.entities.account import workflow
from registro.entities.account.models import Entidad, EventoEntidad, PerfilComercial, TamanoEmpresa
from registro.entities.membership.catalogue import Permiso
from registro.entities.registration.services import form_errors
from registro.entities.supplier import identity
from registro.entities.supplier.forms import (
    ENTIDAD_FIELDS,
    IDENTITY_FIELDS,
    MONEY_FIELDS,
    PERFIL_FIELDS,
    PerfilForm,
)
from registro.entities.supplier.guards import require_can
from registro.entities.supplier.selectors import persona_of

_RELATED = ("departamento", "municipio")
_CHOICES = {
    "tamano": dict(TamanoEmpresa.choices),
    "representante_tipo_documento": dict(DocumentType.choices),
}


def _form_value(entidad: Entidad, perfil: PerfilComercial | None, name: str) -> str:
    if name in _RELATED:
        return getattr(entidad, f"{name}_id") or ""
    if name in IDENTITY_FIELDS or name in ENTIDAD_FIELDS:
        return getattr(entidad, name) or ""
    if perfil is None:
        return "no" if name == "es_mipyme" else ""
    value = getattr(perfil, name)
    if name == "es_mipyme":
        return "si" if value else "no"
    return "" if value is None else str(value)


def perfil_initial(entidad: Entidad, perfil: PerfilComercial | None) -> dict[str, str]:
    """The account's current data as the form's values (what the form would post)."""
    names = IDENTITY_FIELDS + ENTIDAD_FIELDS + PERFIL_FIELDS
    return {name: _form_value(entidad, perfil, name) for name in names}


def _as_form_text(value) -> str:
    if isinstance(value, bool):
        return "si" if value else "no"
    return str(value)


def perfil_merged(entidad: Entidad, perfil: PerfilComercial | None, data) -> dict[str, str]:
    """What is sent over the current data: a field left out keeps its value (the API's PATCH)."""
    names = IDENTITY_FIELDS + ENTIDAD_FIELDS + PERFIL_FIELDS
    sent = {name: _as_form_text(data.get(name)) for name in names if data.get(name) is not None}
    return {**perfil_initial(entidad, perfil), **sent}


def as_text(name: str, value) -> str:
    """How a value reads in the account's history."""
    if value is None or value == "":
        return ""
    if name in _CHOICES:
        return str(_CHOICES[name].get(value, value))
    if isinstance(value, bool):
        return str(_("Sí") if value else _("No"))
    if name == "nit":
        return f"{value}-{identity.check_digit(value)}"
    if isinstance(value, Decimal):
        return floatformat(value, "2g")
    if hasattr(value, "nombre"):  # department, municipality
        return value.nombre
    return str(value)


@dataclass(frozen=True)
class PerfilEdit:
    """What an edit did: the changes applied, and those sent to the desk with the case's number."""

    entidad: Entidad
    perfil: PerfilComercial
    cambios: dict = field(default_factory=dict)
    solicitados: dict = field(default_factory=dict)
    caso: str | None = None


def _comparable(value):
    return value.pk if hasattr(value, "pk") else value


def perfil_update(*, entidad: Entidad, user, data) -> PerfilEdit:
    """ "Editar datos" (R9.2): the fields sent (a field left out keeps its value), validated with the
    registration's rules. All or nothing: any error changes nothing and lists every field to fix.
    The changes apply at once and are recorded (PERFIL_EDITADO, before and after per field), except
    a new NIT, tax identifier or legal name, which the Mesa de Servicio reviews first
    (identity.identity_change_request). An entity that also supplies and has no profile yet gets
    one here."""
    with transaction.atomic():
        locked = Entidad.objects.select_for_update().get(pk=entidad.pk)
        require_can(user, locked, Permiso.EDITAR_PERFIL_COMERCIAL)
        perfil = PerfilComercial.objects.select_related("tipo_empresa").filter(entidad=locked).first()
        if perfil is None:
            perfil = PerfilComercial(entidad=locked, persona=persona_of(locked, None))
        form = PerfilForm(perfil_merged(locked, perfil, data), entidad=locked, perfil=perfil)
        if not form.is_valid():
            raise ApplicationError(ErrorCode.VALIDATION, _("Revise los datos marcados."), {"fields": form_errors(form)})
        cleaned = dict(form.cleaned_data)
        if "es_mipyme" in cleaned:
            cleaned["es_mipyme"] = cleaned["es_mipyme"] == "si"
        for name in MONEY_FIELDS:
            if cleaned.get(name) is not None:
                cleaned[name] = cleaned[name].quantize(Decimal("0.01"))

        cambios: dict[str, dict[str, str]] = {}
        entidad_columns, perfil_columns = [], []
        for names, row, columns in ((ENTIDAD_FIELDS, locked, entidad_columns), (PERFIL_FIELDS, perfil, perfil_columns)):
            for name in names:
                if name not in cleaned:
                    continue
                value = cleaned[name]
                if _comparable(getattr(row, name)) == _comparable(value):
                    continue
                cambios[name] = {"antes": as_text(name, getattr(row, name)), "despues": as_text(name, value)}
                setattr(row, name, value)
                columns.append(name)
        solicitados = {
            name: {"antes": as_text(name, getattr(locked, name)), "despues": as_text(name, cleaned[name])}
            for name in IDENTITY_FIELDS
            if name in cleaned and cleaned[name] != getattr(locked, name)
        }

        if entidad_columns:
            locked.save(update_fields=entidad_columns)
        if perfil._state.adding:
            perfil.save()
        elif perfil_columns:
            perfil.save(update_fields=[*perfil_columns, "updated_at"])
        if cambios:
            workflow.event_record(
                entidad=locked,
                tipo=EventoEntidad.Tipo.PERFIL_EDITADO,
                actor=user,
                detalle={"campos": list(cambios), "cambios": cambios},
            )
        caso = identity.identity_change_request(entidad=locked, user=user, cambios=solicitados) if solicitados else None
    return PerfilEdit(entidad=locked, perfil=perfil, cambios=cambios, solicitados=solicitados, caso=caso)
