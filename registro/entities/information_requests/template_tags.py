"""The Directorio's "Invitar a una solicitud de información" forms, rendered by tags the directory's
templates load (library `solicitudes_informacion`, config/settings.py): the directory stays below
information requests (it never imports them) and shows these only where its view allows
(`puede_invitar`: an active Entidad Estatal's user holding the permission)."""

from django import template
from django.conf import settings

from registro.entities.directory.forms import SEARCH_FIELDS
from registro.entities.information_requests import selectors

register = template.Library()


def _abiertas(context) -> list:
    """The acting entity's open requests, read once per page however many tags ask."""
    request = context["request"]
    if not hasattr(request, "_solicitudes_abiertas"):
        request._solicitudes_abiertas = selectors.solicitudes_abiertas(context["acting"].entidad)
    return request._solicitudes_abiertas


@register.inclusion_tag("entities/information_requests/_invitar_perfil.html", takes_context=True)
def invitar_perfil(context, cuenta):
    """On a profile: the entity's open requests, to invite this account (if it supplies)."""
    entidad = context["acting"].entidad
    return {
        "cuenta": cuenta,
        "invitable": cuenta.actua_como_proveedor and cuenta.pk != entidad.pk,
        "solicitudes": _abiertas(context),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("entities/information_requests/_invitar_resultados.html", takes_context=True)
def invitar_resultados(context, pagina):
    """Above the results: the open requests, and the search itself (its filters, not its page) as
    hidden fields, so that "invitar a todos los resultados" is computed again on the server."""
    request = context["request"]
    cap = settings.SOLICITUD_INVITACIONES_MANUALES_MAX
    return {
        "solicitudes": _abiertas(context),
        "busqueda": [(name, value) for name in SEARCH_FIELDS for value in request.GET.getlist(name)],
        "tope": cap,
        "excede": not pagina.total_exacto or pagina.total > cap,
        "csrf_token": context.get("csrf_token"),
    }


@register.simple_tag(takes_context=True)
def hay_solicitudes_abiertas(context) -> bool:
    """Whether the results get their checkboxes: only when there is a request to invite to."""
    return bool(_abiertas(context))
