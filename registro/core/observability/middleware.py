"""First in MIDDLEWARE: every request gets an id, is timed, counted in the metrics and logged once
(logger `registro.request`) with its method, path, status, duration, user and acting account."""

import logging
import re
import time
import uuid

from django.conf import settings

from registro.core.network import is_trusted_proxy

from . import context, metrics
from .logs import loggable_path

logger = logging.getLogger("registro.request")

HEADER = "X-Request-ID"
# What a proxy may hand us as an id: short, and nothing that could forge a log line.
_VALID_ID = re.compile(r"^[A-Za-z0-9._:@-]{1,128}$")


def request_id_for(request) -> str:
    given = request.headers.get(HEADER, "")
    if given and _VALID_ID.match(given) and is_trusted_proxy(request.META.get("REMOTE_ADDR")):
        return given
    return uuid.uuid4().hex


def _view_name(request) -> str:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return "unresolved"  # 404s and requests answered before URL resolution: one label, not one per path
    return match.view_name or match.route or "unnamed"


def user_id(request, *, load: bool = True):
    """The user of the API token or the session. With `load=False` only one already looked up
    (a log record written mid-request must not query the database)."""
    user = getattr(request, "auth", None)
    if user is None:
        user = getattr(request, "user", None) if load else getattr(request, "_cached_user", None)
    if user is not None and getattr(user, "is_authenticated", False):
        return user.pk
    return None


class RequestObservabilityMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_for(request)
        request.request_id = request_id
        started = time.perf_counter()
        context.start(request_id=request_id, request=request)
        response = self.get_response(request)
        seconds = time.perf_counter() - started
        user = user_id(request)
        context.bind(user_id=user)
        response[HEADER] = request_id
        if settings.SERVER_TIMING:
            response["Server-Timing"] = f"app;dur={seconds * 1000:.1f}"
        metrics.observe_request(
            method=request.method, view=_view_name(request), status=response.status_code, seconds=seconds
        )
        path = loggable_path(request)
        # The same dict as gunicorn's environ: its access log (deploy/gunicorn.conf.py) writes this path.
        request.META["registro.log_path"] = path
        logger.info(
            "%s %s %s",
            request.method,
            path,
            response.status_code,
            extra={
                "method": request.method,
                "path": path,
                "status": response.status_code,
                "duration_ms": round(seconds * 1000, 1),
                "user_id": user,
                "account_id": context.current().get("account_id"),
            },
        )
        return response
