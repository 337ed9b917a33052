"""The desk's decisions on a case, by the name its page's buttons and its API path use
(`/mesa/casos/{numero}/acciones/{accion}`): what each one runs and what the page says once done."""

from collections.abc import Callable
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from registro.accounts.reauthentication import SensitiveAction
from registro.core.errors import ApplicationError, ErrorCode

from . import services
from .models import Caso


@dataclass(frozen=True)
class Action:
    run: Callable[[Caso, object, str], Caso]  # (case, desk member, motivo)
    done: str
    # Asks for a recent proof of identity first, on the page and in the API (ADR 0018).
    sensitive: SensitiveAction | None = None


# `services.<name>` is looked up at call time, so a test may wrap a service.
ACTIONS: dict[str, Action] = {
    "tomar": Action(
        lambda caso, user, motivo: services.caso_take(caso=caso, staff=user),
        gettext_lazy("Usted tomó el caso; está «En revisión»."),
    ),
    "corregir": Action(
        lambda caso, user, motivo: services.caso_request_corrections(caso=caso, staff=user, motivo=motivo),
        gettext_lazy("La Entidad quedó «Requiere corrección» y sus administradores recibieron los motivos."),
    ),
    "activar": Action(
        lambda caso, user, motivo: services.caso_activate(caso=caso, staff=user, motivo=motivo),
        gettext_lazy("La Entidad quedó «Activa» y se avisó por correo."),
        SensitiveAction.CUENTA_ACTIVAR,
    ),
    "rechazar": Action(
        lambda caso, user, motivo: services.caso_reject(caso=caso, staff=user, motivo=motivo),
        gettext_lazy("El registro fue rechazado y se avisó por correo."),
        SensitiveAction.CUENTA_RECHAZAR,
    ),
    "proveedor": Action(
        lambda caso, user, motivo: services.caso_enable_supplier(caso=caso, staff=user, motivo=motivo),
        gettext_lazy("El perfil de Proveedor quedó habilitado."),
    ),
    "aplicar_cambio": Action(
        lambda caso, user, motivo: services.caso_apply_identity_change(caso=caso, staff=user, motivo=motivo),
        gettext_lazy("El cambio de NIT o razón social quedó aplicado y se avisó por correo a la cuenta."),
    ),
    "resolver": Action(
        lambda caso, user, motivo: services.caso_resolve(caso=caso, staff=user, respuesta=motivo),
        gettext_lazy("El caso quedó «Resuelto»."),
    ),
    "cerrar": Action(
        lambda caso, user, motivo: services.caso_close(caso=caso, actor=user, motivo=motivo),
        gettext_lazy("El caso quedó «Cerrado»."),
    ),
}


def action_named(accion: str) -> Action:
    action = ACTIONS.get(accion)
    if action is None:
        raise ApplicationError(ErrorCode.NOT_FOUND, _("No existe esa acción."), status=404)
    return action


@dataclass(frozen=True)
class AccountAction:
    run: Callable[[object, object, str], object]  # (account, desk member, motivo) -> account
    done: str
    sensitive: SensitiveAction | None = None


# "Cuentas": what the account page's forms and `/mesa/cuentas/{id}/{accion}` run.
ACCOUNT_ACTIONS: dict[str, AccountAction] = {
    "suspender": AccountAction(
        lambda entidad, user, motivo: services.cuenta_suspend(entidad=entidad, staff=user, motivo=motivo),
        gettext_lazy("La cuenta quedó «Suspendida»; se avisó a su correo de notificaciones y a sus administradores."),
        SensitiveAction.CUENTA_SUSPENDER,
    ),
    "reactivar": AccountAction(
        lambda entidad, user, motivo: services.cuenta_reactivate(entidad=entidad, staff=user, motivo=motivo),
        gettext_lazy(
            "La cuenta quedó «Activa» de nuevo; se avisó a su correo de notificaciones y a sus administradores."
        ),
        SensitiveAction.CUENTA_ACTIVAR,
    ),
}


def account_action_named(accion: str) -> AccountAction:
    action = ACCOUNT_ACTIONS.get(accion)
    if action is None:
        raise ApplicationError(ErrorCode.NOT_FOUND, _("No existe esa acción."), status=404)
    return action
