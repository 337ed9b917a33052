from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from registro.accounts.permissions import SERVICE_DESK_GROUP  # noqa: F401
from registro.core.files.stored import StoredFile, stored_file_path
from registro.entities.account.models import Entidad
from registro.entities.registration.models import Documento


class Asunto(models.TextChoices):
    REGISTRO_ENTIDAD = "registro_entidad", _("Gestión de registro y configuración de Entidades Estatales")
    PERFIL_PROVEEDOR = "perfil_proveedor", _("Habilitación del perfil de Proveedor de una Entidad Estatal")
    NUEVO_ADMINISTRADOR = "nuevo_administrador", _("Designación de un nuevo Usuario Administrador")
    # Opened by the account's "Editar datos", never by hand: it carries the values asked for.
    CAMBIO_IDENTIFICACION = "cambio_identificacion", _("Cambio de NIT o razón social")
    USUARIOS = "usuarios", _("Registro y acceso de usuarios")
    OTRO = "otro", _("Otro")


class TipoSolicitud(models.TextChoices):
    SOLICITUD = "solicitud", _("Solicitud")
    DUDA = "duda", _("Duda")


class TipoUsuario(models.TextChoices):
    COMPRADOR = "comprador", _("Comprador")
    PROVEEDOR = "proveedor", _("Proveedor")
    CIUDADANO = "ciudadano", _("Ciudadano")


class Caso(models.Model):
    """A support case ("Crear caso", R4.1) with the requester's data as they were when it opened."""

    class Estado(models.TextChoices):
        ABIERTO = "abierto", _("Abierto")
        EN_REVISION = "en_revision", _("En revisión")
        ESPERANDO_SOLICITANTE = "esperando_solicitante", _("Esperando respuesta del solicitante")
        RESUELTO = "resuelto", _("Resuelto")
        CERRADO = "cerrado", _("Cerrado")

    numero = models.CharField(_("Número"), max_length=20, unique=True, null=True, editable=False)
    solicitante = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="casos")
    entidad = models.ForeignKey(Entidad, null=True, blank=True, on_delete=models.PROTECT, related_name="casos")
    sistema = models.CharField(_("Sistema"), max_length=20, default="SECOP II")
    tipo_solicitud = models.CharField(_("Tipo de solicitud"), max_length=20, choices=TipoSolicitud.choices)
    asunto = models.CharField(_("Asunto"), max_length=40, choices=Asunto.choices)
    tipo_usuario = models.CharField(_("Tipo de usuario"), max_length=20, choices=TipoUsuario.choices)
    descripcion = models.TextField(_("Descripción"), max_length=5000)
    # The requester's data when the case was opened (R4.1): the desk sees what was sent.
    nombres = models.CharField(_("Nombres"), max_length=150)
    apellidos = models.CharField(_("Apellidos"), max_length=150)
    numero_documento = models.CharField(_("Número de documento"), max_length=20)
    nombre_entidad = models.CharField(_("Nombre de la Entidad"), max_length=255, blank=True)
    departamento = models.CharField(_("Departamento"), max_length=100, blank=True)
    municipio = models.CharField(_("Municipio"), max_length=100, blank=True)
    correo = models.EmailField(_("Correo electrónico"))
    telefono = models.CharField(_("Teléfono"), max_length=20, blank=True)
    celular = models.CharField(_("Celular"), max_length=20, blank=True)
    estado = models.CharField(_("Estado"), max_length=30, choices=Estado.choices, default=Estado.ABIERTO)
    asignado_a = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="casos_asignados"
    )
    created_at = models.DateTimeField(_("Abierto el"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    resuelto_at = models.DateTimeField(_("Resuelto el"), null=True, blank=True)
    # A change of NIT or legal name asked for (CAMBIO_IDENTIFICACION): {field: {"antes", "despues"}}.
    cambios = models.JSONField(_("Cambios solicitados"), default=dict, blank=True)

    class Meta:
        verbose_name = _("caso")
        verbose_name_plural = _("casos")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["estado", "created_at"], name="caso_estado_created")]

    def __str__(self) -> str:
        return self.numero or f"Caso {self.pk}"

    @property
    def cambios_legibles(self) -> list[dict[str, str]]:
        """The changes asked for, each with its label and its values before and after."""
        labels = {
            "nombre": _("Nombre o razón social"),
            "nit": _("NIT"),
            "id_tributario": _("Identificación tributaria"),
        }
        return [
            {
                "campo": name,
                "label": str(labels.get(name, name)),
                "antes": v.get("antes", ""),
                "despues": v.get("despues", ""),
            }
            for name, v in (self.cambios or {}).items()
            if isinstance(v, dict)
        ]


