from django.db import models
from django.utils.translation import gettext_lazy as _

from registro.core.text import search_key


class Entidad(models.Model):
    """A State Entity account ("Entidad Estatal"), identified by its NIT."""

    class Estado(models.TextChoices):
        PENDIENTE = "pendiente", _("Pendiente de activación")
        ACTIVA = "activa", _("Activa")

    nombre = models.CharField(_("Nombre de la Entidad Estatal"), max_length=255)
    nombre_busqueda = models.CharField(max_length=255, editable=False, db_index=True)
    nit = models.CharField(_("NIT"), max_length=15, unique=True)
    estado = models.CharField(_("Estado"), max_length=16, choices=Estado.choices, default=Estado.PENDIENTE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("Entidad Estatal")
        verbose_name_plural = _("Entidades Estatales")
        ordering = ["nombre"]

    def __str__(self) -> str:
        return f"{self.nombre} ({self.nit})"

    def save(self, *args, **kwargs):
        self.nombre_busqueda = search_key(self.nombre)
        super().save(*args, **kwargs)
