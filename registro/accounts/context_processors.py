from . import mfa
from .permissions import is_service_desk


def roles(request):
    """The header's link to the Mesa de Servicio, for its members only."""
    return {"IS_SERVICE_DESK": is_service_desk(getattr(request, "user", None))}


def second_factor(request):
    """The banner counting down the grace to set up a second factor, on every page."""
    user = getattr(request, "user", None)
    state = mfa.status(user) if user is not None and user.is_authenticated else mfa.NOT_REQUIRED
    return {"MFA_STATUS": state}
