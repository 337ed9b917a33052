from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _

from registro.entities.account.models import Entidad
from registro.entities.membership.models import Membresia


class UnidadContratacion(models.Model):
    """A purchasing unit ("unidad de contratación", R7.1): how the entity organises who carries out
    its procurement processes."""

    entidad = models.ForeignKey(Entidad, on_delete=models.CASCADE, related_name="unidades")
    nombre = models.CharField(_("Nombre de la unidad"), max_length=120)
    descripcion = models.TextField(_("Descripción"), max_length=1000, blank=True)
    miembros = models.ManyToManyField(Membresia, verbose_name=_("Usuarios"), blank=True, related_name="unidades")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("unidad de contratación")
        verbose_name_plural = _("unidades de contratación")
        ordering = ["nombre"]
        constraints = [
            models.UniqueConstraint("entidad", Lower("nombre"), name="unidad_nombre_unico_por_entidad"),
        ]

    def __str__(self) -> str:
        return self.nombre
