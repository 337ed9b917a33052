"""Changing what identifies an account: its NIT (a foreign supplier's tax identifier) and its legal
name. The account asks (`identity_change_request`, from "Editar datos"); the Mesa de Servicio
reviews the request as a case and applies it (`identity_change_apply`). The desk lives in a layer
above this one: the request reaches it through the `identity_change_requested` signal."""

from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from registro.core.errors import ErrorCode, refusal
from registro.entities.account import workflow
from registro.entities.account.models import Entidad, EventoEntidad
from registro.entities.account.signals import identity_change_requested
from registro.entities.registration import rules

FIELDS = ("nombre", "nit", "id_tributario")


def check_digit(nit: str) -> str:
    return rules.nit_check_digit(nit)


def identity_change_request(*, entidad: Entidad, user, cambios: dict) -> str:
    """Hands the requested changes ({field: {"antes", "despues"}}) to whoever reviews them and
    returns the reference they opened (the case's number). Runs inside the caller's transaction,
    with the account locked: a receiver's refusal undoes the whole edit. Without a receiver the
    request would be lost, so it raises instead."""
    if not identity_change_requested.has_listeners(Entidad):
        raise ImproperlyConfigured(
            "identity_change_requested has no receiver: a change of NIT or legal name would be lost."
        )
    responses = identity_change_requested.send(sender=Entidad, entidad=entidad, user=user, cambios=cambios)
    references = [str(reference) for _receiver, reference in responses if reference]
    if not references:
        raise ImproperlyConfigured("No receiver of identity_change_requested took the request.")
    return references[0]


def _requested(cambios: dict, name: str) -> str | None:
    value = (cambios.get(name) or {}).get("despues")
    return str(value).strip() if value is not None else None


def identity_change_apply(
    *, entidad: Entidad, cambios: dict, actor, motivo: str = "", detalle: dict | None = None
) -> Entidad:
    """The desk applies a requested change of NIT, tax identifier or legal name. The NIT stays
    unique by the database: if another account has it by now, a clear refusal and nothing changes.
    Records CAMBIO_APLICADO with the values before and after. Runs inside the caller's transaction,
    after the caller's locks (the case's, ADR 0011)."""
    with transaction.atomic():
        locked = Entidad.objects.select_for_update().get(pk=entidad.pk)
        applied: dict[str, dict[str, str]] = {}
        columns: list[str] = []
        nombre = _requested(cambios, "nombre")
        if nombre and nombre != locked.nombre:
            applied["nombre"] = {"antes": locked.nombre, "despues": nombre}
            locked.nombre = nombre
            columns += ["nombre", "nombre_busqueda"]
        nit_typed = _requested(cambios, "nit")
        if nit_typed:
            nit = rules.split_nit(nit_typed)[0]
            if not (nit.isdigit() and 6 <= len(nit) <= 10):
                raise refusal(_("El NIT solicitado (%(nit)s) no es válido.") % {"nit": nit_typed}, status=409)
            if nit != locked.nit:
                dv = rules.nit_check_digit(nit)
                applied["nit"] = {"antes": locked.nit_con_dv if locked.nit else "", "despues": f"{nit}-{dv}"}
                locked.nit, locked.dv = nit, dv
                columns += ["nit", "dv"]
        tax_id = _requested(cambios, "id_tributario")
        if tax_id and tax_id != locked.id_tributario:
            applied["id_tributario"] = {"antes": locked.id_tributario, "despues": tax_id}
            locked.id_tributario = tax_id
            columns.append("id_tributario")
        if not applied:
            raise refusal(_("La cuenta ya tiene esos datos: no hay ningún cambio por aplicar."), status=409)
        try:
            with transaction.atomic():  # a savepoint: the refusal below leaves the transaction usable
                locked.save(update_fields=columns)
        except IntegrityError:
            identificacion = applied.get("nit", applied.get("id_tributario", {})).get("despues", "")
            raise refusal(
                _(
                    "Ya hay otra cuenta registrada con la identificación %(id)s: no se puede aplicar el cambio. "
                    "Responda al solicitante en el caso."
                )
                % {"id": identificacion},
                status=409,
                code=ErrorCode.ENTIDAD_NIT_REGISTRADO,
            ) from None
        workflow.event_record(
            entidad=locked,
            tipo=EventoEntidad.Tipo.CAMBIO_APLICADO,
            actor=actor,
            motivo=(motivo or "").strip(),
            detalle={"campos": list(applied), "cambios": applied, **(detalle or {})},
        )
    return locked
