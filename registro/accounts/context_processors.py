from .permissions import is_service_desk


def roles(request):
    """The header's link to the Mesa de Servicio, for its members only."""
    return {"IS_SERVICE_DESK": is_service_desk(getattr(request, "user", None))}
