"""Forms of the entity console. They shape and pre-check what is typed; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from registro.entities.membership import catalogue
from registro.entities.membership.catalogue import Permiso
from registro.entities.membership.models import Membresia, rol_choices


class RolForm(forms.Form):
    """A role's name, description and permissions: only those of the catalogue that apply to the
    account (`catalogue.applicable`); the service refuses any other."""

    nombre = forms.CharField(label=_("Nombre del rol"), max_length=80)
    descripcion = forms.CharField(label=_("Descripción"), max_length=300, required=False)
    permisos = forms.MultipleChoiceField(
        label=_("Permisos"),
        choices=(),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("«%(value)s» no es un permiso que aplique a esta cuenta.")},
    )

    def __init__(self, *args, entidad, **kwargs):
        super().__init__(*args, **kwargs)
        aplica = catalogue.applicable(entidad)
        self.fields["permisos"].choices = [(value, label) for value, label in Permiso.choices if value in aplica]


def _roles_field(entidad) -> forms.MultipleChoiceField:
    return forms.MultipleChoiceField(
        label=_("Roles adicionales"),
        required=False,
        choices=[(str(r.pk), r.nombre) for r in entidad.roles.all()],
        widget=forms.CheckboxSelectMultiple,
    )


class InvitacionForm(forms.Form):
    correo = forms.EmailField(label=_("Correo electrónico de la persona invitada"), max_length=254)
    rol = forms.ChoiceField(label=_("Rol"), choices=Membresia.Rol.choices, initial=Membresia.Rol.COMPRADOR)
    mensaje = forms.CharField(label=_("Mensaje (opcional)"), max_length=1000, required=False, widget=forms.Textarea)

    def __init__(self, *args, entidad, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rol"].choices = rol_choices(entidad)
        self.fields["roles"] = _roles_field(entidad)
        self.order_fields(["correo", "rol", "roles", "mensaje"])


class UnidadForm(forms.Form):
    nombre = forms.CharField(label=_("Nombre de la unidad"), max_length=120)
    descripcion = forms.CharField(label=_("Descripción"), max_length=1000, required=False, widget=forms.Textarea)

    def __init__(self, *args, entidad, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["miembros"] = forms.MultipleChoiceField(
            label=_("Usuarios de la unidad"),
            required=False,
            choices=[
                (str(m.pk), f"{m.usuario.full_name} ({m.usuario.username})")
                for m in entidad.membresias.filter(activa=True).select_related("usuario").order_by("usuario__username")
            ],
            widget=forms.CheckboxSelectMultiple,
        )
