"""Forms of the supplier side: the commercial profile ("Editar datos") and the library's uploads.
They validate for the services as well as render: the same rules hold on the web and in the API,
and they are the registration's (R3.3 names, the NIT's check digit, Colombian phones, DIVIPOLA,
document numbers per type)."""

import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registro.accounts.models import DocumentType
from registro.accounts.validators import normalize_document_number, normalize_person_name, normalize_phone
from registro.core.forms import ReferenceChoiceField
from registro.core.models import Departamento, Municipio, TipoEmpresa
from registro.entities.account.models import Entidad, EventoEntidad, PerfilComercial, TamanoEmpresa
from registro.entities.registration import rules
from registro.entities.registration.forms import SI_NO, EntidadDatosForm, nit_checked
from registro.entities.registration.models import Documento
from registro.entities.supplier.selectors import persona_of

# What identifies the account: a change goes to the Mesa de Servicio as a case, it does not apply.
IDENTITY_FIELDS = ("nombre", "nit", "id_tributario")
# The account's own columns the profile edits.
ENTIDAD_FIELDS = ("nombre_abreviado", "departamento", "municipio", "telefono", "correo_notificaciones")
# The commercial profile's columns.
PERFIL_FIELDS = (
    "nombres",
    "apellidos",
    "direccion",
    "sitio_web",
    "representante_nombre",
    "representante_tipo_documento",
    "representante_numero_documento",
    "representante_correo",
    "representante_telefono",
    "tamano",
    "es_mipyme",
    "anio_fiscal",
    "activos",
    "pasivos",
    "patrimonio",
    "ingresos_operacionales",
)
MONEY_FIELDS = ("activos", "pasivos", "patrimonio", "ingresos_operacionales")
# Equity may be negative; assets, liabilities and income may not.
NON_NEGATIVE = ("activos", "pasivos", "ingresos_operacionales")
FIRST_FISCAL_YEAR = 1990


def parse_pesos(raw) -> Decimal | None:
    """An amount in Colombian pesos as people write it: "1.250.000.000", "1250000000,50",
    "$ 1.250.000" or a plain number (the API's). Dots group thousands when there is a decimal comma
    or when they group by three; otherwise a single dot is the decimal point."""
    text = re.sub(r"[\s$]", "", str(raw if raw is not None else ""))
    if not text:
        return None
    sign = ""
    if text[0] in "+-":
        sign, text = ("-" if text[0] == "-" else ""), text[1:]
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    elif text.count(".") > 1 or re.fullmatch(r"\d{1,3}(\.\d{3})+", text):
        text = text.replace(".", "")
    if not re.fullmatch(r"\d+(\.\d{1,2})?", text):
        raise ValidationError(
            _(
                "Escriba el valor en pesos, solo con números, puntos de miles y coma decimal (por ejemplo 1.250.000,50)."
            ),
            code="money_invalid",
        )
    if len(text.split(".")[0].lstrip("0")) > 16:
        raise ValidationError(_("El valor es demasiado grande."), code="money_too_large")
    return Decimal(sign + text)


