"""Checks of the current password outside the login form: changing the username or the password,
on the web and in the API. Each check costs an Argon2 hash (64 MiB), so unthrottled checks let a
stolen session guess the password and load the server. They share one budget per account and per
IP, with the same default as failed logins (`password_check` in ACCOUNT_RATE_LIMITS); a correct
password does not use it up. Logins and allauth's reauthentication already go through the
`login_failed` limit."""

import math
import time

from allauth.core.internal import ratelimit
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import gettext as _

from registro.core.errors import ApplicationError, ErrorCode

from . import services
from .models import AccessEvent, User

APP = "allauth.account"
ACTION = "password_check"


def _key(user: User) -> str:
    return f"user:{user.pk}"


def retry_after(request: HttpRequest, user: User) -> int:
    """Seconds until the budget has room again (at least 1)."""
    now, wait = time.time(), 0.0
    for rate in ratelimit.get_rates(app=APP, action=ACTION):
        cache_key = ratelimit.get_cache_key(request, app=APP, action=ACTION, rate=rate, key=_key(user))
        live = [ts for ts in cache.get(cache_key, []) if ts > now - rate.duration]
        if len(live) >= rate.amount:
            # Newest first: a slot frees up when the amount-th newest attempt leaves the window.
            wait = max(wait, live[rate.amount - 1] + rate.duration - now)
    return max(1, math.ceil(wait))


def too_many_attempts(request: HttpRequest, user: User) -> ApplicationError:
    seconds = retry_after(request, user)
    minutes = max(1, math.ceil(seconds / 60))
    message = _(
        "Demasiados intentos fallidos con la contraseña actual. Por seguridad, espere %(minutes)d minuto(s) "
        "e intente de nuevo."
    ) % {"minutes": minutes}
    return ApplicationError(ErrorCode.TOO_MANY_ATTEMPTS, message, detail={"retry_after": seconds}, status=429)


def current_password_check(request: HttpRequest, user: User, password: str) -> bool:
    """Whether `password` is the user's current one. Raises ApplicationError (429,
    `too_many_attempts`) without computing the hash once the budget is spent."""
    usage = ratelimit.consume(request, app=APP, action=ACTION, key=_key(user))
    if usage is None:
        services.access_event_record(
            user=user,
            kind=AccessEvent.Kind.PASSWORD_CHECK_BLOCKED,
            client=services.ClientInfo.from_request(request),
        )
        raise too_many_attempts(request, user)
    if password and user.check_password(password):
        usage.rollback()
        return True
    return False