class Mensaje(models.Model):
    """One message of a case's thread, between the requester and the desk."""

    caso = models.ForeignKey(Caso, on_delete=models.CASCADE, related_name="mensajes")
    autor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    de_la_mesa = models.BooleanField(default=False)
    texto = models.TextField(_("Mensaje"), max_length=5000)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.caso_id}: {self.texto[:40]}"


def adjunto_path(instance, filename: str) -> str:
    """Named by migration 0001; new files take `StoredFile`'s path, the same shape."""
    return stored_file_path(instance, filename)


class Adjunto(StoredFile):
    """A file attached to a message, under the same rules as entity documents."""

    mensaje = models.ForeignKey(Mensaje, on_delete=models.CASCADE, related_name="adjuntos")

    STORAGE_FOLDER = "casos"

    def __str__(self) -> str:
        return self.nombre_original


class RevisionDocumento(models.Model):
    """The desk's checklist entry for one document version in an activation case."""

    class Decision(models.TextChoices):
        ACEPTADO = "aceptado", _("Aceptado")
        RECHAZADO = "rechazado", _("Rechazado")

    caso = models.ForeignKey(Caso, on_delete=models.CASCADE, related_name="revisiones")
    documento = models.ForeignKey(Documento, on_delete=models.CASCADE, related_name="revisiones")
    decision = models.CharField(_("Decisión"), max_length=20, choices=Decision.choices)
    motivo = models.TextField(_("Motivo"), blank=True, max_length=2000)
    revisor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["caso", "documento"], name="revision_caso_documento_unique"),
            models.CheckConstraint(
                condition=~models.Q(decision="rechazado", motivo=""), name="revision_rechazo_con_motivo"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.documento_id}: {self.decision}"


EVENTO_CASO_LABELS = {
    "abierto": _("Caso abierto"),
    "revision_iniciada": _("Revisión iniciada"),
    "mensaje": _("Mensaje"),
    "respuesta_solicitante": _("Respuesta del solicitante"),
    "correccion_solicitada": _("Corrección solicitada"),
    "reenviada": _("Enviado de nuevo a revisión"),
    "activada": _("Entidad activada"),
    "rechazada": _("Registro rechazado"),
    "perfil_proveedor": _("Perfil de Proveedor habilitado"),
    "administrador_designado": _("Usuario Administrador designado"),
    "cambio_aplicado": _("Cambio de NIT o razón social aplicado"),
    "resuelto": _("Resuelto"),
    "cerrado": _("Cerrado"),
}


class EventoCaso(models.Model):
    """Every case event and decision: who, when, what and why."""

    caso = models.ForeignKey(Caso, on_delete=models.CASCADE, related_name="eventos")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    tipo = models.CharField(max_length=40)
    estado_anterior = models.CharField(max_length=30, blank=True)
    estado_nuevo = models.CharField(max_length=30, blank=True)
    motivo = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.caso_id}: {self.tipo}"

    @property
    def tipo_label(self) -> str:
        return str(EVENTO_CASO_LABELS.get(self.tipo, self.tipo))

    @property
    def estado_anterior_label(self) -> str:
        return Caso.Estado(self.estado_anterior).label if self.estado_anterior else ""

    @property
    def estado_nuevo_label(self) -> str:
        return Caso.Estado(self.estado_nuevo).label if self.estado_nuevo else ""
