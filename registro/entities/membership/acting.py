"""The entity a user acts for (R1.2). A user in several entities chooses one with the switcher in
the header (or, through the API, `PUT /api/v1/me/entidad-activa` or the `X-Entidad` header on a
single call); every page and API call of the entity console works for exactly that one, with that
membership's permissions. The choice is kept on the membership, so it follows the user across
browsers and API clients."""

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from registro.core.api import parse_id
from registro.core.compiled import CompiledQuery
from registro.core.errors import ApplicationError, ErrorCode
from registro.core.observability import context as log_context
from registro.entities.account import selectors as account_selectors
from registro.entities.account.models import Entidad
from registro.entities.membership.catalogue import Permiso
from registro.entities.membership.models import Membresia
from registro.entities.membership.permissions import Standing

HEADER = "HTTP_X_ENTIDAD"


# The entity chosen last; the oldest membership when the user never chose.
CHOICE_ORDER = (F("seleccionada_at").desc(nulls_last=True), "created_at", "id")


def acting_membership(user, entidad_id: int | None = None) -> Membresia | None:
    """The membership chosen for `entidad_id`, or else the one chosen last (`CHOICE_ORDER`)."""
    if not (user and user.is_authenticated):
        return None
    qs = Membresia.objects.filter(usuario=user, activa=True).select_related("entidad").prefetch_related("roles")
    if entidad_id is not None:
        return qs.filter(entidad_id=entidad_id).first()
    return qs.order_by(*CHOICE_ORDER).first()


# A user's active memberships in `CHOICE_ORDER` and their accounts: every page of the console reads
# them. Two queries compiled once per process (the ORM's one join took longer to build than both
# take to run). The accounts are those of all the user's memberships, so that one deactivated
# between the two reads still finds its account.
_MEMBERSHIPS = CompiledQuery(
    lambda user_id: Membresia.objects.filter(usuario_id=user_id, activa=True).order_by(*CHOICE_ORDER)
)
_ACCOUNTS = CompiledQuery(
    lambda user_id: Entidad.objects.filter(pk__in=Membresia.objects.filter(usuario_id=user_id).values("entidad_id"))
)


def memberships_of(user) -> list[Membresia]:
    """The user's active memberships, the one acted for first (`CHOICE_ORDER`), each with its
    account."""
    alias = Membresia.objects.db
    memberships = list(_MEMBERSHIPS.run(user.pk, using=alias))
    if not memberships:
        return []
    accounts = {e.pk: e for e in _ACCOUNTS.run(user.pk, using=alias)}
    # A membership removed between the two reads is gone: it is left out, as a later read would.
    memberships = [m for m in memberships if m.entidad_id in accounts]
    for membership in memberships:
        membership.entidad = accounts[membership.entidad_id]
    return memberships


def switcher(user, request=None) -> tuple[Membresia | None, list[Membresia]]:
    """For the header, in one query: the membership acted for and all of them, by entity name.
    A request that `resolve` already answered reuses what it read (no query)."""
    if request is not None and getattr(request, SWITCHER_ATTR, None) is not None:
        return getattr(request, SWITCHER_ATTR)
    if not (user and user.is_authenticated):
        return None, []
    return _switcher_of(memberships_of(user))


def _switcher_of(opciones: list[Membresia]) -> tuple[Membresia | None, list[Membresia]]:
    actual = opciones[0] if opciones else None
    if actual is not None:
        log_context.bind(account_id=actual.entidad_id)
    return actual, sorted(opciones, key=lambda m: (m.entidad.nombre, m.entidad_id))


# Where `resolve` leaves the user's memberships for the header's switcher of the same request.
SWITCHER_ATTR = "_acting_switcher"


