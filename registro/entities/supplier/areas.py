"""The account's "Áreas de interés" (R9.4): UNSPSC codes at the level chosen, one of them the main
category, replaced as a whole."""

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from registro.core.errors import ApplicationError, ErrorCode
from registro.core.models import CodigoUNSPSC
from registro.core.unspsc import Selection, parse_selection, unspsc_get_many
from registro.entities.account import workflow
from registro.entities.account.models import AreaInteres, Entidad, EventoEntidad
from registro.entities.membership.catalogue import Permiso
from registro.entities.supplier.guards import require_can

MAX_AREAS = 200


def areas_selection(entidad: Entidad) -> Selection:
    """The account's current codes and main category, as the picker shows them."""
    rows = list(entidad.areas_interes.order_by("-principal", "codigo_id").values_list("codigo_id", "principal"))
    principal = next((codigo for codigo, es_principal in rows if es_principal), "")
    return Selection(codigos=[codigo for codigo, _principal in rows], principal=principal)


def selection_errors(selection: Selection) -> dict[str, list[str]]:
    """What keeps a selection from being saved, by field: unknown codes, none at all, no main one."""
    errors: dict[str, list[str]] = {}
    if selection.desconocidos:
        errors["areas"] = [
            ngettext(
                "No existe en el Clasificador de Bienes y Servicios el código %(codigos)s. Revíselo o búsquelo por "
                "su nombre.",
                "No existen en el Clasificador de Bienes y Servicios los códigos %(codigos)s. Revíselos o búsquelos "
                "por su nombre.",
                len(selection.desconocidos),
            )
            % {"codigos": ", ".join(selection.desconocidos)}
        ]
    elif not selection.codigos:
        errors["areas"] = [_("Elija al menos un código: la categoría principal de lo que ofrece.")]
    elif len(selection.codigos) > MAX_AREAS:
        errors["areas"] = [_("Elija como máximo %(n)s códigos.") % {"n": MAX_AREAS}]
    elif not selection.principal:
        errors["categoria_principal"] = [_("Marque cuál de los códigos elegidos es la categoría principal.")]
    return errors


@dataclass(frozen=True)
class AreasEdit:
    agregados: list[str]
    retirados: list[str]
    principal: str


def areas_replace(*, entidad: Entidad, user, codigos, principal: str = "") -> AreasEdit:
    """Replaces the account's areas of interest with `codigos` (codes of any level, as typed: 2, 4,
    6 or 8 digits) and `principal` among them, in one transaction. With a single code, that one is
    the main category. An unknown code, no code or no main category: a clear refusal and nothing
    changes. Records AREAS_EDITADAS with the codes added and removed."""
    selection = parse_selection(codigos, principal)
    if len(selection.codigos) == 1 and not selection.principal and not selection.desconocidos:
        selection = Selection(codigos=selection.codigos, principal=selection.codigos[0])
    with transaction.atomic():
        locked = Entidad.objects.select_for_update().get(pk=entidad.pk)
        require_can(user, locked, Permiso.EDITAR_PERFIL_COMERCIAL)
        if errors := selection_errors(selection):
            message = next(iter(errors.values()))[0]
            raise ApplicationError(
                ErrorCode.VALIDATION, message, {"fields": errors, "desconocidos": selection.desconocidos}
            )
        before = areas_selection(locked)
        codes = unspsc_get_many(selection.codigos)
        agregados = [c for c in selection.codigos if c not in before.codigos]
        retirados = [c for c in before.codigos if c not in selection.codigos]
        if not agregados and not retirados and before.principal == selection.principal:
            return AreasEdit(agregados=[], retirados=[], principal=selection.principal)
        locked.areas_interes.all().delete()
        AreaInteres.objects.bulk_create(
            [
                AreaInteres(
                    entidad=locked,
                    codigo_id=codigo,
                    prefijo=CodigoUNSPSC.prefix_of(codigo, codes[codigo].nivel),
                    principal=codigo == selection.principal,
                )
                for codigo in selection.codigos
            ]
        )
        detalle = {"agregados": agregados, "retirados": retirados}
        if before.principal != selection.principal:
            nombres = unspsc_get_many([c for c in (before.principal, selection.principal) if c])
            detalle["cambios"] = {
                "categoria_principal": {
                    "antes": str(nombres[before.principal]) if before.principal in nombres else "",
                    "despues": str(nombres[selection.principal]),
                }
            }
        workflow.event_record(entidad=locked, tipo=EventoEntidad.Tipo.AREAS_EDITADAS, actor=user, detalle=detalle)
    return AreasEdit(agregados=agregados, retirados=retirados, principal=selection.principal)
