from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from registro.core.models import ClasificacionEntidad
from registro.entities.account.models import Entidad
from registro.entities.registration.forms import EntidadForm, PreRegistroForm

from .models import Asunto, Caso, TipoSolicitud, TipoUsuario

CASO_FIELDS = [
    "nombres",
    "apellidos",
    "numero_documento",
    "nombre_entidad",
    "departamento",
    "municipio",
    "correo",
    "telefono",
    "celular",
    "tipo_solicitud",
    "asunto",
    "tipo_usuario",
    "descripcion",
]


class CasoForm(forms.ModelForm):
    """ "Crear caso" (R4.1): the requester's data comes pre-filled and can be corrected. `nit_entidad`
    names the registered entity a request is about when the requester does not belong to it (the
    designation of a new Usuario Administrador)."""

    nit_entidad = forms.CharField(
        label=_("NIT de la Entidad"),
        max_length=20,
        required=False,
        help_text=_(
            "Para pedir la designación de un nuevo Usuario Administrador: el NIT de la Entidad registrada, "
            "sin el dígito de verificación."
        ),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )

    class Meta:
        model = Caso
        fields = CASO_FIELDS
        widgets = {
            "tipo_solicitud": forms.RadioSelect,
            "descripcion": forms.Textarea(attrs={"rows": 6}),
        }
        help_texts = {
            "descripcion": _("Por ejemplo: «Solicito la activación de la cuenta de la Entidad»."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["tipo_solicitud"].choices = TipoSolicitud.choices
        self.fields["asunto"].choices = [("", _("Seleccione…"))] + Asunto.choices
        self.fields["tipo_usuario"].choices = [("", _("Seleccione…"))] + TipoUsuario.choices
        for name in ("telefono", "celular", "departamento", "municipio", "nombre_entidad"):
            self.fields[name].required = False


class MensajeForm(forms.Form):
    texto = forms.CharField(label=_("Mensaje"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
    adjunto = forms.FileField(label=_("Adjuntar archivo"), required=False)


class MotivoForm(forms.Form):
    motivo = forms.CharField(
        label=_("Motivo"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class RevisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Decisión"),
        choices=[("aceptado", _("Aceptado")), ("rechazado", _("Rechazado"))],
        widget=forms.RadioSelect,
    )
    motivo = forms.CharField(label=_("Motivo del rechazo"), max_length=2000, required=False)


class FiltroColaForm(forms.Form):
    estado = forms.ChoiceField(
        label=_("Estado"), required=False, choices=[("", _("Abiertos (todos)"))] + Caso.Estado.choices
    )
    asunto = forms.ChoiceField(label=_("Asunto"), required=False, choices=[("", _("Todos"))] + Asunto.choices)


CLASIFICACIONES = ("orden", "rama", "sector", "tipo_entidad")


class EntidadDatosForm(EntidadForm, PreRegistroForm):
    """ "Corregir datos de la Entidad" while the desk asks for corrections: the account form and the
    questions before it, with the registration's own rules (EntidadForm, PreRegistroForm). The NIT
    identifies the entity and cannot change: the field is fixed to the entity's."""

    pais = None
    tipo_cuenta = None

    field_order = [
        "registrada_siif",
        "codigo_pci",
        "area_negocio",
        "tipo_organizacion",
        "nombre",
        "nombre_abreviado",
        "nit",
        "orden",
        "rama",
        "sector",
        "tipo_entidad",
        "entidad_superior_nombre",
        "entidad_superior_nit",
        "departamento",
        "municipio",
        "telefono",
        "correo_notificaciones",
        "ordenador_delegado",
        "certificado_fecha_expedicion",
    ]

    def __init__(self, *args, entidad: Entidad, **kwargs):
        self.entidad = entidad
        super().__init__(*args, **kwargs)
        nit = self.fields["nit"]
        nit.disabled = True
        nit.required = False
        nit.initial = entidad.nit
        nit.help_text = _("El NIT identifica a la Entidad y no se puede cambiar.")
        for name in CLASIFICACIONES:
            # A value retired from the lists after the registration is still accepted for this entity.
            current = getattr(entidad, f"{name}_id")
            field = self.fields[name]
            field.queryset = ClasificacionEntidad.objects.filter(campo=name).filter(Q(activo=True) | Q(pk=current))

    def clean_nit(self):
        # Fixed: never the unique-NIT check of a new registration, which the entity itself would trip.
        return self.entidad.nit

    def clean(self):
        # The answers before the form (SIIF, business area) are on the same page here.
        self.pre = {
            "registrada_siif": self.cleaned_data.get("registrada_siif"),
            "area_negocio": self.cleaned_data.get("area_negocio"),
        }
        cleaned = super().clean()
        superior = cleaned.get("entidad_superior")
        seen = {self.entidad.pk}
        while superior is not None:
            if superior.pk in seen:
                self.add_error(
                    "entidad_superior_nombre",
                    _("La Entidad elegida depende, directa o indirectamente, de esta Entidad."),
                )
                cleaned["entidad_superior"] = None
                break
            seen.add(superior.pk)
            superior = superior.entidad_superior
        return cleaned


class DesignarAdministradorForm(forms.Form):
    usuario = forms.CharField(
        label=_("Usuario o correo electrónico"),
        max_length=254,
        help_text=_("De una persona registrada y activa en la plataforma. Por omisión, quien abrió el caso."),
    )
    motivo = forms.CharField(
        label=_("Motivo de la designación"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )
