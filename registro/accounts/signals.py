"""Feeds "Accesos del usuario" from Django's and allauth's authentication signals."""

from allauth.account import signals as allauth_signals
from allauth.mfa import signals as mfa_signals
from allauth.mfa.models import Authenticator
from django.contrib.auth import signals as auth_signals
from django.dispatch import receiver

from . import devices, metrics, mfa, selectors, services, sessions
from .models import AccessEvent


def _client(request):
    return services.ClientInfo.from_request(request)


@receiver(auth_signals.user_logged_in)
def on_logged_in(sender, request, user, **kwargs):
    metrics.LOGINS.inc()
    services.access_event_record(user=user, kind=AccessEvent.Kind.LOGIN, client=_client(request))
    if request is not None:
        devices.mark_login(request, user.pk)


@receiver(auth_signals.user_logged_out)
def on_logged_out(sender, request, user, **kwargs):
    if user is not None:
        services.access_event_record(user=user, kind=AccessEvent.Kind.LOGOUT, client=_client(request))


@receiver(auth_signals.user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    metrics.LOGIN_FAILURES.inc()
    login = credentials.get("username") or credentials.get("email") or credentials.get("login") or ""
    user = selectors.user_get_by_login(login=login) if login else None
    services.access_event_record(
        user=user,
        kind=AccessEvent.Kind.LOGIN_FAILED,
        client=_client(request),
        identifier="" if user else str(login),
    )


def _end_other_sessions(request, user, cause: str) -> None:
    # A new password ends every other session at once (ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE keeps
    # this one). Django's session hash check would refuse them at their next request anyway; this
    # deletes them and their rows, so "Sesiones activas" and the history say so.
    sessions.sessions_end_others(
        user=user, current_key=sessions.current_session_key(request), client=_client(request), cause=cause
    )


@receiver(allauth_signals.password_changed)
def on_password_changed(sender, request, user, **kwargs):
    services.access_event_record(user=user, kind=AccessEvent.Kind.PASSWORD_CHANGED, client=_client(request))
    _end_other_sessions(request, user, "password_changed")


@receiver(allauth_signals.password_set)
def on_password_set(sender, request, user, **kwargs):
    services.access_event_record(user=user, kind=AccessEvent.Kind.PASSWORD_CHANGED, client=_client(request))
    _end_other_sessions(request, user, "password_changed")


@receiver(allauth_signals.password_reset)
def on_password_reset(sender, request, user, **kwargs):
    services.access_event_record(user=user, kind=AccessEvent.Kind.PASSWORD_RESET, client=_client(request))
    _end_other_sessions(request, user, "password_reset")


@receiver(allauth_signals.email_changed)
def on_email_changed(sender, request, user, from_email_address=None, to_email_address=None, **kwargs):
    # With ACCOUNT_CHANGE_EMAIL allauth also sends this on the first confirmation after
    # "Registrar usuario" (no previous address): that is not a change, and is recorded as
    # "Confirmación del correo electrónico" already.
    if from_email_address is None:
        return
    services.access_event_record(
        user=user,
        kind=AccessEvent.Kind.EMAIL_CHANGED,
        client=_client(request),
        detail={
            "from": getattr(from_email_address, "email", None),
            "to": getattr(to_email_address, "email", None),
        },
    )


@receiver(allauth_signals.email_confirmed)
def on_email_confirmed(sender, request, email_address, **kwargs):
    if email_address.user_id:
        services.access_event_record(
            user=email_address.user, kind=AccessEvent.Kind.EMAIL_CONFIRMED, client=_client(request)
        )


@receiver(allauth_signals.authentication_step_completed)
def on_authentication_step(sender, request, user, method, **kwargs):
    # allauth's reauthentication, by password or (allauth.mfa) by a second factor.
    if kwargs.get("reauthenticated"):
        detail = {"method": method, **({"type": str(kwargs["type"])} if kwargs.get("type") else {})}
        services.access_event_record(
            user=user, kind=AccessEvent.Kind.REAUTHENTICATED, client=_client(request), detail=detail
        )


# --- Second factors (allauth.mfa): every change and every use, in the history and by e-mail ------

_ADDED = {
    Authenticator.Type.TOTP: AccessEvent.Kind.MFA_TOTP_ADDED,
    Authenticator.Type.WEBAUTHN: AccessEvent.Kind.MFA_WEBAUTHN_ADDED,
    Authenticator.Type.RECOVERY_CODES: AccessEvent.Kind.MFA_RECOVERY_CODES_GENERATED,
}
_REMOVED = {
    Authenticator.Type.TOTP: AccessEvent.Kind.MFA_TOTP_REMOVED,
    Authenticator.Type.WEBAUTHN: AccessEvent.Kind.MFA_WEBAUTHN_REMOVED,
}


def _mfa_record(request, user, kind, authenticator, **detail):
    event = services.access_event_record(
        user=user, kind=kind, client=_client(request), detail={"tipo": authenticator.type, **detail}
    )
    mfa.forget_status(user)
    mfa.notify(user=user, kind=kind, event=event)
    return event


@receiver(mfa_signals.authenticator_added)
def on_authenticator_added(sender, request, user, authenticator, **kwargs):
    kind = _ADDED.get(authenticator.type)
    if kind is not None:
        name = str(authenticator) if authenticator.type == Authenticator.Type.WEBAUTHN else None
        _mfa_record(request, user, kind, authenticator, **({"nombre": name} if name else {}))


@receiver(mfa_signals.authenticator_removed)
def on_authenticator_removed(sender, request, user, authenticator, **kwargs):
    # Recovery codes go with the last factor: their removal is part of that one's.
    kind = _REMOVED.get(authenticator.type)
    if kind is not None:
        _mfa_record(request, user, kind, authenticator)


@receiver(mfa_signals.authenticator_reset)
def on_authenticator_reset(sender, request, user, authenticator, **kwargs):
    if authenticator.type == Authenticator.Type.RECOVERY_CODES:
        _mfa_record(request, user, AccessEvent.Kind.MFA_RECOVERY_CODES_GENERATED, authenticator)


@receiver(mfa_signals.authenticator_used)
def on_authenticator_used(sender, request, user, authenticator, reauthenticated=False, passwordless=False, **kwargs):
    if authenticator.type == Authenticator.Type.RECOVERY_CODES:
        left = len(Authenticator.objects.get(pk=authenticator.pk).wrap().get_unused_codes())
        _mfa_record(request, user, AccessEvent.Kind.MFA_RECOVERY_CODE_USED, authenticator, quedan=left)
    elif not reauthenticated:
        detail = {"tipo": authenticator.type, **({"sin_contrasena": True} if passwordless else {})}
        services.access_event_record(user=user, kind=AccessEvent.Kind.MFA_LOGIN, client=_client(request), detail=detail)


@receiver(mfa_signals.authentication_failed)
def on_mfa_failed(sender, request, user, authenticator, reauthentication=False, **kwargs):
    detail = {"tipo": authenticator.type, **({"reautenticacion": True} if reauthentication else {})}
    services.access_event_record(user=user, kind=AccessEvent.Kind.MFA_FAILED, client=_client(request), detail=detail)
