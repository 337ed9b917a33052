from django.db import models
from django.utils.translation import gettext_lazy as _


class Departamento(models.Model):
    """DIVIPOLA department (2-digit DANE code)."""

    codigo = models.CharField(_("Código DANE"), max_length=2, primary_key=True)
    nombre = models.CharField(_("Nombre"), max_length=100)
    longitud = models.DecimalField(max_digits=12, decimal_places=9, null=True, blank=True)
    latitud = models.DecimalField(max_digits=12, decimal_places=9, null=True, blank=True)

    class Meta:
        verbose_name = _("departamento")
        verbose_name_plural = _("departamentos")
        ordering = ["nombre"]

    def __str__(self) -> str:
        return self.nombre


class Municipio(models.Model):
    """DIVIPOLA municipality, island or non-municipalised area (5-digit DANE code)."""

    codigo = models.CharField(_("Código DANE"), max_length=5, primary_key=True)
    departamento = models.ForeignKey(Departamento, on_delete=models.PROTECT, related_name="municipios")
    nombre = models.CharField(_("Nombre"), max_length=100)
    tipo = models.CharField(_("Tipo"), max_length=50)
    longitud = models.DecimalField(max_digits=12, decimal_places=6, null=True, blank=True)
    latitud = models.DecimalField(max_digits=12, decimal_places=6, null=True, blank=True)

    class Meta:
        verbose_name = _("municipio")
        verbose_name_plural = _("municipios")
        ordering = ["nombre"]
        indexes = [models.Index(fields=["departamento", "nombre"], name="municipio_dpto_nombre")]

    def __str__(self) -> str:
        return f"{self.nombre} ({self.departamento_id})"


class ClasificacionEntidad(models.Model):
    """Values of the entity form's lists Orden, Rama, Sector and Tipo de Entidad. Lookup rows the
    service desk edits, not code constants: no official list is published."""

    class Campo(models.TextChoices):
        ORDEN = "orden", _("Orden")
        RAMA = "rama", _("Rama")
        SECTOR = "sector", _("Sector")
        TIPO_ENTIDAD = "tipo_entidad", _("Tipo de Entidad")

    campo = models.CharField(_("Lista"), max_length=20, choices=Campo.choices)
    valor = models.CharField(_("Valor"), max_length=150)
    activo = models.BooleanField(_("Activo"), default=True)
    posicion = models.PositiveSmallIntegerField(_("Posición"), default=0)

    class Meta:
        verbose_name = _("valor de clasificación de Entidades")
        verbose_name_plural = _("valores de clasificación de Entidades")
        ordering = ["campo", "posicion", "valor"]
        constraints = [models.UniqueConstraint(fields=["campo", "valor"], name="clasificacion_campo_valor_unique")]

    def __str__(self) -> str:
        return f"{self.get_campo_display()}: {self.valor}"
