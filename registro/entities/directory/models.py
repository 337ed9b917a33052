from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from registro.entities.account.models import Entidad
from registro.entities.registration.models import Documento


class DescargaDocumento(models.Model):
    """A download of a document through the Directorio (R2.4): who, acting for which account,
    when. The owner of the document can tell who has read its public documents."""

    documento = models.ForeignKey(Documento, on_delete=models.CASCADE, related_name="descargas")
    usuario = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    cuenta_actuante = models.ForeignKey(
        Entidad,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("Cuenta a nombre de la que actúa"),
    )
    created_at = models.DateTimeField(_("Fecha y hora"), auto_now_add=True)

    class Meta:
        verbose_name = _("descarga de documento del Directorio")
        verbose_name_plural = _("descargas de documentos del Directorio")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["documento", "-created_at"], name="descarga_documento_recent")]

    def __str__(self) -> str:
        return f"{self.documento_id} por {self.usuario_id} ({self.created_at:%Y-%m-%d %H:%M})"
