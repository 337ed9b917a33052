"""Feeds "Accesos del usuario" from Django's and allauth's authentication signals."""

from allauth.account import signals as allauth_signals
from django.contrib.auth import signals as auth_signals
from django.dispatch import receiver

from . import devices, metrics, selectors, services
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


@receiver(allauth_signals.password_changed)
def on_password_changed(sender, request, user, **kwargs):
    services.access_event_record(user=user, kind=AccessEvent.Kind.PASSWORD_CHANGED, client=_client(request))


@receiver(allauth_signals.password_set)
def on_password_set(sender, request, user, **kwargs):
    services.access_event_record(user=user, kind=AccessEvent.Kind.PASSWORD_CHANGED, client=_client(request))


@receiver(allauth_signals.password_reset)
def on_password_reset(sender, request, user, **kwargs):
    services.access_event_record(user=user, kind=AccessEvent.Kind.PASSWORD_RESET, client=_client(request))


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
