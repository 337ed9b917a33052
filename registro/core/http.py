"""What web views share with the API's guards: a guard raises `ApplicationError` (the API's
envelope shows it); a page turns a not-found into Django's 404 page."""

from django.http import Http404

from .errors import ApplicationError


def or_404(guard, *args, **kwargs):
    """Runs `guard` for a page: a 404 `ApplicationError` becomes `Http404`."""
    try:
        return guard(*args, **kwargs)
    except ApplicationError as exc:
        if exc.status_code == 404:
            raise Http404(exc.message) from exc
        raise
