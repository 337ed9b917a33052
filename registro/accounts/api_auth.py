"""The API's authentication, in accounts because every app's router needs it and accounts sits below
every domain app; the API's root (config/api.py) only mounts the routers."""

from allauth.headless.contrib.ninja.security import XSessionTokenAuth
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import SessionAuth

from registro.core.errors import ApplicationError, ErrorCode

from . import permissions


class ActiveUserSessionAuth(SessionAuth):
    """The browser's session cookie (CSRF checked)."""

    def authenticate(self, request: HttpRequest, key):
        user = super().authenticate(request, key)
        return user if user is not None and user.is_active else None


class ActiveUserTokenAuth(XSessionTokenAuth):
    """allauth's X-Session-Token, as issued by POST /api/v1/auth/app/v1/auth/login."""

    def __call__(self, request: HttpRequest):
        user = super().__call__(request)
        return user if user is not None and user.is_active else None


user_auth = [ActiveUserTokenAuth(), ActiveUserSessionAuth()]


def require_terms(request: HttpRequest) -> None:
    if not permissions.has_accepted_current_terms(request.auth):
        raise ApplicationError(
            ErrorCode.TERMS_NOT_ACCEPTED,
            _("Debe aceptar los términos y condiciones vigentes antes de continuar (POST /api/v1/me/terms)."),
            status=403,
        )
