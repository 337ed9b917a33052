from django.db import connection
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


@require_GET
def home(request):
    """Where "Entrar" leads: the desktop of the entity the user acts for once it is active (R4.4),
    section 3 for a user without one (R5.4), the queue for the desk."""
    if not request.user.is_authenticated:
        return render(request, "core/home.html")
    from registro.accounts.permissions import is_service_desk
    from registro.entities.account.models import Entidad
    from registro.entities.membership import acting

    membresia = acting.acting_membership(request.user)
    if membresia is not None and membresia.entidad.estado == Entidad.Estado.ACTIVA:
        return redirect("console:escritorio")
    if membresia is None and is_service_desk(request.user):
        return redirect("servicedesk:cola")
    return redirect("entities:landing")


@never_cache
@require_GET
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # any database failure means "not healthy"
        return JsonResponse({"status": "error", "database": "unavailable"}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})