def suspended(entidad: Entidad) -> ApplicationError:
    """The refusal to act for an account the Mesa de Servicio suspended (409 `account_suspended`),
    with the desk's reason."""
    evento = account_selectors.suspension(entidad=entidad)
    motivo = evento.motivo if evento is not None else ""
    message = _(
        "La cuenta de %(entidad)s está suspendida por la Mesa de Servicio: nadie puede actuar a su nombre "
        "mientras tanto."
    ) % {"entidad": entidad.nombre}
    if motivo:
        message += " " + _("Motivo: %(motivo)s") % {"motivo": motivo}
    return ApplicationError(
        ErrorCode.ACCOUNT_SUSPENDED,
        message,
        {
            "estado": entidad.estado,
            "motivo": motivo,
            "suspendida_at": evento.created_at.isoformat() if evento is not None else None,
        },
        status=409,
    )


def acting_select(*, user, entidad_id) -> Membresia:
    """Chooses the account the user acts for; a suspended one cannot be chosen (409)."""
    entidad_id = parse_id(entidad_id)
    membresia = acting_membership(user, entidad_id) if entidad_id else None
    if membresia is None:
        raise ApplicationError(ErrorCode.NOT_FOUND, _("Usted no pertenece a esa Entidad."), status=404)
    if membresia.entidad.estado == Entidad.Estado.SUSPENDIDA:
        raise suspended(membresia.entidad)
    membresia.seleccionada_at = timezone.now()
    membresia.save(update_fields=["seleccionada_at"])
    return membresia


class Acting(Standing):
    """The acting membership of one request, with its permissions worked out once."""

    def __init__(self, membresia: Membresia):
        super().__init__(membresia)
        self.membresia = membresia
        self.entidad: Entidad = membresia.entidad

    def require(self, permiso: Permiso | str | None) -> "Acting":
        if permiso is not None and not self.can(permiso):
            raise ApplicationError(
                ErrorCode.PERMISSION_DENIED,
                _("Su rol en %(entidad)s no le permite hacer esto (permiso «%(permiso)s»).")
                % {"entidad": self.entidad.nombre, "permiso": Permiso(permiso).label},
                {"permiso": str(permiso)},
                status=403,
            )
        return self


def resolve(request, *, permiso: Permiso | str | None = None, active_only: bool = True) -> Acting:
    """The acting membership for this request: the `X-Entidad` header when sent (API), else the
    user's choice. Raises 404 when the user acts for no entity (or not for the one named), 409
    `account_suspended` when the desk suspended the account, 409 when it is not active yet (R3.9),
    403 without the permission."""
    user = getattr(request, "auth", None) or request.user
    header = request.META.get(HEADER)
    entidad_id = None
    if header:
        # Not a whole number, or one beyond any id (64 bits): an entity the user does not belong to.
        entidad_id = parse_id(header) or -1
    if entidad_id is None and user and user.is_authenticated:
        # The user's choice: every membership in one read (the first is the one acted for), which
        # the header's switcher of this page then shows without reading them again.
        # The roles are read only when a permission needs them: never for an Administrador, who
        # holds every permission (membresia_permisos), and then for the one membership acted for.
        opciones = memberships_of(user)
        membresia = opciones[0] if opciones else None
        if user is getattr(request, "user", None):
            setattr(request, SWITCHER_ATTR, _switcher_of(opciones))
    else:
        membresia = acting_membership(user, entidad_id)
    if membresia is not None:
        # The request's log records name the account it acts for (docs/adr/0020).
        log_context.bind(account_id=membresia.entidad_id)
    if membresia is None:
        message = (
            _("Usted no pertenece a esa Entidad.")
            if header
            else _(
                "Usted aún no tiene acceso a ninguna Entidad Estatal: valide su Entidad y haga la "
                "«Solicitud de acceso», o regístrela si aún no está registrada."
            )
        )
        raise ApplicationError(ErrorCode.NOT_FOUND, message, {"rule": "R5.4"}, status=404)
    if active_only and membresia.entidad.estado == Entidad.Estado.SUSPENDIDA:
        raise suspended(membresia.entidad)
    if active_only and membresia.entidad.estado != Entidad.Estado.ACTIVA:
        raise ApplicationError(
            ErrorCode.CONFLICT,
            _("La Entidad %(entidad)s aún no está activa.") % {"entidad": membresia.entidad.nombre},
            {"rule": "R3.9", "estado": membresia.entidad.estado},
            status=409,
        )
    return Acting(membresia).require(permiso)
