"""Second factors (allauth.mfa): who must have one, what they may still do without it, and the
desk's removal of a lost one (ADR 0017).

A user holding a role of settings.MFA_REQUIRED_ROLES (the Mesa de Servicio, an Administrador of any
account) must set up a second factor. Until they do, and once their grace is over, only the
unprivileged views below answer them: the web pages redirect to the setup page
(middleware.SecondFactorRequiredMiddleware) and the API refuses with 403 `mfa_required`
(api_auth). During the grace every page shows how many days are left."""

import datetime
import math
from dataclasses import dataclass
from functools import cache

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from registro.core.errors import ApplicationError, ErrorCode, refusal
from registro.notifications.services import email_queue_template

from . import services
from .backends import register_request_fact
from .models import AccessEvent, User

# --- What is not privileged ---------------------------------------------------------------------
# The one declaration of what a user held at the setup may still reach, for the web pages and the
# API alike, by view name (namespace:name as reverse() takes it). Everything else is privileged.
UNPRIVILEGED_VIEWS = frozenset(
    {
        # Logging in and out, and proving who they are again (the setup pages ask for it).
        "account_login",
        "account_logout",
        "account_reauthenticate",
        "account_confirm_email",
        # The terms: reading and accepting them comes before anything else (R1.5).
        "accounts_terms",
        "terms_text",
        "healthz",
        "notifications:outbox",
        "notifications:outbox_detail",
        "notifications:outbox_html",
    }
)
# The API's, by method and URL name (a path's operations share its name: GET and PATCH /me are
# both "api:me"): reading one's own profile, the terms' status and acceptance, and the API's own
# description.
UNPRIVILEGED_OPERATIONS = frozenset(
    {
        ("GET", "api:me"),
        ("GET", "api:me_terms"),
        ("POST", "api:me_terms"),
        ("GET", "api:openapi-json"),
        ("GET", "api:openapi-view"),
    }
)
# allauth.mfa's own pages (setup, list, removal, recovery codes: all named mfa_*), and the public
# view, open to anyone logged in or not.
UNPRIVILEGED_NAME_PREFIXES = ("mfa_", "publico:")
# Served outside any view check: static files; allauth's headless API (authentication itself,
# with its MFA endpoints); the ninja API applies the rule on each operation (api_auth).
UNPRIVILEGED_PATH_PREFIXES = ("/static/", "/api/v1/auth/")


def is_unprivileged(view_name: str | None) -> bool:
    return bool(view_name) and (view_name in UNPRIVILEGED_VIEWS or view_name.startswith(UNPRIVILEGED_NAME_PREFIXES))


def request_is_unprivileged(request: HttpRequest) -> bool:
    if request.path.startswith(UNPRIVILEGED_PATH_PREFIXES):
        return True
    match = getattr(request, "resolver_match", None)
    view_name = match.view_name if match else None
    if request.path.startswith("/api/"):
        return (request.method, view_name) in UNPRIVILEGED_OPERATIONS
    return is_unprivileged(view_name)


# --- Who must have a second factor --------------------------------------------------------------


@cache
def _check(path: str):
    return import_string(path)


def has_second_factor(user) -> bool:
    """An authenticator app or a security key; recovery codes alone are not a factor."""
    return _second_factors(user.pk).exists()


def _second_factors(user_id):
    return Authenticator.objects.filter(user_id=user_id).exclude(type=Authenticator.Type.RECOVERY_CODES)


# Read with the request's user by the authentication backend (registro.accounts.backends).
HAS_SECOND_FACTOR = "_has_second_factor"
register_request_fact(HAS_SECOND_FACTOR, lambda: Exists(_second_factors(OuterRef("pk"))))


def _has_second_factor_now(user) -> bool:
    """As `has_second_factor`, from the request's user when the backend read it with the user:
    `status` is worked out once per request, from that start."""
    known = getattr(user, HAS_SECOND_FACTOR, None)
    return has_second_factor(user) if known is None else known


def required_grace_days(user) -> int | None:
    """The grace of the user's roles that need a second factor (the smallest), or None: no such role."""
    days = [getattr(settings, grace) for path, grace in settings.MFA_REQUIRED_ROLES.items() if _check(path)(user)]
    return min(days) if days else None


@dataclass(frozen=True)
class Status:
    required: bool
    compliant: bool
    deadline: datetime.datetime | None = None

    @property
    def blocked(self) -> bool:
        """Must set up a second factor before doing anything privileged."""
        return self.required and not self.compliant and (self.deadline is None or timezone.now() >= self.deadline)

    @property
    def in_grace(self) -> bool:
        return self.required and not self.compliant and not self.blocked

    @property
    def days_left(self) -> int:
        if self.deadline is None:
            return 0
        return max(0, math.ceil((self.deadline - timezone.now()) / datetime.timedelta(days=1)))


NOT_REQUIRED = Status(required=False, compliant=True)


def status(user) -> Status:
    """Where the user stands; kept on the user object for the rest of the request."""
    if not (user and user.is_authenticated and user.is_active):
        return NOT_REQUIRED
    cached = getattr(user, "_mfa_status", None)
    if cached is not None:
        return cached
    grace = required_grace_days(user)
    if grace is None:
        result = NOT_REQUIRED
    elif _has_second_factor_now(user):
        result = Status(required=True, compliant=True)
    else:
        started = user.mfa_grace_started_at
        if started is None:
            # A role given before this rule existed, or outside the services (Django's admin):
            # the grace starts the first time the rule sees it.
            started = grace_start(user=user)
        result = Status(required=True, compliant=False, deadline=started + datetime.timedelta(days=grace))
    user._mfa_status = result
    return result


