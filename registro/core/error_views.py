"""The site's error pages: Spanish templates in the site's layout (templates/400.html, 403.html,
404.html, 500.html), and under /api/ the API's JSON envelope instead of an HTML page, so a client
of the API never has to parse HTML."""

from django.http import JsonResponse
from django.utils.translation import gettext as _
from django.views import defaults

from .api import error_body, is_api, unreadable_body


def _json(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse(error_body(code, message), status=status, json_dumps_params={"ensure_ascii": False})


def bad_request(request, exception=None):
    """Django's 400 (a body it refused to read outside the ninja API, a suspicious request) in JSON
    under /api/: allauth's error shape in its authentication API, our envelope in the rest."""
    if not is_api(request):
        return defaults.bad_request(request, exception)
    status, code, message = unreadable_body(exception)
    if request.path_info.startswith("/api/v1/auth/"):
        return JsonResponse({"status": status, "errors": [{"message": message, "code": code}]}, status=status)
    return JsonResponse(error_body(code, message), status=status)


def permission_denied(request, exception=None):
    if is_api(request):
        return _json(403, "permission_denied", _("No tiene permiso para hacer esto."))
    return defaults.permission_denied(request, exception)


def page_not_found(request, exception=None):
    if is_api(request):
        return _json(404, "not_found", _("No existe lo que busca, o no está a su alcance."))
    return defaults.page_not_found(request, exception)


def server_error(request):
    if is_api(request):
        return _json(500, "server_error", _("Algo falló de nuestro lado; intente de nuevo en unos minutos."))
    return defaults.server_error(request)


def csrf_failure(request, reason=""):
    """A form whose CSRF mark did not arrive: the Spanish page (templates/403_csrf.html); under
    /api/ ninja turns the refusal into its own 403 `csrf_failed`, so no page is rendered there."""
    if is_api(request):
        return _json(403, "csrf_failed", _("Falta la verificación CSRF de la sesión."))
    return defaults.permission_denied(request, None, template_name="403_csrf.html")
