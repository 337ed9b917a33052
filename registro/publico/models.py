from django.db import models
from django.utils.translation import gettext_lazy as _


class Instantanea(models.Model):
    """One file of a daily open-data snapshot, gzip-compressed in the `open_data` storage: what
    the download page offers beside the live download, with what lets anyone check it."""

    class Archivo(models.TextChoices):
        PROVEEDORES_CSV = "proveedores.csv", "proveedores.csv"
        PROVEEDORES_JSON = "proveedores.json", "proveedores.json"
        ENTIDADES_CSV = "entidades.csv", "entidades.csv"
        ENTIDADES_JSON = "entidades.json", "entidades.json"
        PARTIES_JSON = "ocds-parties.json", "ocds-parties.json"

    archivo = models.CharField(_("Archivo"), max_length=30, choices=Archivo.choices)
    fecha = models.DateField(_("Fecha"))
    nombre = models.CharField(_("Nombre en el almacenamiento"), max_length=255)
    tamano = models.PositiveBigIntegerField(_("Tamaño comprimido (bytes)"))
    sha256 = models.CharField(_("SHA-256 del archivo comprimido"), max_length=64)
    filas = models.PositiveIntegerField(_("Filas"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("instantánea de datos abiertos")
        verbose_name_plural = _("instantáneas de datos abiertos")
        ordering = ["-fecha", "archivo"]
        constraints = [models.UniqueConstraint(fields=["archivo", "fecha"], name="instantanea_archivo_fecha")]

    def __str__(self) -> str:
        return f"{self.archivo} {self.fecha}"

    @property
    def descarga(self) -> str:
        return f"{self.archivo}.gz"
