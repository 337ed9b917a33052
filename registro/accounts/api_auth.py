"""The API's authentication, in accounts because every app's router needs it and accounts sits below
every domain app; the API's root (config/api.py) only mounts the routers.

An operation declares who may call it with its `auth`: `user_auth` (any active user: the terms
endpoints themselves) or `terms_auth` (an active user who has accepted the current terms, R1.5),
or a list built by `authenticated(...)` with its own checks. Every one also refuses, with 403
`mfa_required`, a user who must set up a second factor first (`second_factor`, ADR 0017). A check
raises ApplicationError; ninja
answers it through the API's exception handlers, in the error envelope, before the handler runs."""

from collections.abc import Callable

from allauth.headless.internal.sessionkit import authenticate_by_x_session_token
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import APIKeyHeader, SessionAuth

from registro.core.errors import ApplicationError, ErrorCode

from . import mfa, permissions

Check = Callable[..., None]


def current_terms(user) -> None:
    """The user has accepted the current version of the terms; the web pages redirect instead
    (middleware.TermsAcceptanceMiddleware)."""
    if not permissions.has_accepted_current_terms(user):
        raise ApplicationError(
            ErrorCode.TERMS_NOT_ACCEPTED,
            _("Debe aceptar los términos y condiciones vigentes antes de continuar (POST /api/v1/me/terms)."),
            status=403,
        )


def second_factor(request: HttpRequest, user) -> None:
    """Every operation not declared unprivileged (mfa.UNPRIVILEGED_VIEWS) refuses a user whose role
    needs a second factor and whose grace is over; declared on every operation by `authenticated`,
    after its own checks (so the desk's stay 404 to anyone else)."""
    if not mfa.request_is_unprivileged(request) and mfa.status(user).blocked:
        raise mfa.api_refusal()


def _checked(request: HttpRequest, user, checks: tuple[Check, ...]):
    if user is None or not user.is_active:
        return None
    for check in checks:
        check(user)
    second_factor(request, user)
    return user


# The classes' names are the security schemes' names in the OpenAPI description: one pair of
# classes, whatever the checks, keeps it at two schemes.
class ActiveUserSessionAuth(SessionAuth):
    """The browser's session cookie (CSRF checked)."""

    def __init__(self, *checks: Check):
        super().__init__()
        self.checks = checks

    def authenticate(self, request: HttpRequest, key):
        return _checked(request, super().authenticate(request, key), self.checks)


class ActiveUserTokenAuth(APIKeyHeader):
    """allauth's X-Session-Token, as issued by POST /api/v1/auth/app/v1/auth/login. An API-key header
    scheme, so the OpenAPI description says where the token goes (allauth's own class declares
    no `in` nor `name`, which makes the document invalid); allauth still checks the token."""

    param_name = "X-Session-Token"

    def __init__(self, *checks: Check):
        super().__init__()
        self.checks = checks

    def authenticate(self, request: HttpRequest, key: str | None):
        found = authenticate_by_x_session_token(key) if key else None
        if found is None:
            return None
        user, session = found
        # The token's session, not the cookie's: its sign-in and reauthentications
        # (reauthentication.py) and which of the user's sessions is the caller's (sessions.py).
        request.auth_session = session
        checked = _checked(request, user, self.checks)
        if checked is not None:
            # allauth's middleware tracks the cookie's session only; the token's "last activity".
            from .sessions import session_touch

            session_touch(request, session.session_key)
        return checked


def authenticated(*checks: Check) -> list:
    """Token or session, for an active user who passes `checks`, in order."""
    return [ActiveUserTokenAuth(*checks), ActiveUserSessionAuth(*checks)]


user_auth = authenticated()
terms_auth = authenticated(current_terms)
