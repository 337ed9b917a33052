"""The public API's per-IP budget for anonymous clients, counted in the cache with allauth's rate
limiter, as the login limits are (so it holds across web workers, and on Redis at scale). The rate
is `RATE_LIMIT_PUBLIC_API` (allauth's syntax, e.g. "120/m/ip"); empty turns it off. The client's
address is `registro.core.network.client_ip`, through the account adapter."""

import math
import time

from allauth.core.internal import ratelimit
from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import gettext as _

from registro.core.errors import ApplicationError, ErrorCode

APP = "registro.publico"
ACTION = "api"


def _config() -> dict[str, str]:
    return {ACTION: settings.RATE_LIMIT_PUBLIC_API}


def retry_after(request: HttpRequest) -> int:
    now, wait = time.time(), 0.0
    for rate in ratelimit.get_rates(app=APP, action=ACTION, config=_config()):
        key = ratelimit.get_cache_key(request, app=APP, action=ACTION, rate=rate)
        live = [ts for ts in cache.get(key, []) if ts > now - rate.duration]
        if len(live) >= rate.amount:
            wait = max(wait, live[rate.amount - 1] + rate.duration - now)
    return max(1, math.ceil(wait))


def anonymous_request_count(request: HttpRequest) -> None:
    """Counts an anonymous request; raises ApplicationError 429 (with `retry_after`) once the
    budget is spent. Logged-in users are not counted."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return
    if ratelimit.consume(request, app=APP, action=ACTION, config=_config(), limit_get=True) is None:
        seconds = retry_after(request)
        raise ApplicationError(
            ErrorCode.TOO_MANY_ATTEMPTS,
            _("Demasiadas consultas desde su dirección. Espere %(s)d segundos e intente de nuevo.") % {"s": seconds},
            detail={"retry_after": seconds},
            status=429,
        )
