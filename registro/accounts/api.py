from django.conf import settings
from ninja import Router, Status
from ninja.pagination import paginate

from registro.core.api import Pagination

from . import selectors, services, sessions
from .api_auth import terms_auth, user_auth
from .models import DocumentType
from .schemas import (
    AccessEventOut,
    ChoiceOut,
    ProfileIn,
    ProfileOut,
    SessionOut,
    SessionsEndedOut,
    TermsAcceptIn,
    TermsStatusOut,
    UsernameChangeIn,
)
from .timezones import time_zone_choices

router = Router(tags=["Usuario"])
reference_router = Router(tags=["Referencia"])


@router.get("/me", response=ProfileOut, auth=terms_auth, summary="Configuración del usuario: datos personales")
def me(request):
    return request.auth


@router.patch("/me", response=ProfileOut, auth=terms_auth, summary="Editar datos personales")
def me_update(request, payload: ProfileIn):
    user = request.auth
    data = {field: getattr(user, field) for field in ProfileIn.model_fields}
    data.update(payload.dict(exclude_unset=True, exclude_none=True))
    return services.user_update_profile(user=user, data=data, client=services.ClientInfo.from_request(request))


@router.post("/me/username", response=ProfileOut, auth=terms_auth, summary="Cambiar el nombre de usuario")
def me_change_username(request, payload: UsernameChangeIn):
    return services.user_change_username(
        user=request.auth,
        new_username=payload.new_username,
        current_password=payload.current_password,
        client=services.ClientInfo.from_request(request),
        request=request,
        keep_session=request.user.is_authenticated and request.user.pk == request.auth.pk,
    )


@router.get(
    "/me/access-events", response=list[AccessEventOut], auth=terms_auth, summary="Accesos del usuario: historial"
)
@paginate(Pagination, page_size=25)
def me_access_events(request):
    return selectors.access_event_list(user=request.auth)


@router.get("/me/sessions", response=list[SessionOut], auth=terms_auth, summary="Accesos del usuario: sesiones activas")
def me_sessions(request):
    """Every session of the user (browsers and API clients), the caller's own first (`is_current`),
    then the most recently active."""
    return sessions.session_list(user=request.auth, current_key=sessions.current_session_key(request))


@router.delete(
    "/me/sessions/{int:session_id}", response={204: None}, auth=terms_auth, summary="Cerrar una de las demás sesiones"
)
def me_session_end(request, session_id: int):
    """Whoever used it must log in again; recorded in the access history. Another user's session,
    or one already ended, is 404; the caller's own session is 409 (log out with
    `DELETE /api/v1/auth/{app|browser}/v1/auth/session`)."""
    sessions.session_end(
        user=request.auth,
        session_id=session_id,
        current_key=sessions.current_session_key(request),
        client=services.ClientInfo.from_request(request),
    )
    return Status(204, None)


@router.post("/me/sessions/end-others", response=SessionsEndedOut, auth=terms_auth, summary="Cerrar las demás sesiones")
def me_sessions_end_others(request):
    """Every session of the user but the caller's; recorded in the access history."""
    ended = sessions.sessions_end_others(
        user=request.auth,
        current_key=sessions.current_session_key(request),
        client=services.ClientInfo.from_request(request),
    )
    return {"ended": ended}


@router.get("/me/terms", response=TermsStatusOut, auth=user_auth, summary="Estado de aceptación de los términos")
def me_terms(request):
    version = selectors.terms_current_version()
    latest = selectors.terms_latest_acceptance(user=request.auth)
    accepted = latest is not None and latest.version == version
    return {
        "current_version": version,
        "accepted": accepted,
        "accepted_at": latest.accepted_at if accepted else None,
        "terms_url": settings.TERMS_URL,
    }


@router.post(
    "/me/terms", response=TermsStatusOut, auth=user_auth, summary="Aceptar los términos y condiciones vigentes"
)
def me_accept_terms(request, payload: TermsAcceptIn):
    acceptance = services.terms_accept(
        user=request.auth, version=payload.version, client=services.ClientInfo.from_request(request)
    )
    return {
        "current_version": acceptance.version,
        "accepted": True,
        "accepted_at": acceptance.accepted_at,
        "terms_url": settings.TERMS_URL,
    }


@reference_router.get("/document-types", response=list[ChoiceOut], auth=None, summary="Tipos de documento")
def document_types(request):
    return [{"value": value, "label": str(label)} for value, label in DocumentType.choices]


@reference_router.get("/time-zones", response=list[ChoiceOut], auth=None, summary="Zonas horarias")
def time_zones(request):
    return [{"value": value, "label": label} for value, label in time_zone_choices()]
