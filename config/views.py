"""Views that know every app: the composition root may import any layer, the apps' own views may not."""

from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views import defaults
from django.views.decorators.http import require_GET

from registro.accounts.permissions import is_service_desk
from registro.core.api import error_body, unreadable_body
from registro.entities.account.models import Entidad
from registro.entities.membership import acting


@require_GET
def home(request):
    """Where "Entrar" leads: the desktop of the entity the user acts for once it is active (R4.4),
    section 3 for a user without one (R5.4), the queue for the desk."""
    if not request.user.is_authenticated:
        return render(request, "core/home.html")
    membresia = acting.acting_membership(request.user)
    if membresia is not None and membresia.entidad.estado == Entidad.Estado.ACTIVA:
        return redirect("console:escritorio")
    if membresia is None and is_service_desk(request.user):
        return redirect("servicedesk:cola")
    return redirect("entities:landing")


def bad_request(request, exception):
    """Django's 400 (a body it refused to read outside the ninja API, a suspicious request) in JSON
    under /api/: allauth's error shape in its authentication API, our envelope in the rest."""
    if not request.path_info.startswith("/api/"):
        return defaults.bad_request(request, exception)
    status, code, message = unreadable_body(exception)
    if request.path_info.startswith("/api/v1/auth/"):
        return JsonResponse({"status": status, "errors": [{"message": message, "code": code}]}, status=status)
    return JsonResponse(error_body(code, message), status=status)
