"""Authorisation rules for a user's own account. Each view and API operation names the rule it
applies; a whole-project test checks that every URL has one."""

from django.http import HttpRequest

from . import selectors


def is_authenticated(request: HttpRequest) -> bool:
    return bool(getattr(request, "user", None) and request.user.is_authenticated)


def can_manage_own_account(request: HttpRequest) -> bool:
    """A logged-in user manages only their own data and history: handlers never take a user id."""
    return is_authenticated(request) and request.user.is_active


def has_accepted_current_terms(user) -> bool:
    return selectors.terms_is_accepted(user=user)