def forget_status(user) -> None:
    user.__dict__.pop("_mfa_status", None)


def grace_start(*, user: User, restart: bool = False) -> datetime.datetime:
    """Starts the user's grace now (`restart`), or if it never started. Returns its start."""
    if user.mfa_grace_started_at is not None and not restart:
        return user.mfa_grace_started_at
    now = timezone.now()
    User.objects.filter(pk=user.pk).update(mfa_grace_started_at=now)
    user.mfa_grace_started_at = now
    forget_status(user)
    return now


def role_granted(*, user: User) -> None:
    """Being given a role that needs a second factor (named Administrador, added to the desk) by
    someone who held none before starts a new grace; someone who already has a factor needs none."""
    if has_second_factor(user):
        return
    grace_start(user=user, restart=True)


def setup_url() -> str:
    return reverse("mfa_index")


def api_refusal() -> ApplicationError:
    return ApplicationError(
        ErrorCode.MFA_REQUIRED,
        _(
            "Su rol exige la verificación en dos pasos: configure un segundo factor en «Accesos del usuario» "
            "antes de continuar."
        ),
        status=403,
    )


# --- E-mails: every change of the user's factors is told to them -----------------------------------

NOTICES = {
    AccessEvent.Kind.MFA_TOTP_ADDED: "accounts/email/mfa_changed",
    AccessEvent.Kind.MFA_TOTP_REMOVED: "accounts/email/mfa_changed",
    AccessEvent.Kind.MFA_WEBAUTHN_ADDED: "accounts/email/mfa_changed",
    AccessEvent.Kind.MFA_WEBAUTHN_REMOVED: "accounts/email/mfa_changed",
    AccessEvent.Kind.MFA_RECOVERY_CODES_GENERATED: "accounts/email/mfa_changed",
    AccessEvent.Kind.MFA_RECOVERY_CODE_USED: "accounts/email/mfa_changed",
    AccessEvent.Kind.MFA_RESET_BY_DESK: "accounts/email/mfa_reset_by_desk",
}


def notify(*, user: User, kind: str, event: AccessEvent, extra: dict | None = None) -> None:
    """Queued through the outbox, sent after the transaction commits."""
    if not user.email or kind not in NOTICES:
        return
    email_queue_template(
        to=[user.email],
        template=NOTICES[kind],
        context={
            "user": user,
            "event": event,
            "what": AccessEvent.Kind(kind).label,
            "site_url": settings.SITE_URL,
            **(extra or {}),
        },
    )


# --- The desk removes a lost factor -------------------------------------------------------------

MAX_MOTIVO = 5000


def second_factor_reset_by_desk(*, user: User, staff: User, motivo: str, client) -> AccessEvent:
    """ "Retirar segundo factor": the person lost their authenticator app or key (and their recovery
    codes). Every authenticator of theirs is deleted, the access history records who did it and
    why, the person is e-mailed, and if a role of theirs needs a second factor a new grace starts
    (ADR 0017). The desk removes nobody's factors but other people's."""
    motivo = (motivo or "").strip()
    if not motivo:
        raise refusal(_("Escriba el motivo por el que retira el segundo factor."), "motivo")
    if len(motivo) > MAX_MOTIVO:
        raise refusal(_("El motivo no puede tener más de %(n)s caracteres.") % {"n": MAX_MOTIVO}, "motivo")
    if user.pk == staff.pk:
        raise refusal(_("No puede retirar su propio segundo factor: pídaselo a otro miembro de la Mesa de Servicio."))
    with transaction.atomic():
        locked = User.objects.select_for_update().get(pk=user.pk)
        authenticators = list(Authenticator.objects.select_for_update().filter(user_id=locked.pk).order_by("pk"))
        if not authenticators:
            raise ApplicationError(
                ErrorCode.CONFLICT,
                _("%(username)s no tiene segundo factor configurado.") % {"username": locked.username},
                status=409,
            )
        removed = sorted({a.type for a in authenticators})
        Authenticator.objects.filter(pk__in=[a.pk for a in authenticators]).delete()
        grace_start(user=locked, restart=True)
        event = services.access_event_record(
            user=locked,
            kind=AccessEvent.Kind.MFA_RESET_BY_DESK,
            client=client,
            detail={"motivo": motivo, "mesa": staff.username, "retirados": removed},
        )
        notify(user=locked, kind=AccessEvent.Kind.MFA_RESET_BY_DESK, event=event, extra={"motivo": motivo})
    user.mfa_grace_started_at = locked.mfa_grace_started_at
    forget_status(user)
    return event


_ORDER = {Authenticator.Type.TOTP: 0, Authenticator.Type.WEBAUTHN: 1, Authenticator.Type.RECOVERY_CODES: 2}


def second_factors(*, user: User) -> list[Authenticator]:
    """The user's authenticators, for the desk's page and the user's own: the app, the keys, then
    the recovery codes."""
    found = Authenticator.objects.filter(user_id=user.pk).order_by("created_at", "pk")
    return sorted(found, key=lambda a: _ORDER.get(a.type, 9))