class PerfilForm(forms.Form):
    """ "Editar datos" of the commercial profile (R9.2): the account's contact data and its
    commercial profile. The legal name and the NIT (or a foreign supplier's tax identifier) are
    validated here too, but a change to them is requested from the Mesa de Servicio; the service
    decides that. Fields that do not apply to the account (the legal representative of a natural
    person, DIVIPOLA abroad) are left out."""

    nombre = forms.CharField(
        label=_("Nombre o razón social"),
        max_length=255,
        help_text=_(
            "Tal como aparece en el RUT. Un cambio no se aplica de inmediato: se envía a la Mesa de Servicio, "
            "que lo revisa."
        ),
    )
    nit = forms.CharField(
        label=_("NIT"),
        max_length=20,
        help_text=_(
            "Sin el dígito de verificación. Un cambio no se aplica de inmediato: se envía a la Mesa de Servicio."
        ),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    id_tributario = forms.CharField(
        label=_("Identificación tributaria del país de origen"),
        max_length=30,
        help_text=_("Un cambio no se aplica de inmediato: se envía a la Mesa de Servicio."),
    )
    nombre_abreviado = forms.CharField(label=_("Nombre Abreviado"), max_length=60, required=False)
    nombres = forms.CharField(label=_("Nombres"), max_length=150)
    apellidos = forms.CharField(label=_("Apellidos"), max_length=150)
    departamento = ReferenceChoiceField(
        label=_("Departamento"), queryset=Departamento.objects.all(), empty_label=_("Seleccione…")
    )
    municipio = ReferenceChoiceField(
        label=_("Municipio o ciudad"),
        queryset=Municipio.objects.select_related("departamento"),
        empty_label=_("Seleccione…"),
    )
    direccion = forms.CharField(label=_("Dirección"), max_length=255)
    telefono = forms.CharField(
        label=_("Teléfono de contacto"), max_length=20, help_text=_("Fijo o celular de 10 dígitos, sin extensión.")
    )
    sitio_web = forms.URLField(label=_("Sitio web"), max_length=255, required=False, assume_scheme="https")
    correo_notificaciones = forms.EmailField(
        label=_("Correo electrónico para notificaciones SECOP II"),
        help_text=_("Todas las alertas de la cuenta llegan allí."),
    )
    representante_nombre = forms.CharField(label=_("Nombre del representante legal"), max_length=255)
    representante_tipo_documento = forms.ChoiceField(
        label=_("Tipo de documento del representante legal"),
        choices=[("", _("Seleccione…")), *DocumentType.choices],
    )
    representante_numero_documento = forms.CharField(
        label=_("Número de documento del representante legal"), max_length=20
    )
    representante_correo = forms.EmailField(label=_("Correo del representante legal"), required=False)
    representante_telefono = forms.CharField(label=_("Teléfono del representante legal"), max_length=20, required=False)
    tamano = forms.ChoiceField(
        label=_("Tamaño de la empresa"), choices=[("", _("Seleccione…")), *TamanoEmpresa.choices], required=False
    )
    es_mipyme = forms.ChoiceField(label=_("¿Es MiPyme?"), choices=SI_NO, widget=forms.RadioSelect, initial="no")
    anio_fiscal = forms.IntegerField(
        label=_("Año fiscal de la información financiera"),
        required=False,
        min_value=FIRST_FISCAL_YEAR,
        error_messages={
            "min_value": _("Escriba un año fiscal desde %(limit_value)s."),
            "invalid": _("Escriba el año con cuatro dígitos."),
        },
    )
    activos = forms.CharField(label=_("Activos"), max_length=40, required=False)
    pasivos = forms.CharField(label=_("Pasivos"), max_length=40, required=False)
    patrimonio = forms.CharField(label=_("Patrimonio"), max_length=40, required=False)
    ingresos_operacionales = forms.CharField(label=_("Ingresos operacionales"), max_length=40, required=False)

    def __init__(self, *args, entidad: Entidad, perfil: PerfilComercial | None = None, **kwargs):
        self.entidad = entidad
        self.persona = persona_of(entidad, perfil)
        self.extranjera = entidad.pais != "CO"
        super().__init__(*args, **kwargs)
        self.fields["municipio"].label_from_instance = lambda m: f"{m.nombre} ({m.departamento.nombre})"
        for name in MONEY_FIELDS:
            # One explanation for the four amounts, above them (perfil_form.html: #montos-ayuda).
            self.fields[name].widget.attrs.update({"inputmode": "decimal", "aria-describedby": "montos-ayuda"})
        self.fields["anio_fiscal"].max_value = timezone.localdate().year
        self.fields["anio_fiscal"].widget.attrs["max"] = timezone.localdate().year
        if self.persona == TipoEmpresa.Persona.NATURAL:
            for name in [n for n in self.fields if n.startswith("representante_")]:
                del self.fields[name]
        else:
            del self.fields["nombres"], self.fields["apellidos"]
        if self.extranjera:
            del self.fields["nit"], self.fields["departamento"], self.fields["municipio"]
            self.fields["telefono"].help_text = _("Con el indicativo del país, solo números (hasta 10 dígitos).")
        else:
            del self.fields["id_tributario"]

    def clean_nombre(self):
        raw = self.cleaned_data["nombre"]
        # R3.3 for Colombian names; a foreign legal name keeps its own spelling.
        name = " ".join(raw.split()) if self.extranjera else rules.normalize_legal_name(raw)
        current = self.entidad.nombre or ""
        if name == (" ".join(current.split()) if self.extranjera else rules.normalize_legal_name(current)):
            return current  # the same name, however it was written: not a change
        if len(name) < 3:
            raise ValidationError(_("Escriba el nombre o la razón social completa."))
        return name

    def clean_nombre_abreviado(self):
        return rules.normalize_short_name(self.cleaned_data["nombre_abreviado"])

    def clean_nit(self):
        number, dv = nit_checked(self.cleaned_data["nit"])
        if number != self.entidad.nit and Entidad.objects.filter(nit=number).exclude(pk=self.entidad.pk).exists():
            raise ValidationError(
                _("Ya hay otra cuenta registrada con el NIT %(nit)s-%(dv)s; no puede pasar a ser el de esta cuenta.")
                % {"nit": number, "dv": dv},
                code="nit_registrado",
            )
        return number

    def clean_id_tributario(self):
        value = re.sub(r"\s+", "", self.cleaned_data["id_tributario"]).upper()
        if not re.fullmatch(r"[A-Z0-9][A-Z0-9.\-/]{2,29}", value):
            raise ValidationError(
                _("Escriba la identificación tributaria con letras, números, puntos, guiones o barras (3 a 30).")
            )
        taken = Entidad.objects.filter(pais=self.entidad.pais, id_tributario=value).exclude(pk=self.entidad.pk).exists()
        if value != self.entidad.id_tributario and taken:
            raise ValidationError(_("Ya hay otra cuenta registrada con esa identificación tributaria en su país."))
        return value

    def clean_nombres(self):
        return normalize_person_name(self.cleaned_data["nombres"])

    def clean_apellidos(self):
        return normalize_person_name(self.cleaned_data["apellidos"])

    def clean_direccion(self):
        value = " ".join(self.cleaned_data["direccion"].split())
        if len(value) < 5:
            raise ValidationError(_("Escriba la dirección completa."))
        return value

    def clean_telefono(self):
        raw = self.cleaned_data["telefono"]
        if self.extranjera:
            digits = re.sub(r"[\s().+\-]", "", raw)
            if not re.fullmatch(r"[0-9]{7,10}", digits):
                raise ValidationError(_("Escriba el teléfono solo con números: entre 7 y 10 dígitos."))
            return digits
        phone = normalize_phone(raw)
        if not phone:
            raise ValidationError(_("Este campo es obligatorio."))
        return phone

    def clean_representante_nombre(self):
        return normalize_person_name(self.cleaned_data["representante_nombre"])

    def clean_representante_telefono(self):
        return normalize_phone(self.cleaned_data["representante_telefono"])

    def _clean_money(self, name):
        value = parse_pesos(self.cleaned_data.get(name))
        if value is not None and value < 0 and name in NON_NEGATIVE:
            raise ValidationError(_("El valor no puede ser negativo."))
        return value

    def clean_activos(self):
        return self._clean_money("activos")

    def clean_pasivos(self):
        return self._clean_money("pasivos")

    def clean_patrimonio(self):
        return self._clean_money("patrimonio")

    def clean_ingresos_operacionales(self):
        return self._clean_money("ingresos_operacionales")

    def clean(self):
        cleaned = super().clean()
        dpto, mpio = cleaned.get("departamento"), cleaned.get("municipio")
        if dpto and mpio and mpio.departamento_id != dpto.pk:
            self.add_error("municipio", _("El municipio no pertenece al departamento elegido."))
        if cleaned.get("tamano") == TamanoEmpresa.GRANDE and cleaned.get("es_mipyme") == "si":
            self.add_error("es_mipyme", _("Una gran empresa no es MiPyme: cambie el tamaño o responda «No»."))
        tipo, numero = cleaned.get("representante_tipo_documento"), cleaned.get("representante_numero_documento")
        if tipo and numero:
            try:
                cleaned["representante_numero_documento"] = normalize_document_number(tipo, numero)
            except ValidationError as exc:
                self.add_error("representante_numero_documento", exc)
        montos = [name for name in MONEY_FIELDS if cleaned.get(name) is not None]
        if montos and cleaned.get("anio_fiscal") is None and "anio_fiscal" not in self.errors:
            self.add_error("anio_fiscal", _("Escriba el año fiscal al que corresponde la información financiera."))
        return cleaned


class BibliotecaDocumentoForm(forms.Form):
    """A new document of the library: its type, title, visibility and file (R9.3, R2.4)."""

    tipo = forms.ChoiceField(
        label=_("Tipo de documento"),
        choices=[("", _("Seleccione…"))]
        + [(t, label) for t, label in Documento.Tipo.choices if t in Documento.BIBLIOTECA],
    )
    titulo = forms.CharField(
        label=_("Título"), max_length=150, help_text=_("Por ejemplo: «Contrato de suministro con el INVIAS 2024».")
    )
    visibilidad = forms.ChoiceField(
        label=_("Visibilidad"),
        choices=Documento.Visibilidad.choices,
        widget=forms.RadioSelect,
        initial=Documento.Visibilidad.DIRECTORIO,
    )


class BibliotecaSubirForm(BibliotecaDocumentoForm):
    """The page's form: the same fields and the file, whose checks (R2.5) are the upload's own."""

    archivo = forms.FileField(
        label=_("Archivo"),
        required=False,
        allow_empty_file=True,
        help_text=_("Se prefiere PDF legible. No se aceptan los tipos de archivo excluidos por la guía."),
    )


EventoEntidad.LABELS["campo"].update({name: f.label for name, f in EntidadDatosForm.base_fields.items()})
EventoEntidad.LABELS["campo"].update({name: f.label for name, f in PerfilForm.base_fields.items()})
EventoEntidad.LABELS["campo"]["visibilidad"] = _("Visibilidad")
EventoEntidad.LABELS["campo"]["categoria_principal"] = _("Categoría principal")
