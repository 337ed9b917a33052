"""Authorisation rules for a user's own account. Each view and API operation names the rule it
applies; a whole-project test checks that every URL has one."""

from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef
from django.http import HttpRequest

from . import selectors
from .backends import register_request_fact


def is_authenticated(request: HttpRequest) -> bool:
    return bool(getattr(request, "user", None) and request.user.is_authenticated)


def can_manage_own_account(request: HttpRequest) -> bool:
    """A logged-in user manages only their own data and history: handlers never take a user id."""
    return is_authenticated(request) and request.user.is_active


def has_accepted_current_terms(user) -> bool:
    return selectors.terms_is_accepted(user=user)


SERVICE_DESK_GROUP = "Mesa de Servicio"


def is_service_desk(user) -> bool:
    """A member of the Mesa de Servicio: a role outside any entity (group "Mesa de Servicio",
    managed in Django admin or created with `manage.py create_service_desk_user`)."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    cached = getattr(user, "_is_service_desk", None)
    if cached is None:
        in_group = getattr(user, IN_SERVICE_DESK_GROUP, None)
        if in_group is None:
            in_group = _desk_group(user.pk).exists()
        cached = user.is_superuser or in_group
        user._is_service_desk = cached
    return cached


def _desk_group(usuario):
    return Group.objects.filter(name=SERVICE_DESK_GROUP, user=usuario)


# Read with the request's user by the authentication backend (registro.accounts.backends).
IN_SERVICE_DESK_GROUP = "_in_service_desk_group"
register_request_fact(IN_SERVICE_DESK_GROUP, lambda: Exists(_desk_group(OuterRef("pk"))))
