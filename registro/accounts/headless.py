"""Our additions to allauth's headless authentication API (`/api/v1/auth/`): its OpenAPI description
as JSON and YAML, signup in one transaction, the password change under the password-check limit and
keeping the caller's token, the password reset request answering alike for unknown addresses, and
the phone endpoints answered 404."""

import json

from allauth.account.adapter import get_adapter as get_account_adapter
from allauth.core import context as allauth_context
from allauth.headless.account.inputs import ChangePasswordInput as HeadlessChangePasswordInput
from allauth.headless.account.views import ChangePasswordView as HeadlessChangePasswordView
from allauth.headless.account.views import RequestPasswordResetView as HeadlessRequestPasswordResetView
from allauth.headless.account.views import SignupView as HeadlessSignupView
from allauth.headless.constants import Client
from allauth.headless.internal.restkit import inputs
from allauth.headless.internal.restkit.response import APIResponse
from allauth.headless.spec.internal.schema import get_schema
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.http import HttpResponse, JsonResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from registro.core.errors import ApplicationError, ErrorCode

from . import passwords
from .forms import RecuperarContrasenaForm


def _auth_schema() -> dict:
    # Our signup form's labels are lazy translations; render them before serialising.
    return json.loads(json.dumps(get_schema(), cls=DjangoJSONEncoder))


@require_GET
def auth_openapi_json(request):
    return HttpResponse(
        json.dumps(_auth_schema(), ensure_ascii=False),
        content_type="application/vnd.oai.openapi+json; charset=utf-8",
    )


@require_GET
def auth_openapi_yaml(request):
    import yaml

    return HttpResponse(
        yaml.safe_dump(_auth_schema(), allow_unicode=True), content_type="application/vnd.oai.openapi; charset=utf-8"
    )


class AtomicSignupView(HeadlessSignupView):
    """allauth's headless signup in one transaction, like the web form: when a simultaneous
    registration wins the race for the same username, e-mail or document, nothing is left behind
    and the client gets a 400 instead of a server error."""

    def post(self, request, *args, **kwargs):
        try:
            with transaction.atomic():
                return super().post(request, *args, **kwargs)
        except IntegrityError:
            message = _(
                "Otra persona acaba de registrar el mismo nombre de usuario, correo electrónico o documento. "
                "Revise sus datos e intente de nuevo."
            )
            return JsonResponse({"status": 400, "errors": [{"message": message, "code": "conflict"}]}, status=400)


def phone_not_supported(request, *args, **kwargs):
    """allauth's headless API mounts phone endpoints (SMS verification) whatever the settings; the
    phone here is a profile field (`/api/v1/me`), not a login method, so they answer 404."""
    return JsonResponse(
        {"status": 404, "errors": [{"message": _("El teléfono no es un método de autenticación en esta plataforma.")}]},
        status=404,
    )


class ChangePasswordInput(HeadlessChangePasswordInput):
    """The current password checked under the password-check limit (accounts/passwords.py)."""

    retry_after: int | None = None

    def clean_current_password(self):
        password = self.cleaned_data["current_password"]
        if password:
            try:
                ok = passwords.current_password_check(allauth_context.request, self.user, password)
            except ApplicationError as exc:
                self.retry_after = exc.detail.get("retry_after")
                raise ValidationError(exc.message, code=exc.code) from None
            if not ok:
                raise get_account_adapter().validation_error("enter_current_password")
        return password


class ChangePasswordView(HeadlessChangePasswordView):
    """allauth's password change with two differences: wrong current passwords are limited like
    failed logins (429 once the budget is spent), and an app client keeps its session token. Other
    sessions still end, because their stored password hash no longer matches."""

    input_class = ChangePasswordInput

    def handle_invalid_input(self, input):
        if input.retry_after is None:
            return super().handle_invalid_input(input)
        errors = [
            {"message": str(message), "code": ErrorCode.TOO_MANY_ATTEMPTS}
            for message in input.errors.get("current_password", [])
        ]
        response = APIResponse(self.request, errors=errors, status=429)
        response["Retry-After"] = str(input.retry_after)
        return response

    def post(self, request, *args, **kwargs):
        if request.allauth.headless.client != Client.APP:
            # The browser's cookie follows the rotated session by itself.
            return super().post(request, *args, **kwargs)
        token = request.session.session_key
        # Django's update_session_auth_hash() rotates the session key, which is the app's token:
        # keep the key and store the new hash only.
        request.session.cycle_key = lambda: None
        try:
            response = super().post(request, *args, **kwargs)
        finally:
            del request.session.cycle_key
        body = json.loads(response.content)
        # Clients that switch to the token in the answer (as before) keep working.
        body.setdefault("meta", {})["session_token"] = token
        fresh = JsonResponse(body, status=response.status_code)
        add_never_cache_headers(fresh)
        return fresh


class RequestPasswordResetInput(RecuperarContrasenaForm, inputs.Input):
    pass


class RequestPasswordResetView(HeadlessRequestPasswordResetView):
    """The same answer for a registered and an unknown address, like the web form (ADR 0004)."""

    input_class = RequestPasswordResetInput
