"""Our additions to allauth's headless authentication API (`/api/v1/auth/`): its OpenAPI description
as JSON and YAML, signup in one transaction, and the phone endpoints answered 404."""

import json

from allauth.headless.account.views import SignupView as HeadlessSignupView
from allauth.headless.spec.internal.schema import get_schema
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET


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
