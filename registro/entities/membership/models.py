from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from registro.entities.account.models import Entidad, EventoEntidad, TipoCuenta
from registro.entities.membership.catalogue import Permiso


class RolEntidad(models.Model):
    """A role an entity's administrators define (R7.1): a name and permissions from the catalogue
    (`catalogue.Permiso`). Given to members on top of their built-in role."""

    entidad = models.ForeignKey(Entidad, on_delete=models.CASCADE, related_name="roles")
    nombre = models.CharField(_("Nombre del rol"), max_length=80)
    descripcion = models.CharField(_("Descripción"), max_length=300, blank=True)
    permisos = models.JSONField(_("Permisos"), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("rol")
        verbose_name_plural = _("roles")
        ordering = ["nombre"]
        constraints = [
            models.UniqueConstraint("entidad", Lower("nombre"), name="rol_nombre_unico_por_entidad"),
        ]

    def __str__(self) -> str:
        return self.nombre

    @property
    def permisos_labels(self) -> list[str]:
        labels = dict(Permiso.choices)
        return [str(labels[p]) for p in Permiso.values if p in self.permisos]


class MembresiaQuerySet(models.QuerySet):
    def administradores(self, entidad=None) -> "MembresiaQuerySet":
        """The active Administradores (of `entidad`, when given): R1.1 counts these."""
        qs = self.filter(activa=True, rol=Membresia.Rol.ADMINISTRADOR)
        return qs if entidad is None else qs.filter(entidad=entidad)


class Membresia(models.Model):
    """A user's place in an account (R1.1): a built-in role, Administrador or Comprador (shown as
    "Usuario del Proveedor" in a supplier account, `rol_label`), plus any roles the account defined.
    `seleccionada_at` marks the account the user last chose to act for (R1.2)."""

    class Rol(models.TextChoices):
        ADMINISTRADOR = "administrador", _("Administrador")
        COMPRADOR = "comprador", _("Comprador")

    usuario = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membresias")
    entidad = models.ForeignKey(Entidad, on_delete=models.CASCADE, related_name="membresias")
    rol = models.CharField(_("Rol"), max_length=20, choices=Rol.choices)
    roles = models.ManyToManyField(
        "entities.RolEntidad", verbose_name=_("Roles adicionales"), blank=True, related_name="membresias"
    )
    activa = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    seleccionada_at = models.DateTimeField(null=True, blank=True)

    objects = MembresiaQuerySet.as_manager()

    class Meta:
        verbose_name = _("membresía")
        verbose_name_plural = _("membresías")
        constraints = [models.UniqueConstraint(fields=["usuario", "entidad"], name="membresia_usuario_entidad_unique")]

    def __str__(self) -> str:
        return f"{self.usuario_id} → {self.entidad_id} ({self.rol})"

    # Django would generate this from the choices; defined here so that every page, e-mail and the
    # admin read the role as the account's kind names it.
    def get_rol_display(self) -> str:
        return rol_label(self.rol, self.entidad)

    @property
    def rol_titulo(self) -> str:
        return rol_titulo(self.rol, self.entidad)


SUPPLIER_USER = _("Usuario del Proveedor")


def _supplier(entidad) -> bool:
    return entidad is not None and entidad.tipo_cuenta == TipoCuenta.PROVEEDOR


def rol_label(rol: str, entidad: Entidad | None) -> str:
    """How a built-in role reads in this account: the role that is not Administrador is "Comprador"
    in a State entity and "Usuario del Proveedor" in a supplier account; `comprador` is stored in
    both."""
    if rol == Membresia.Rol.COMPRADOR and _supplier(entidad):
        return str(SUPPLIER_USER)
    return str(Membresia.Rol(rol).label) if rol in Membresia.Rol.values else str(rol)


def rol_titulo(rol: str, entidad: Entidad | None) -> str:
    """The role as the guide writes it after "Usuario": "Usuario Administrador", "Usuario
    Comprador", and "Usuario del Proveedor" (already a whole title)."""
    if rol == Membresia.Rol.COMPRADOR and _supplier(entidad):
        return str(SUPPLIER_USER)
    return str(_("Usuario %(rol)s") % {"rol": rol_label(rol, entidad)})


def rol_choices(entidad: Entidad | None) -> list[tuple[str, str]]:
    """The built-in roles for this account's forms, as it names them."""
    return [(value, rol_label(value, entidad)) for value in Membresia.Rol.values]


class SolicitudAcceso(models.Model):
    """A buyer's request to act for an entity (R5.1–R5.3), decided by its administrators."""

    class Estado(models.TextChoices):
        PENDIENTE = "pendiente", _("Esperando aprobación")
        APROBADA = "aprobada", _("Aprobada")
        RECHAZADA = "rechazada", _("Rechazada")
        CANCELADA = "cancelada", _("Cancelada")

    usuario = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="solicitudes_acceso")
    entidad = models.ForeignKey(Entidad, on_delete=models.CASCADE, related_name="solicitudes_acceso")
    mensaje = models.TextField(_("Mensaje para los administradores"), max_length=1000, blank=True)
    estado = models.CharField(_("Estado"), max_length=20, choices=Estado.choices, default=Estado.PENDIENTE)
    motivo = models.TextField(_("Motivo"), max_length=1000, blank=True)
    decidida_por = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("Solicitada el"), auto_now_add=True)
    decided_at = models.DateTimeField(_("Decidida el"), null=True, blank=True)

    class Meta:
        verbose_name = _("solicitud de acceso")
        verbose_name_plural = _("solicitudes de acceso")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["usuario", "entidad"], condition=Q(estado="pendiente"), name="solicitud_pendiente_unica"
            )
        ]

    def __str__(self) -> str:
        return f"{self.usuario_id} → {self.entidad_id} ({self.estado})"


