"""Writes on users: every change happens in one transaction with its access-history row."""

from dataclasses import dataclass

from django.contrib.auth import update_session_auth_hash
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from registro.core.errors import ApplicationError, ErrorCode
from registro.core.network import client_ip

from . import passwords, selectors
from .models import AccessEvent, DocumentType, TermsAcceptance, User
from .timezones import is_valid_time_zone
from .validators import normalize_document_number, normalize_person_name, normalize_phone, username_validators


@dataclass(frozen=True)
class ClientInfo:
    ip: str | None
    user_agent: str

    @classmethod
    def from_request(cls, request: HttpRequest | None) -> "ClientInfo":
        if request is None:
            return cls(ip=None, user_agent="")
        return cls(ip=client_ip(request), user_agent=(request.META.get("HTTP_USER_AGENT") or "")[:512])


def access_event_record(
    *, user: User | None, kind: str, client: ClientInfo, identifier: str = "", detail: dict | None = None
) -> AccessEvent:
    return AccessEvent.objects.create(
        user=user,
        kind=kind,
        ip=client.ip,
        user_agent=client.user_agent,
        identifier=identifier[:254],
        detail=detail or {},
    )


def _validation_error(errors: dict[str, list[str]]) -> ApplicationError:
    return ApplicationError(ErrorCode.VALIDATION, _("Revise los datos marcados."), detail={"fields": errors})


def user_profile_clean(*, data: dict, user: User | None = None) -> dict:
    """Validates personal data (R1.3, R6.1) and returns it normalised. Raises ApplicationError
    with every field's message at once."""
    errors: dict[str, list[str]] = {}
    cleaned: dict = {}

    def run(field, fn):
        try:
            cleaned[field] = fn()
        except ValidationError as exc:
            errors.setdefault(field, []).extend(exc.messages)

    run("first_name", lambda: normalize_person_name(data.get("first_name", ""))[:150])
    run("last_name", lambda: normalize_person_name(data.get("last_name", ""))[:150])
    doc_type = data.get("document_type", "")
    if doc_type not in DocumentType.values:
        errors["document_type"] = [_("Seleccione un tipo de documento válido.")]
    else:
        cleaned["document_type"] = doc_type
        run("document_number", lambda: normalize_document_number(doc_type, data.get("document_number", "")))
    run("phone", lambda: normalize_phone(data.get("phone", "")))
    tz = data.get("time_zone") or "America/Bogota"
    if not is_valid_time_zone(tz):
        errors["time_zone"] = [_("Seleccione una zona horaria de la lista.")]
    else:
        cleaned["time_zone"] = tz
    if "document_number" in cleaned and "document_type" in cleaned:
        others = User.objects.filter(document_type=cleaned["document_type"], document_number=cleaned["document_number"])
        if user is not None and user.pk:
            others = others.exclude(pk=user.pk)
        if others.exists():
            errors.setdefault("document_number", []).append(
                _(
                    "Ya existe un usuario registrado con este documento. Cada persona se registra una sola vez; "
                    "si olvidó su usuario, use «¿Olvidó su contraseña?»."
                )
            )
    if errors:
        raise _validation_error(errors)
    return cleaned


@transaction.atomic
def user_update_profile(*, user: User, data: dict, client: ClientInfo) -> User:
    cleaned = user_profile_clean(data=data, user=user)
    changed = sorted(field for field, value in cleaned.items() if getattr(user, field) != value)
    for field, value in cleaned.items():
        setattr(user, field, value)
    try:
        with transaction.atomic():
            user.save(update_fields=list(cleaned))
    except IntegrityError:
        raise _validation_error(
            {"document_number": [_("Ya existe un usuario registrado con este documento.")]}
        ) from None
    if changed:
        access_event_record(user=user, kind=AccessEvent.Kind.PROFILE_UPDATED, client=client, detail={"fields": changed})
    return user


def _check_current_password(request: HttpRequest, user: User, password: str) -> None:
    if not passwords.current_password_check(request, user, password):
        raise ApplicationError(
            ErrorCode.INVALID_CREDENTIALS,
            _("La contraseña actual no es correcta."),
            detail={"fields": {"current_password": [_("La contraseña actual no es correcta.")]}},
        )


def user_change_username(
    *,
    user: User,
    new_username: str,
    current_password: str,
    client: ClientInfo,
    request: HttpRequest,
    keep_session: bool = False,
) -> User:
    """`request` bounds the password guesses (per IP and account); `keep_session` keeps the
    request's own session logged in (the browser's, not an API token's). The password is checked
    outside the transaction: a refusal must not roll back the spent attempt (the rate limits live in
    the database cache by default) nor its access-history row."""
    new_username = (new_username or "").strip()
    errors = []
    if len(new_username) < 4 or len(new_username) > 150:
        errors.append(_("El nombre de usuario debe tener entre 4 y 150 caracteres."))
    for validator in username_validators:
        try:
            validator(new_username)
        except ValidationError as exc:
            errors.extend(exc.messages)
    if errors:
        raise _validation_error({"username": errors})
    _check_current_password(request, user, current_password)
    with transaction.atomic():
        _username_save(user=user, new_username=new_username, client=client)
    if keep_session:
        update_session_auth_hash(request, user)
    return user


def _username_save(*, user: User, new_username: str, client: ClientInfo) -> None:
    taken = _("Ese nombre de usuario ya está en uso; elija otro.")
    if User.objects.filter(username__iexact=new_username).exclude(pk=user.pk).exists():
        raise ApplicationError(ErrorCode.USERNAME_TAKEN, taken, detail={"fields": {"username": [taken]}})
    old = user.username
    user.username = new_username
    try:
        with transaction.atomic():
            user.save(update_fields=["username"])
    except IntegrityError:
        raise ApplicationError(ErrorCode.USERNAME_TAKEN, taken, detail={"fields": {"username": [taken]}}) from None
    access_event_record(
        user=user, kind=AccessEvent.Kind.USERNAME_CHANGED, client=client, detail={"from": old, "to": new_username}
    )


@transaction.atomic
def terms_accept(*, user: User, version: str, client: ClientInfo) -> TermsAcceptance:
    if version != selectors.terms_current_version():
        raise ApplicationError(
            ErrorCode.TERMS_VERSION_MISMATCH,
            _("Los términos y condiciones cambiaron; lea y acepte la versión vigente."),
            detail={"current_version": selectors.terms_current_version()},
        )
    acceptance, created = TermsAcceptance.objects.get_or_create(user=user, version=version, defaults={"ip": client.ip})
    if created:
        access_event_record(user=user, kind=AccessEvent.Kind.TERMS_ACCEPTED, client=client, detail={"version": version})
    return acceptance
