"""Views that know every app: the composition root may import any layer, the apps' own views may not."""

from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from registro.accounts.permissions import is_service_desk
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
