from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from registro.core.files.stored import StoredFile, stored_file_path
from registro.entities.account.models import Entidad


class RegistroEntidad(models.Model):
    """An entity registration in progress (R3.8 "Beyond"): everything typed and attached is kept
    here, valid or not, until "Finalizar" creates the Entidad. It survives errors and logouts."""

    class Estado(models.TextChoices):
        BORRADOR = "borrador", _("Borrador")
        FINALIZADO = "finalizado", _("Finalizado")

    usuario = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="registros_entidad")
    datos = models.JSONField(default=dict, blank=True)
    estado = models.CharField(max_length=20, choices=Estado.choices, default=Estado.BORRADOR)
    entidad = models.OneToOneField(Entidad, null=True, blank=True, on_delete=models.SET_NULL, related_name="registro")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("registro de Entidad")
        verbose_name_plural = _("registros de Entidades")
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return self.datos.get("nombre") or f"Registro {self.pk}"


def documento_path(instance, filename: str) -> str:
    """Named by migration 0001; new files take `StoredFile`'s path, the same shape."""
    return stored_file_path(instance, filename)


class Documento(StoredFile):
    """A document of an account: the legal documents of its registration (R2, R9.3) and the further
    documents of a supplier's library ("biblioteca", with a title). Belongs to a registration in
    progress or to the account; a replaced one stays as an earlier version of the same type and
    title."""

    class Visibilidad(models.TextChoices):
        DIRECTORIO = "directorio", _("Visible para los usuarios de cuentas activas, en el Directorio")
        PRIVADO = "privado", _("Privado: solo los usuarios de la cuenta")

    class Tipo(models.TextChoices):
        ACTO_ESTRUCTURA = "acto_estructura", _("Último acto de estructura y organización")
        ACTA_POSESION_ORDENADOR = "acta_posesion_ordenador", _("Acta de posesión del ordenador del gasto")
        ACTO_DELEGACION = "acto_delegacion", _("Acto de delegación de la ordenación del gasto")
        ACTA_POSESION_DELEGADO = "acta_posesion_delegado", _("Acta de posesión del delegado")
        AUTORIZACION_ADMINISTRADOR = "autorizacion_administrador", _("Autorización del Usuario Administrador")
        RUT = "rut", _("Registro Único Tributario (RUT)")
        CERTIFICADO_EXISTENCIA = "certificado_existencia", _("Certificado de existencia y representación legal")
        DOCUMENTO_IDENTIDAD = "documento_identidad", _("Documento de identidad")
        RUP = "rup", _("Registro Único de Proponentes (RUP)")
        EXPERIENCIA = "experiencia", _("Experiencia")
        ESTADOS_FINANCIEROS = "estados_financieros", _("Estados financieros")
        OTRO = "otro", _("Otro documento")

    # The types a supplier's library holds, each with a title of its choice (R9.3).
    BIBLIOTECA = ("experiencia", "estados_financieros", "otro")

    registro = models.ForeignKey(
        RegistroEntidad, null=True, blank=True, on_delete=models.CASCADE, related_name="documentos"
    )
    entidad = models.ForeignKey(Entidad, null=True, blank=True, on_delete=models.CASCADE, related_name="documentos")
    tipo = models.CharField(_("Tipo de documento"), max_length=40, choices=Tipo.choices)
    titulo = models.CharField(_("Título"), max_length=150, blank=True)
    visibilidad = models.CharField(
        _("Visibilidad"), max_length=20, choices=Visibilidad.choices, default=Visibilidad.DIRECTORIO
    )
    fecha_expedicion = models.DateField(_("Fecha de expedición"), null=True, blank=True)
    version = models.PositiveSmallIntegerField(default=1)
    vigente = models.BooleanField(default=True)
    subido_por = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    STORAGE_FOLDER = "documentos"

    class Meta:
        verbose_name = _("documento")
        verbose_name_plural = _("documentos")
        ordering = ["tipo", "-version"]
        constraints = [
            models.CheckConstraint(
                condition=Q(registro__isnull=False) | Q(entidad__isnull=False), name="documento_tiene_dueno"
            ),
            models.UniqueConstraint(
                fields=["registro", "tipo", "titulo"],
                condition=Q(vigente=True, entidad__isnull=True),
                name="documento_vigente_registro",
            ),
            models.UniqueConstraint(
                fields=["entidad", "tipo", "titulo"],
                condition=Q(vigente=True, entidad__isnull=False),
                name="documento_vigente_entidad",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.etiqueta} v{self.version}: {self.nombre_original}"

    @property
    def etiqueta(self) -> str:
        return f"{self.get_tipo_display()}: {self.titulo}" if self.titulo else str(self.get_tipo_display())
