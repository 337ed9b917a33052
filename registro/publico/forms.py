from django import forms
from django.utils.translation import gettext_lazy as _

from registro.core.errors import ApplicationError
from registro.core.forms import Select
from registro.core.models import Departamento

from . import selectors


class FiltrosForm(forms.Form):
    """The download page's filters; the rules are `selectors.filtros_parse`, as for the files."""

    departamento = forms.ChoiceField(label=_("Departamento"), required=False, widget=Select)
    unspsc = forms.CharField(
        label=_("Código UNSPSC (prefijo)"),
        required=False,
        max_length=8,
        help_text=_(
            "2 a 8 dígitos: las cuentas con un área de interés dentro de ese segmento, familia, clase o producto."
        ),
    )
    tipo = forms.ChoiceField(
        label=_("Tipo de cuenta"),
        required=False,
        choices=[("", _("Todas")), ("entidad_estatal", _("Entidad Estatal")), ("proveedor", _("Proveedor"))],
    )
    modificado_desde = forms.CharField(
        label=_("Modificadas desde"),
        required=False,
        help_text=_(
            "AAAA-MM-DD, o fecha y hora ISO 8601: solo las cuentas cuyos datos públicos cambiaron desde entonces."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["departamento"].choices = [("", _("Todos"))] + [
            (d.codigo, f"{d.nombre} ({d.codigo})") for d in Departamento.objects.order_by("nombre")
        ]
        self.filtros = selectors.Filtros()

    def clean(self):
        data = super().clean()
        try:
            self.filtros = selectors.filtros_parse(data)
        except ApplicationError as exc:
            for field, messages in exc.detail.get("fields", {}).items():
                for message in messages:
                    self.add_error(field, message)
        return data
