"""The operators' endpoints. `/healthz` (registro.core.views) stays the liveness probe."""

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from . import access, health, metrics


@never_cache
@require_GET
def health_report(request):
    """200 when every component answers, 503 otherwise. The components and their errors only for
    a HEALTH_TOKEN bearer or a HEALTH_TRUSTED_IPS address; everyone else (a public load balancer)
    gets the overall status alone."""
    report = health.report()
    healthy = all(entry["status"] == "ok" for entry in report.values())
    body: dict = {"status": "ok" if healthy else "error"}
    if access.allowed(request, token=settings.HEALTH_TOKEN, trusted=settings.HEALTH_TRUSTED_IPS):
        body["checks"] = report
    return JsonResponse(body, status=200 if healthy else 503)


@never_cache
@require_GET
def metrics_view(request):
    """Prometheus' text format, for a METRICS_TOKEN bearer or a METRICS_TRUSTED_IPS address; 404
    for anyone else, and for everyone when neither is configured."""
    if not access.allowed(request, token=settings.METRICS_TOKEN, trusted=settings.METRICS_TRUSTED_IPS):
        raise Http404
    body, content_type = metrics.render()
    return HttpResponse(body, content_type=content_type)
