"""Sensitive actions and the recent proof of identity they need (ADR 0018).

`SensitiveAction` is the one list: the desk's action tables (servicedesk/actions.py), the
membership pages and operations, and the credential changes name their entry, and pages and API
operations call the same `require()`. The proof is allauth's: a reauthentication (the password,
or, once allauth.mfa is on, a second factor) recorded in the session by
`allauth.account.internal.flows.login.record_authentication`, or the sign-in itself, within
ACCOUNT_REAUTHENTICATION_TIMEOUT seconds.

A missing proof raises allauth's `ReauthenticationRequired`. On the web, allauth's
AccountMiddleware keeps the POST in the session, sends the user to its reauthentication page and
replays the POST once they confirm (`flows.reauthentication.resume_request`); in the API,
config/api.py answers 401 `reauthentication_required`, and the client reauthenticates through
allauth's headless API and repeats the call."""

import time
from enum import StrEnum
from types import SimpleNamespace

from allauth.account import app_settings as account_settings
from allauth.account.internal.flows import reauthentication as allauth_reauthentication
from allauth.account.internal.flows.login import get_authentication_records
from allauth.core.exceptions import ReauthenticationRequired
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# What a sign-in records (allauth's `method`) that proves the password or a second factor; a login
# by e-mail code or after a password reset does not.
SIGN_IN_METHODS = frozenset({"password", "mfa"})

REAUTHENTICATE_PATHS = {
    "app": "/api/v1/auth/app/v1/auth/reauthenticate",
    "browser": "/api/v1/auth/browser/v1/auth/reauthenticate",
}


class SensitiveAction(models.TextChoices):
    CUENTA_ACTIVAR = "cuenta_activar", gettext_lazy("Activar o reactivar una cuenta")
    CUENTA_RECHAZAR = "cuenta_rechazar", gettext_lazy("Rechazar el registro de una cuenta")
    CUENTA_SUSPENDER = "cuenta_suspender", gettext_lazy("Suspender una cuenta")
    ADMINISTRADOR_NOMBRAR = "administrador_nombrar", gettext_lazy("Nombrar un Usuario Administrador")
    ADMINISTRADOR_RETIRAR = "administrador_retirar", gettext_lazy("Retirar o suspender un Usuario Administrador")
    ROLES_CAMBIAR = "roles_cambiar", gettext_lazy("Cambiar el rol o los roles de un usuario")
    ADMINISTRADOR_DESIGNAR = (
        "administrador_designar",
        gettext_lazy("Designar un Usuario Administrador desde un caso"),
    )
    CORREO_CAMBIAR = "correo_cambiar", gettext_lazy("Cambiar el correo electrónico")
    CONTRASENA_CAMBIAR = "contrasena_cambiar", gettext_lazy("Cambiar la contraseña")
    USUARIO_CAMBIAR = "usuario_cambiar", gettext_lazy("Cambiar el nombre de usuario")


class Proof(StrEnum):
    # allauth's reauthentication (or the sign-in) within the window, asked for by `require()`.
    REAUTHENTICATION = "reauthentication"
    # allauth's reauthentication, asked for by allauth's own flow (ACCOUNT_REAUTHENTICATION_REQUIRED).
    ALLAUTH = "allauth"
    # The form itself asks for the current password (accounts/passwords.py): a proof given at the
    # moment of the action, so a second prompt would prove nothing more.
    CURRENT_PASSWORD = "current_password"


PROOFS: dict[SensitiveAction, Proof] = {
    **{action: Proof.REAUTHENTICATION for action in SensitiveAction},
    SensitiveAction.CORREO_CAMBIAR: Proof.ALLAUTH,
    SensitiveAction.CONTRASENA_CAMBIAR: Proof.CURRENT_PASSWORD,
    SensitiveAction.USUARIO_CAMBIAR: Proof.CURRENT_PASSWORD,
}


class SensitiveActionReauthenticationRequired(ReauthenticationRequired):
    """allauth's exception (its middleware and headless views know it), naming the action."""

    def __init__(self, action: SensitiveAction):
        super().__init__(action)
        self.action = SensitiveAction(action)


def _caller(request: HttpRequest) -> SimpleNamespace:
    """The user and session the request acts with: in the ninja API, `request.auth` and the
    X-Session-Token's session (api_auth.py), which are not the cookie's."""
    user = getattr(request, "auth", None) or request.user
    session = getattr(request, "auth_session", None) or request.session
    return SimpleNamespace(user=user, session=session)


def signed_in_recently(request) -> bool:
    """Whether the session's sign-in (password or second factor) is within the window."""
    user = request.user
    if not user.is_authenticated:
        return False
    times = [
        record["at"]
        for record in get_authentication_records(request, user)
        if record.get("method") in SIGN_IN_METHODS and isinstance(record.get("at"), int | float)
    ]
    return bool(times) and time.time() - max(times) < account_settings.REAUTHENTICATION_TIMEOUT


def proven_recently(request: HttpRequest) -> bool:
    caller = _caller(request)
    if not caller.user.is_authenticated:
        return False
    return allauth_reauthentication.did_recently_reauthenticate(caller) or signed_in_recently(caller)


def require(request: HttpRequest, action: SensitiveAction | None) -> None:
    """Raises `SensitiveActionReauthenticationRequired` unless the caller proved who they are
    recently. Called after the permission checks, so a refusal is never a prompt."""
    if action is None or PROOFS[SensitiveAction(action)] != Proof.REAUTHENTICATION:
        return
    if not proven_recently(request):
        raise SensitiveActionReauthenticationRequired(action)


def prompt_message(action: SensitiveAction) -> str:
    return _("«%(accion)s» es una acción sensible: confirme su identidad para continuar.") % {
        "accion": SensitiveAction(action).label
    }


def api_error_detail(request: HttpRequest, action: SensitiveAction | None) -> dict:
    """`detail` of the API's 401: the action, the ways to reauthenticate allauth offers this user
    (`reauthenticate`, and `mfa_reauthenticate` with a second factor) and where."""
    caller = _caller(request)
    flows = [flow["id"] for flow in allauth_reauthentication.get_reauthentication_flows(caller.user)]
    return {
        "action": str(action) if action else None,
        "flows": flows,
        "reauthenticate": REAUTHENTICATE_PATHS,
        "timeout_seconds": account_settings.REAUTHENTICATION_TIMEOUT,
    }


def api_error_message(action: SensitiveAction | None) -> str:
    text = _(
        "Confirme su identidad con su contraseña o su segundo factor (POST "
        "/api/v1/auth/app/v1/auth/reauthenticate con X-Session-Token, o …/browser/… con la cookie) "
        "y repita la operación."
    )
    return f"{prompt_message(action)} {text}" if action else text
