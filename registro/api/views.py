import json

from allauth.headless.spec.internal.schema import get_schema
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
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
