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


class TipoEmpresa(models.Model):
    """The supplier pre-form's "Tipo de organización" (R9.1): lookup rows the service desk edits in
    admin, seeded from registro/core/data/tipos-empresa.csv. Whether the type is a natural person
    and whether it is foreign decides which form and documents the supplier gets."""

    class Persona(models.TextChoices):
        NATURAL = "natural", _("Persona natural")
        JURIDICA = "juridica", _("Persona jurídica")

    codigo = models.SlugField(_("Código"), max_length=40, unique=True)
    nombre = models.CharField(_("Nombre"), max_length=150)
    persona = models.CharField(_("Persona"), max_length=10, choices=Persona.choices)
    extranjera = models.BooleanField(_("Extranjera"), default=False)
    activo = models.BooleanField(_("Activo"), default=True)
    posicion = models.PositiveSmallIntegerField(_("Posición"), default=0)

    class Meta:
        verbose_name = _("tipo de organización de Proveedores")
        verbose_name_plural = _("tipos de organización de Proveedores")
        ordering = ["posicion", "nombre"]

    def __str__(self) -> str:
        return self.nombre


class CodigoUNSPSC(models.Model):
    """A code of the Clasificador de Bienes y Servicios (UNSPSC v14, Spanish; R9.4). `codigo` has 8
    digits, higher levels padded with zeros; `prefijo` holds only the level's significant digits
    (2, 4, 6 or 8), so "everything under a segment" is a prefix match."""

    class Nivel(models.TextChoices):
        SEGMENTO = "segmento", _("Segmento")
        FAMILIA = "familia", _("Familia")
        CLASE = "clase", _("Clase")
        PRODUCTO = "producto", _("Producto")

    DIGITS: dict[str, int] = {"segmento": 2, "familia": 4, "clase": 6, "producto": 8}

    codigo = models.CharField(_("Código"), max_length=8, primary_key=True)
    nivel = models.CharField(_("Nivel"), max_length=10, choices=Nivel.choices)
    nombre = models.CharField(_("Nombre"), max_length=255)
    nombre_busqueda = models.CharField(max_length=255, editable=False)
    prefijo = models.CharField(max_length=8, editable=False)
    padre = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="hijos", verbose_name=_("Padre")
    )

    class Meta:
        verbose_name = _("código UNSPSC")
        verbose_name_plural = _("códigos UNSPSC")
        ordering = ["codigo"]
        indexes = [models.Index(fields=["nivel", "codigo"], name="unspsc_nivel_codigo")]
        constraints = [models.CheckConstraint(condition=models.Q(codigo__regex=r"^[0-9]{8}$"), name="unspsc_8_digitos")]

    def __str__(self) -> str:
        return f"{self.codigo} {self.nombre}"

    @staticmethod
    def prefix_of(codigo: str, nivel: str) -> str:
        return codigo[: CodigoUNSPSC.DIGITS[nivel]]
