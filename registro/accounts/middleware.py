import zoneinfo

from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from . import devices, mfa, selectors


class UserTimezoneMiddleware:
    """Shows every time in the user's own time zone (R1.3); the default one otherwise."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.time_zone:
            try:
                timezone.activate(zoneinfo.ZoneInfo(user.time_zone))
            except (zoneinfo.ZoneInfoNotFoundError, ValueError):
                timezone.deactivate()
        else:
            timezone.deactivate()
        response = self.get_response(request)
        devices.write_cookie(request, response)
        return response


SESSION_KEY = "registro_terms_version"
EXEMPT_PREFIXES = ("/cuentas/", "/static/", "/healthz", "/health/", "/metrics", "/api/", "/dev/correos/", "/admin/")


class TermsAcceptanceMiddleware:
    """Sends a logged-in user who has not accepted the current terms to accept them (R1.5). The API
    answers `terms_not_accepted` on its own."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not request.path.startswith(EXEMPT_PREFIXES):
            version = selectors.terms_current_version()
            if request.session.get(SESSION_KEY) != version:
                if not selectors.terms_is_accepted(user=user, version=version):
                    return redirect(f"{reverse('accounts_terms')}?{urlencode({'next': request.get_full_path()})}")
                request.session[SESSION_KEY] = version
        return self.get_response(request)


class SecondFactorRequiredMiddleware:
    """Holds a user whose role needs a second factor, once their grace is over, at the setup page:
    every privileged page redirects there (mfa.UNPRIVILEGED_VIEWS says what is not). The ninja API
    refuses on its own (api_auth, 403 `mfa_required`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or request.path.startswith("/api/"):
            return None
        if mfa.request_is_unprivileged(request) or not mfa.status(user).blocked:
            return None
        return redirect(f"{mfa.setup_url()}?{urlencode({'next': request.get_full_path()})}")


class ReauthenticationPromptMiddleware:
    """Says on allauth's reauthentication page which sensitive action it confirms. Listed after
    allauth's AccountMiddleware, so it sees the exception first and leaves the redirect (and the
    POST kept for afterwards) to allauth."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        from django.contrib import messages

        from .reauthentication import SensitiveActionReauthenticationRequired, prompt_message

        if isinstance(exception, SensitiveActionReauthenticationRequired):
            messages.info(request, prompt_message(exception.action))
        return None
