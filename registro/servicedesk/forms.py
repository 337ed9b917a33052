from django import forms
from django.utils.translation import gettext_lazy as _

from registro.entities.account.models import Entidad, TipoCuenta

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
        # A change of NIT or legal name is asked for from the account's "Editar datos", with its values.
        self.fields["asunto"].choices = [("", _("Seleccione…"))] + [
            (value, label) for value, label in Asunto.choices if value != Asunto.CAMBIO_IDENTIFICACION
        ]
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


class DesignarAdministradorForm(forms.Form):
    usuario = forms.CharField(
        label=_("Usuario o correo electrónico"),
        max_length=254,
        help_text=_("De una persona registrada y activa en la plataforma. Por omisión, quien abrió el caso."),
    )
    motivo = forms.CharField(
        label=_("Motivo de la designación"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )


class FiltroCuentasForm(forms.Form):
    """The desk's "Cuentas": search by name or NIT, and filter by kind and state."""

    q = forms.CharField(label=_("Nombre o NIT de la cuenta"), max_length=255, required=False)
    tipo = forms.ChoiceField(label=_("Tipo de cuenta"), required=False, choices=[("", _("Todas"))] + TipoCuenta.choices)
    estado = forms.ChoiceField(label=_("Estado"), required=False, choices=[("", _("Todos"))] + Entidad.Estado.choices)


class FiltroUsuariosForm(forms.Form):
    """The desk's "Usuarios": one box for a username, an e-mail address, a document number or names."""

    q = forms.CharField(
        label=_("Usuario, correo electrónico, número de documento o nombres"), max_length=254, required=False
    )


class CuentaMotivoForm(forms.Form):
    """The reason the desk gives to suspend or reactivate an account: required, with the service's
    own message when missing."""

    TEXTS = {
        "suspender": (_("Motivo de la suspensión"), _("Escriba el motivo de la suspensión.")),
        "reactivar": (_("Motivo de la reactivación"), _("Escriba el motivo de la reactivación.")),
    }

    # The length is the service's to refuse (one message); the browser is told too.
    motivo = forms.CharField(label=_("Motivo"), widget=forms.Textarea(attrs={"rows": 3, "maxlength": 5000}))

    def __init__(self, *args, accion: str, **kwargs):
        super().__init__(*args, **kwargs)
        label, required = self.TEXTS[accion]
        self.fields["motivo"].label = label
        self.fields["motivo"].error_messages = {**self.fields["motivo"].error_messages, "required": required}


class CerrarSesionesForm(forms.Form):
    """ "Cerrar todas las sesiones" of a user: the reason is required (the service says so too)."""

    motivo = forms.CharField(
        label=_("Motivo"),
        help_text=_("Queda en el historial de accesos del usuario y se le envía por correo."),
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": 5000}),
        error_messages={"required": _("Escriba el motivo por el que cierra las sesiones del usuario.")},
    )


class RetirarSegundoFactorForm(forms.Form):
    """ "Retirar segundo factor" on a user's page; its own prefix keeps its field's id apart from
    the page's other forms."""

    prefix = "segundo_factor"
    motivo = forms.CharField(
        label=_("Motivo del retiro"),
        max_length=5000,
        # The service refuses an empty reason with this same message (once on the page).
        error_messages={"required": _("Escriba el motivo por el que retira el segundo factor.")},
        help_text=_("Cómo comprobó la identidad de la persona y por qué perdió su segundo factor (p. ej. el caso)."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
