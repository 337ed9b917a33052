"""Refusals the API makes before any view runs, in its error envelope."""

from django.http import JsonResponse
from django.utils.translation import gettext as _

from .api import error_body, invalid_text_errors, is_api
from .errors import ErrorCode


class ApiTextMiddleware:
    """Under /api/, a NUL or a lone surrogate in the path, a header or a cookie is a 422, before the
    session, the token or a path parameter reaches the database (PostgreSQL refuses NUL with a
    server error). ninja's parser (`TextCheckingParser`) checks the query and the body."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if is_api(request):
            errors = invalid_text_errors(request.path_info, ("path",))
            for name, value in request.headers.items():
                errors += invalid_text_errors(value, ("header", name))
            errors += invalid_text_errors(request.COOKIES, ("cookie",))
            if errors:
                body = error_body(ErrorCode.VALIDATION, _("Revise los datos enviados."), {"errors": errors})
                return JsonResponse(body, status=422)
        return self.get_response(request)
