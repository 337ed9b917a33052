from allauth.account.adapter import DefaultAccountAdapter
from allauth.mfa.adapter import DefaultMFAAdapter
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext as _

from registro.core.network import client_ip
from registro.notifications.services import email_queue_message

from . import devices, mfa, reauthentication, selectors, services
from .models import AccessEvent


class AccountAdapter(DefaultAccountAdapter):
    def send_mail(self, template_prefix: str, email: str, context: dict) -> None:
        # Rendered now (the request is here), sent by the worker after the transaction commits.
        from allauth.core import context as allauth_context
        from django.contrib.sites.shortcuts import get_current_site

        request = allauth_context.request
        user = context.get("user")
        if template_prefix == "account/email/email_confirmation" and user is not None and user.pk:
            # Resent to someone who never finished registering: it is still "Confirmar registro".
            if not selectors.terms_latest_acceptance(user=user):
                template_prefix = "account/email/email_confirmation_signup"
        ctx = {"request": request, "email": email, "current_site": get_current_site(request)}
        ctx.update(context)
        message = self.render_mail(template_prefix, email, ctx)
        email_queue_message(message=message, template=template_prefix)

    def get_login_redirect_url(self, request) -> str:
        # A role that needs a second factor, and none yet: straight to setting one up (during the
        # grace too; the banner then lets them go on).
        state = mfa.status(request.user)
        if state.required and not state.compliant:
            return mfa.setup_url()
        return super().get_login_redirect_url(request)

    def get_client_ip(self, request) -> str:
        # allauth's rate limits ask here: the proxy-aware address, the same the history records.
        ip = client_ip(request)
        if not ip:
            raise PermissionDenied("Unable to determine client IP address")
        return ip

    def _get_login_attempts_cache_key(self, request, **credentials) -> str:
        key = super()._get_login_attempts_cache_key(request, **credentials)
        login = credentials.get("email", credentials.get("username", ""))
        user = selectors.user_get_by_login(login=login) if devices.device_for(request) else None
        device_id = devices.trusted_device_id(request, user.pk) if user else None
        return f"{key}:device:{device_id}" if device_id else key

    def pre_authenticate(self, request, **credentials) -> None:
        try:
            super().pre_authenticate(request, **credentials)
        except Exception:
            login = credentials.get("email", credentials.get("username", ""))
            user = selectors.user_get_by_login(login=login)
            services.access_event_record(
                user=user,
                kind=AccessEvent.Kind.LOGIN_BLOCKED,
                client=services.ClientInfo.from_request(request),
                identifier="" if user else login,
            )
            raise

    def respond_email_verification_sent(self, request, user):
        if request.path == reverse("account_login"):
            messages.warning(
                request,
                _(
                    "Su usuario aún no está confirmado. Le enviamos de nuevo el correo de confirmación: "
                    "siga el enlace que contiene (revise también la carpeta de correo no deseado o spam)."
                ),
            )
        return super().respond_email_verification_sent(request, user)

    def is_reauthentication_required(self, *, app: str, **kwargs) -> bool:
        # allauth's own checks (the e-mail change; allauth.mfa's factor changes): a sign-in within
        # the window is as recent a proof as a reauthentication, as for our sensitive actions.
        from allauth.core import context as allauth_context

        if not super().is_reauthentication_required(app=app, **kwargs):
            return False
        request = allauth_context.request
        return request is None or not reauthentication.signed_in_recently(request)


class MFAAdapter(DefaultMFAAdapter):
    def generate_authenticator_name(self, user, type) -> str:
        from allauth.mfa.models import Authenticator

        n = Authenticator.objects.filter(user_id=user.pk, type=type).count()
        return _("Llave de seguridad %(n)s") % {"n": n + 1}

    def get_totp_label(self, user) -> str:
        # The authenticator app lists the account by its username, which is how people log in.
        return user.username