class Invitacion(models.Model):
    """An administrator's invitation to join the entity, sent by e-mail (R7.1). The link carries a
    random token; only its SHA-256 is stored. It expires, and re-sending issues a new link."""

    class Estado(models.TextChoices):
        PENDIENTE = "pendiente", _("Pendiente")
        ACEPTADA = "aceptada", _("Aceptada")
        CANCELADA = "cancelada", _("Cancelada")

    entidad = models.ForeignKey(Entidad, on_delete=models.CASCADE, related_name="invitaciones")
    correo = models.EmailField(_("Correo electrónico"))
    rol = models.CharField(_("Rol"), max_length=20, choices=Membresia.Rol.choices, default=Membresia.Rol.COMPRADOR)
    roles = models.ManyToManyField(RolEntidad, verbose_name=_("Roles adicionales"), blank=True, related_name="+")
    mensaje = models.TextField(_("Mensaje"), max_length=1000, blank=True)
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    estado = models.CharField(_("Estado"), max_length=20, choices=Estado.choices, default=Estado.PENDIENTE)
    invitada_por = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    envios = models.PositiveSmallIntegerField(_("Envíos"), default=1)
    created_at = models.DateTimeField(_("Creada el"), auto_now_add=True)
    enviada_at = models.DateTimeField(_("Enviada el"))
    vence_at = models.DateTimeField(_("Vence el"))
    aceptada_por = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decidida_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("invitación")
        verbose_name_plural = _("invitaciones")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                "entidad", Lower("correo"), condition=Q(estado="pendiente"), name="invitacion_pendiente_unica"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.correo} → {self.entidad_id} ({self.estado})"

    @property
    def vencida(self) -> bool:
        from django.utils import timezone

        return self.estado == self.Estado.PENDIENTE and self.vence_at <= timezone.now()

    @property
    def estado_label(self) -> str:
        return str(_("Vencida")) if self.vencida else self.get_estado_display()

    def get_rol_display(self) -> str:
        return rol_label(self.rol, self.entidad)

    @property
    def rol_titulo(self) -> str:
        return rol_titulo(self.rol, self.entidad)


EventoEntidad.LABELS["rol"].update(Membresia.Rol.choices)
EventoEntidad.LABELS["rol_proveedor"].update({**dict(Membresia.Rol.choices), Membresia.Rol.COMPRADOR: SUPPLIER_USER})
EventoEntidad.LABELS["permiso"].update(Permiso.choices)
