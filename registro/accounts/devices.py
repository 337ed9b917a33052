"""Trusted-device cookies: a browser where the owner has logged in before gets its own budget of
failed logins, so an attacker guessing passwords elsewhere cannot lock the owner out
(OWASP "device cookies"). The cookie is signed and names the user and a random device id."""

import secrets

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

SALT = "registro.accounts.trusted-device"


def device_for(request: HttpRequest) -> dict | None:
    raw = request.COOKIES.get(settings.TRUSTED_DEVICE_COOKIE)
    if not raw:
        return None
    try:
        value = signing.loads(raw, salt=SALT, max_age=settings.TRUSTED_DEVICE_MAX_AGE_DAYS * 86400)
    except signing.BadSignature:
        return None
    if not isinstance(value, dict) or not isinstance(value.get("u"), int) or not isinstance(value.get("d"), str):
        return None
    return value


def trusted_device_id(request: HttpRequest, user_pk: int) -> str | None:
    device = device_for(request)
    if device and device["u"] == user_pk:
        return device["d"]
    return None


def mark_login(request: HttpRequest, user_pk: int) -> None:
    """Called on a successful login; the middleware writes the cookie on the response."""
    request._registro_trusted_login = user_pk


def write_cookie(request: HttpRequest, response: HttpResponse) -> None:
    user_pk = getattr(request, "_registro_trusted_login", None)
    if user_pk is None:
        return
    device_id = trusted_device_id(request, user_pk) or secrets.token_urlsafe(12)
    value = signing.dumps({"u": user_pk, "d": device_id}, salt=SALT)
    response.set_cookie(
        settings.TRUSTED_DEVICE_COOKIE,
        value,
        max_age=settings.TRUSTED_DEVICE_MAX_AGE_DAYS * 86400,
        httponly=True,
        secure=settings.SESSION_COOKIE_SECURE,
        samesite="Lax",
    )
