import zoneinfo
from datetime import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

BOGOTA = zoneinfo.ZoneInfo("America/Bogota")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class ArchivosField(forms.FileField):
    """Several files in one input; each is checked by the upload rules in the service."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(ArchivosField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class PlazoMixin(forms.Form):
    """The deadline as a date and a time, always in Bogotá time (the guide's reference)."""

    plazo_fecha = forms.DateField(label=_("Fecha límite"), widget=forms.DateInput(attrs={"type": "date"}))
    plazo_hora = forms.TimeField(
        label=_("Hora límite (hora de Bogotá)"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )

    def plazo(self) -> datetime:
        return datetime.combine(self.cleaned_data["plazo_fecha"], self.cleaned_data["plazo_hora"], tzinfo=BOGOTA)


class SolicitudForm(PlazoMixin):
    titulo = forms.CharField(label=_("Título"), max_length=200)
    descripcion = forms.CharField(
        label=_("Descripción"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Lo que necesita saber de los Proveedores: bienes o servicios, cantidades, condiciones."),
    )
    archivos = ArchivosField(
        label=_("Anexos (opcional)"),
        help_text=_("Hasta 10 archivos, con las mismas reglas que los documentos de la Entidad."),
    )

    field_order = ["titulo", "descripcion", "plazo_fecha", "plazo_hora", "archivos"]


class AmpliarForm(PlazoMixin):
    pass


class CancelarForm(forms.Form):
    motivo = forms.CharField(
        label=_("Motivo de la cancelación"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class CuentasInput(forms.Textarea):
    """The ids typed in the request's page, or sent one per value by the Directorio (its profile's
    hidden field, its results' checkboxes): all of them, as one text."""

    def value_from_datadict(self, data, files, name):
        if hasattr(data, "getlist"):
            return " ".join(data.getlist(name)) if name in data else None
        return super().value_from_datadict(data, files, name)


class InvitarManualForm(forms.Form):
    cuentas = forms.CharField(
        label=_("Números de las cuentas de los Proveedores"),
        help_text=_("Separados por comas o espacios, como aparecen en el Directorio."),
        max_length=20000,
        widget=CuentasInput(attrs={"rows": 2}),
        error_messages={"required": _("Elija al menos un Proveedor.")},
    )

    def ids(self) -> list[str]:
        return [part for part in self.cleaned_data["cuentas"].replace(",", " ").split() if part]


class RespuestaForm(forms.Form):
    mensaje = forms.CharField(label=_("Su respuesta"), max_length=5000, widget=forms.Textarea(attrs={"rows": 6}))
    archivos = ArchivosField(
        label=_("Anexos (opcional)"), help_text=_("Hasta 10 archivos: cotización, fichas técnicas, certificados.")
    )
