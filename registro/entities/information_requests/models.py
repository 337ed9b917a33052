from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from registro.core.files.stored import StoredFile
from registro.core.models import CodigoUNSPSC
from registro.entities.account.models import Entidad


class SolicitudInformacion(models.Model):
    """A "Solicitud de información" (or de cotización) of an entity to suppliers.

    States (registro/entities/information_requests/workflow.py):

        abierta  → cerrada    the deadline passed (the closing task, or the first read after it)
        cerrada  → abierta    the entity extends the deadline
        abierta  → cancelada  the entity cancels, with a reason
        cerrada  → cancelada

    Answers are accepted while `plazo` has not passed, whatever the stored state says: the state
    follows the clock, never the other way round."""

    class Estado(models.TextChoices):
        ABIERTA = "abierta", _("Abierta")
        CERRADA = "cerrada", _("Cerrada")
        CANCELADA = "cancelada", _("Cancelada")

    entidad = models.ForeignKey(Entidad, on_delete=models.PROTECT, related_name="solicitudes_informacion")
    titulo = models.CharField(_("Título"), max_length=200)
    descripcion = models.TextField(_("Descripción"), max_length=5000)
    codigos = models.ManyToManyField(CodigoUNSPSC, through="CodigoSolicitud", related_name="+")
    plazo = models.DateTimeField(_("Fecha y hora límite para responder"))
    estado = models.CharField(_("Estado"), max_length=20, choices=Estado.choices, default=Estado.ABIERTA)
    motivo_cancelacion = models.TextField(_("Motivo de la cancelación"), blank=True, max_length=2000)
    creada_por = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    cerrada_at = models.DateTimeField(null=True, blank=True)
    cancelada_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("solicitud de información")
        verbose_name_plural = _("solicitudes de información")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["entidad", "-created_at"], name="solicitudinfo_entidad_recent")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(estado="cancelada", motivo_cancelacion=""), name="solicitudinfo_cancelada_con_motivo"
            ),
        ]

    def __str__(self) -> str:
        return self.titulo


class CodigoSolicitud(models.Model):
    """A UNSPSC code of a request; `prefijo` (the code's significant digits) is what automatic
    invitations match the suppliers' areas of interest against."""

    solicitud = models.ForeignKey(SolicitudInformacion, on_delete=models.CASCADE, related_name="codigos_solicitud")
    codigo = models.ForeignKey(CodigoUNSPSC, on_delete=models.PROTECT, related_name="+")
    prefijo = models.CharField(max_length=8)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["solicitud", "codigo"], name="codigo_solicitud_unico")]
        ordering = ["codigo"]

    def __str__(self) -> str:
        return self.codigo_id


class AdjuntoSolicitud(StoredFile):
    """A file of the request, under the same upload rules as every document (R2.5)."""

    STORAGE_FOLDER = "solicitudes"

    solicitud = models.ForeignKey(SolicitudInformacion, on_delete=models.CASCADE, related_name="adjuntos")

    def __str__(self) -> str:
        return self.nombre_original


class InvitacionSolicitud(models.Model):
    """One supplier invited to a request. Unique per (request, supplier): re-running an invitation
    never invites twice nor e-mails twice (`notificada`)."""

    class Estado(models.TextChoices):
        PENDIENTE = "pendiente", _("Pendiente de respuesta")
        RESPONDIDA = "respondida", _("Respondida")
        NO_INTERESADO = "no_interesado", _("No interesado")

    class Origen(models.TextChoices):
        MANUAL = "manual", _("Manual")
        AUTOMATICA = "automatica", _("Automática (áreas de interés)")

    solicitud = models.ForeignKey(SolicitudInformacion, on_delete=models.CASCADE, related_name="invitaciones")
    proveedor = models.ForeignKey(Entidad, on_delete=models.CASCADE, related_name="invitaciones_solicitud")
    origen = models.CharField(max_length=12, choices=Origen.choices)
    estado = models.CharField(_("Estado"), max_length=20, choices=Estado.choices, default=Estado.PENDIENTE)
    mensaje = models.TextField(_("Respuesta"), blank=True, max_length=5000)
    respondida_por = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    respondida_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("invitación a una solicitud de información")
        verbose_name_plural = _("invitaciones a solicitudes de información")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["solicitud", "proveedor"], name="invitacion_solicitud_unica"),
            models.CheckConstraint(
                condition=Q(estado="pendiente") | Q(respondida_at__isnull=False), name="invitacion_solicitud_fecha"
            ),
        ]
        indexes = [
            models.Index(fields=["proveedor", "-created_at"], name="invitacionsol_proveedor_recent"),
            models.Index(fields=["solicitud", "estado"], name="invitacionsol_solicitud_estado"),
        ]

    def __str__(self) -> str:
        return f"{self.solicitud_id} → {self.proveedor_id}"


class AdjuntoRespuesta(StoredFile):
    """A file of a supplier's answer."""

    STORAGE_FOLDER = "respuestas"

    invitacion = models.ForeignKey(InvitacionSolicitud, on_delete=models.CASCADE, related_name="adjuntos")

    def __str__(self) -> str:
        return self.nombre_original


class EnvioInvitaciones(models.Model):
    """A run of the background task that invites suppliers, with its progress for the request's
    page. `cursor` is the last supplier id handled, so a run that stopped picks up where it was.

        pendiente → en_curso → terminado
        pendiente | en_curso → interrumpido   (the request was cancelled or closed meanwhile)
        en_curso → en_curso is not a transition: progress is counters only."""

    class Estado(models.TextChoices):
        PENDIENTE = "pendiente", _("En espera")
        EN_CURSO = "en_curso", _("En curso")
        TERMINADO = "terminado", _("Terminado")
        INTERRUMPIDO = "interrumpido", _("Interrumpido")

    solicitud = models.ForeignKey(SolicitudInformacion, on_delete=models.CASCADE, related_name="envios")
    origen = models.CharField(max_length=12, choices=InvitacionSolicitud.Origen.choices)
    estado = models.CharField(_("Estado"), max_length=20, choices=Estado.choices, default=Estado.PENDIENTE)
    cuentas = models.JSONField(default=list, blank=True)  # manual: the account ids chosen
    total = models.PositiveIntegerField(default=0)
    procesados = models.PositiveIntegerField(default=0)
    invitados = models.PositiveIntegerField(default=0)
    omitidos = models.PositiveIntegerField(default=0)
    cursor = models.BigIntegerField(default=0)
    creado_por = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    iniciado_at = models.DateTimeField(null=True, blank=True)
    terminado_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.solicitud_id}: {self.procesados}/{self.total}"

    @property
    def porcentaje(self) -> int:
        return 100 if not self.total else min(100, self.procesados * 100 // self.total)
