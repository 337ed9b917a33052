"""The Directorio's search form: the one validation of the search's parameters, for its page and its
API operation (which builds it from the query it received)."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from registro.core.api import INVALID_CHARACTERS
from registro.core.errors import ApplicationError, ErrorCode
from registro.core.forms import ReferenceChoiceField, Select
from registro.core.models import CodigoUNSPSC, Departamento, Municipio, TipoEmpresa
from registro.core.text import search_key
from registro.core.unspsc import unspsc_search
from registro.entities.account.models import TamanoEmpresa
from registro.entities.directory.search import Cursor, Filtros, Orden, Tipo

# The search's parameters that say what is searched (the cursor only says where a page starts).
SEARCH_FIELDS = ("q", "tipo", "unspsc", "departamento", "municipio", "tamano", "mipyme", "tipo_empresa", "orden")

UNSPSC_LENGTHS = {2: CodigoUNSPSC.Nivel.SEGMENTO, 4: CodigoUNSPSC.Nivel.FAMILIA, 6: CodigoUNSPSC.Nivel.CLASE}
UNSPSC_OPTIONS = 10  # codes offered when a name matches several
UNSPSC_MAX_LENGTH = 100


class DirectorioForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Nombre o NIT"),
        required=False,
        max_length=255,
        help_text=gettext_lazy(
            "Cualquier palabra del nombre, o su comienzo; no importan mayúsculas ni tildes. "
            "O el NIT, con o sin dígito de verificación."
        ),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )
    tipo = forms.MultipleChoiceField(
        label=gettext_lazy("Tipo de cuenta"), choices=Tipo.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    unspsc = forms.CharField(
        label=gettext_lazy("Código UNSPSC o su nombre"),
        required=False,
        max_length=UNSPSC_MAX_LENGTH,
        help_text=gettext_lazy(
            "Segmento (2 dígitos), familia (4), clase (6) o producto (8), por ejemplo 43 o 43211500, "
            "o palabras de su nombre, por ejemplo «computadores»: encuentra las cuentas con áreas de "
            "interés en ese código o debajo de él."
        ),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    departamento = ReferenceChoiceField(
        label=gettext_lazy("Departamento"),
        queryset=Departamento.objects.all(),
        required=False,
        empty_label=gettext_lazy("Cualquiera"),
    )
    municipio = ReferenceChoiceField(
        label=gettext_lazy("Municipio"),
        queryset=Municipio.objects.all(),
        required=False,
        empty_label=gettext_lazy("Cualquiera"),
    )
    tamano = forms.ChoiceField(
        label=gettext_lazy("Tamaño de la empresa"),
        choices=[("", gettext_lazy("Cualquiera")), *TamanoEmpresa.choices],
        required=False,
        widget=Select,
    )
    mipyme = forms.BooleanField(label=gettext_lazy("Solo MiPyme"), required=False)
    tipo_empresa = ReferenceChoiceField(
        label=gettext_lazy("Tipo de organización"),
        queryset=TipoEmpresa.objects.filter(activo=True),
        required=False,
        empty_label=gettext_lazy("Cualquiera"),
    )
    orden = forms.ChoiceField(label=gettext_lazy("Ordenar por"), choices=Orden.choices, required=False, widget=Select)
    cursor = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.codigo_unspsc: CodigoUNSPSC | None = None
        # The codes whose name holds the words typed, when they are several: the user picks one.
        self.unspsc_opciones: list[CodigoUNSPSC] = []

    def clean_q(self):
        value = self.cleaned_data["q"].strip()
        if INVALID_CHARACTERS.search(value):
            raise ValidationError(_("El texto contiene caracteres no permitidos."))
        return value

    def clean_unspsc(self):
        value = " ".join(self.cleaned_data["unspsc"].split())
        if not value:
            return ""
        digits = value.replace(" ", "")
        if digits.isascii() and digits.isdigit():
            codigo = self._unspsc_by_code(digits)
        else:
            codigo = self._unspsc_by_name(value)
        self.codigo_unspsc = codigo
        return codigo.prefijo

    @staticmethod
    def _unspsc_by_code(value: str) -> CodigoUNSPSC:
        if len(value) not in (2, 4, 6, 8):
            raise ValidationError(_("Escriba un código UNSPSC de 2, 4, 6 u 8 dígitos, por ejemplo 43 o 43211500."))
        if len(value) == 8:
            codigo = CodigoUNSPSC.objects.filter(pk=value).first()
        else:
            codigo = CodigoUNSPSC.objects.filter(pk=value.ljust(8, "0"), nivel=UNSPSC_LENGTHS[len(value)]).first()
        if codigo is None:
            raise ValidationError(_("El código UNSPSC %(codigo)s no existe en el clasificador.") % {"codigo": value})
        return codigo

    def _unspsc_by_name(self, value: str) -> CodigoUNSPSC:
        """The code whose Spanish name holds every word typed: the only one, or the one named
        exactly; several are offered to choose from (segments first, as the classifier's search)."""
        found = unspsc_search(query=value, limit=UNSPSC_OPTIONS + 1)
        if not found:
            raise ValidationError(
                _(
                    "Ningún código del clasificador UNSPSC tiene «%(texto)s» en su nombre. Pruebe con otras palabras o con el código."
                )
                % {"texto": value}
            )
        key = search_key(value)
        exact = [c for c in found if c.nombre_busqueda == key]
        if len(found) == 1 or len(exact) == 1:
            return (exact or found)[0]
        self.unspsc_opciones = found[:UNSPSC_OPTIONS]
        if len(found) > UNSPSC_OPTIONS:
            message = _(
                "Más de %(n)s códigos UNSPSC tienen «%(texto)s» en su nombre: elija uno de los primeros, "
                "escriba más palabras o el código."
            )
        else:
            message = _("%(n)s códigos UNSPSC tienen «%(texto)s» en su nombre: elija uno o escriba el código.")
        raise ValidationError(message % {"n": len(self.unspsc_opciones), "texto": value})

    def clean_cursor(self):
        value = self.cleaned_data["cursor"]
        if value:
            try:
                Cursor.decode(value)
            except Exception:
                raise ValidationError(
                    _("La página pedida no es válida. Vuelva a buscar desde la primera página.")
                ) from None
        return value

    def clean(self):
        data = super().clean()
        departamento, municipio = data.get("departamento"), data.get("municipio")
        if departamento and municipio and municipio.departamento_id != departamento.pk:
            self.add_error(
                "municipio",
                _("%(municipio)s no es un municipio de %(departamento)s.")
                % {"municipio": municipio.nombre, "departamento": departamento.nombre},
            )
        return data

    def filtros(self) -> Filtros:
        data = self.cleaned_data
        return Filtros(
            texto=data["q"],
            tipos=tuple(data["tipo"]),
            unspsc=data["unspsc"],
            departamento=data["departamento"].pk if data["departamento"] else "",
            municipio=data["municipio"].pk if data["municipio"] else "",
            tamano=data["tamano"],
            mipyme=data["mipyme"],
            tipo_empresa=data["tipo_empresa"].pk if data["tipo_empresa"] else None,
            orden=data["orden"] or Orden.RELEVANCIA,
        )

    def municipios(self) -> list[Municipio]:
        """The municipalities offered: those of the department chosen (or of the municipality's),
        by name; all 1,100 would weigh on every page. From the field's reference list, as its
        choices are (a query and 125 rows a page otherwise)."""
        departamento = None
        if self.is_bound and self.is_valid():
            if self.cleaned_data["departamento"]:
                departamento = self.cleaned_data["departamento"].pk
            elif self.cleaned_data["municipio"]:
                departamento = self.cleaned_data["municipio"].departamento_id
        if departamento is None:
            return []
        by_departamento = self.fields["municipio"].rows_by("departamento_id")
        if by_departamento is None:
            return list(Municipio.objects.filter(departamento=departamento).order_by("nombre"))
        return list(by_departamento.get(departamento, []))


def validated(data) -> DirectorioForm:
    """The search's form for parameters given as a dict or QueryDict (the API, the invitation of
    all the results), valid; a 422 naming each field otherwise, with the UNSPSC codes to choose
    from when a name matched several."""
    form = DirectorioForm(data)
    if not form.is_valid():
        errors = {name: [str(e) for e in messages] for name, messages in form.errors.items()}
        details = {"fields": errors}
        if form.unspsc_opciones:
            details["unspsc_opciones"] = [
                {"codigo": c.prefijo, "nivel": c.nivel, "nombre": c.nombre} for c in form.unspsc_opciones
            ]
        raise ApplicationError(ErrorCode.VALIDATION, _("Revise los parámetros de la búsqueda."), details, status=422)
    return form


def filtros_from(data) -> Filtros:
    """The validated filters of a search (see `validated`)."""
    return validated(data).filtros()
