"""Forms of the entity registration. They validate the draft's data for the services as well as
render it: the same rules hold on the web and in the API."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registro.accounts.models import DocumentType
from registro.accounts.validators import normalize_document_number, normalize_person_name, normalize_phone
from registro.core import countries, unspsc
from registro.core.forms import ReferenceChoiceField
from registro.core.models import ClasificacionEntidad, Departamento, Municipio, TipoEmpresa
from registro.entities.account.models import AreaNegocio, Entidad, TamanoEmpresa, TipoCuenta, TipoOrganizacion
from registro.entities.registration import rules

SI_NO = [("si", _("Sí")), ("no", _("No"))]


def nit_checked(raw: str) -> tuple[str, str]:
    """A Colombian NIT as typed (dots, spaces, an optional "-DV"): its digits and its check digit,
    or the reason it is not one (R3.5)."""
    number, typed_dv = rules.split_nit(raw)
    if not re.fullmatch(r"[0-9]{6,10}", number):
        raise ValidationError(_("El NIT tiene entre 6 y 10 dígitos, sin puntos ni dígito de verificación."))
    dv = rules.nit_check_digit(number)
    if typed_dv is not None and typed_dv != dv:
        raise ValidationError(
            _("El dígito de verificación de este NIT es %(dv)s, no %(typed)s. Revise el NIT en el RUT.")
            % {"dv": dv, "typed": typed_dv},
            code="nit_dv",
        )
    return number, dv


class PreRegistroForm(forms.Form):
    """R3.2: what the official system asks before "Generar formulario"."""

    pais = forms.ChoiceField(label=_("País"), choices=[("CO", _("Colombia"))], initial="CO")
    tipo_cuenta = forms.ChoiceField(
        label=_("Tipo de cuenta"), choices=[("entidad_estatal", _("Entidad Estatal"))], initial="entidad_estatal"
    )
    registrada_siif = forms.ChoiceField(
        label=_("¿La Entidad está registrada en el SIIF?"),
        choices=SI_NO,
        widget=forms.RadioSelect,
        help_text=_("El SIIF Nación solo incluye Entidades del orden nacional."),
    )
    codigo_pci = forms.CharField(
        label=_("Código PCI"),
        max_length=20,
        required=False,
        help_text=_("Posición de Catálogo Institucional en el SIIF. Obligatorio si la Entidad está en el SIIF."),
    )
    area_negocio = forms.ChoiceField(
        label=_("Área de negocio de la Entidad"),
        choices=AreaNegocio.choices,
        widget=forms.RadioSelect,
        help_text=_("«Público y Privado»: presupuesto privado pero contrata con recursos públicos."),
    )
    tipo_organizacion = forms.ChoiceField(
        label=_("Tipo de organización"), choices=TipoOrganizacion.choices, widget=forms.RadioSelect
    )

    def clean_codigo_pci(self):
        value = self.cleaned_data["codigo_pci"].strip().upper()
        if value and not re.fullmatch(r"[0-9A-Z][0-9A-Z\-]{1,19}", value):
            raise ValidationError(_("El código PCI solo tiene números, letras y guiones."))
        return value

    def clean(self):
        cleaned = super().clean()
        siif, pci = cleaned.get("registrada_siif"), cleaned.get("codigo_pci")
        if siif == "si" and not pci and "codigo_pci" not in self.errors:
            self.add_error("codigo_pci", _("Escriba el código PCI: la Entidad está registrada en el SIIF."))
        if siif == "no" and pci:
            self.add_error("codigo_pci", _("Deje el código PCI vacío: la Entidad no está registrada en el SIIF."))
        return cleaned


def _clasificacion(campo: str, label: str) -> ReferenceChoiceField:
    return ReferenceChoiceField(
        label=label,
        queryset=ClasificacionEntidad.objects.filter(campo=campo, activo=True),
        empty_label=_("Seleccione…"),
        error_messages={"invalid_choice": _("Seleccione un valor de la lista.")},
    )


class EntidadForm(forms.Form):
    """R3.3–R3.7: the account form. The certificate's date is asked only for "Público y Privado"."""

    nombre = forms.CharField(
        label=_("Nombre de la Entidad Estatal"),
        max_length=255,
        help_text=_(
            "Tal como fue constituida: en mayúsculas, sin tildes, sin caracteres especiales ni signos de "
            "puntuación, con un espacio antes y después del guion."
        ),
    )
    nombre_abreviado = forms.CharField(
        label=_("Nombre Abreviado"), max_length=60, required=False, help_text=_("Sigla, por ejemplo SENA.")
    )
    nit = forms.CharField(
        label=_("NIT"),
        max_length=20,
        help_text=_("Sin el dígito de verificación; compárelo con el que muestra el RUT."),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    orden = _clasificacion("orden", _("Orden"))
    rama = _clasificacion("rama", _("Rama"))
    sector = _clasificacion("sector", _("Sector"))
    tipo_entidad = _clasificacion("tipo_entidad", _("Tipo de Entidad"))
    entidad_superior_nombre = forms.CharField(
        label=_("Entidad de la que depende"),
        max_length=255,
        required=False,
        help_text=_(
            "Búsqueda (Lupa): escriba parte del nombre o el NIT y elija de la lista de Entidades registradas. "
            "Déjelo vacío si no depende de otra."
        ),
    )
    entidad_superior_nit = forms.CharField(required=False, max_length=20, widget=forms.HiddenInput)
    departamento = ReferenceChoiceField(
        label=_("Departamento"), queryset=Departamento.objects.all(), empty_label=_("Seleccione…")
    )
    municipio = ReferenceChoiceField(
        label=_("Municipio o ciudad de la sede principal"),
        queryset=Municipio.objects.select_related("departamento"),
        empty_label=_("Seleccione…"),
    )
    telefono = forms.CharField(
        label=_("Teléfono de contacto"), max_length=20, help_text=_("Fijo o celular de 10 dígitos, sin extensión.")
    )
    correo_notificaciones = forms.EmailField(
        label=_("Correo electrónico para notificaciones SECOP II"),
        help_text=_("Del área que gestiona la contratación: todas las alertas de la cuenta llegan allí."),
    )
    ordenador_delegado = forms.ChoiceField(
        label=_("¿La ordenación del gasto está delegada?"),
        choices=SI_NO,
        widget=forms.RadioSelect,
        initial="no",
        help_text=_("Si está delegada, anexe el acto de delegación y el acta de posesión del delegado."),
    )
    certificado_fecha_expedicion = forms.DateField(
        label=_("Fecha de expedición del certificado de existencia y representación legal"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Solo Entidades «Público y Privado». No puede tener más de 90 días al finalizar."),
    )

    def __init__(self, *args, pre: dict | None = None, **kwargs):
        self.pre = pre or {}
        super().__init__(*args, **kwargs)
        self.fields["municipio"].label_from_instance = lambda m: f"{m.nombre} ({m.departamento.nombre})"
        for name in ("orden", "rama", "sector", "tipo_entidad"):
            # The select's label already says which list it is: "Nacional", not "Orden: Nacional".
            self.fields[name].label_from_instance = lambda c: c.valor

    def clean_nombre(self):
        name = rules.normalize_legal_name(self.cleaned_data["nombre"])
        if len(name) < 3:
            raise ValidationError(_("Escriba el nombre completo de la Entidad."))
        return name

    def clean_nombre_abreviado(self):
        return rules.normalize_short_name(self.cleaned_data["nombre_abreviado"])

    def clean_nit(self):
        number, dv = nit_checked(self.cleaned_data["nit"])
        if Entidad.objects.filter(nit=number).exists():
            raise ValidationError(
                _(
                    "Ya hay una Entidad registrada con el NIT %(nit)s-%(dv)s. No se puede registrar de nuevo: "
                    "solicite acceso a ella."
                )
                % {"nit": number, "dv": dv},
                code="nit_registrado",
            )
        return number

    def clean_telefono(self):
        phone = normalize_phone(self.cleaned_data["telefono"])
        if not phone:
            raise ValidationError(_("Este campo es obligatorio."))
        return phone

    def clean(self):
        cleaned = super().clean()
        dpto, mpio = cleaned.get("departamento"), cleaned.get("municipio")
        if dpto and mpio and mpio.departamento_id != dpto.pk:
            self.add_error("municipio", _("El municipio no pertenece al departamento elegido."))
        orden = cleaned.get("orden")
        if self.pre.get("registrada_siif") == "si" and orden and orden.valor != "Nacional":
            self.add_error(
                "orden",
                _("El SIIF solo incluye Entidades del orden nacional: revise el Orden o la respuesta sobre el SIIF."),
            )
        self._clean_superior(cleaned)
        self._clean_certificado(cleaned)
        return cleaned

    def _clean_superior(self, cleaned):
        nit = rules.split_nit(cleaned.get("entidad_superior_nit") or "")[0]
        name = (cleaned.get("entidad_superior_nombre") or "").strip()
        cleaned["entidad_superior"] = None
        if not nit and not name:
            return
        superior = Entidad.objects.filter(nit=nit).first() if nit else None
        if superior is None:
            self.add_error(
                "entidad_superior_nombre",
                _("Elija la Entidad de la que depende entre las registradas (use la búsqueda), o deje el campo vacío."),
            )
        elif superior.nit == cleaned.get("nit"):
            self.add_error("entidad_superior_nombre", _("Una Entidad no puede depender de sí misma."))
        else:
            cleaned["entidad_superior"] = superior

    def _clean_certificado(self, cleaned):
        fecha = cleaned.get("certificado_fecha_expedicion")
        if self.pre.get("area_negocio") != AreaNegocio.PUBLICO_PRIVADO:
            cleaned["certificado_fecha_expedicion"] = None
            return
        if fecha is None:
            if "certificado_fecha_expedicion" not in self.errors:
                self.add_error(
                    "certificado_fecha_expedicion",
                    _("Escriba la fecha de expedición del certificado de existencia y representación legal."),
                )
            return
        if not rules.certificado_vigente(fecha, hoy=timezone.localdate()):
            self.add_error(
                "certificado_fecha_expedicion",
                _(
                    "El certificado debe haber sido expedido en los últimos %(dias)s días y no puede tener fecha "
                    "futura; anexe uno más reciente."
                )
                % {"dias": rules.CERTIFICADO_MAX_DIAS},
            )


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


# --- Suppliers (R9) ---------------------------------------------------------------------------


class TipoCuentaForm(forms.Form):
    """The pre-form page's first question: which kind of account (R3.2, R9.1)."""

    tipo_cuenta = forms.ChoiceField(
        label=_("Tipo de cuenta"),
        choices=TipoCuenta.choices,
        initial=TipoCuenta.ENTIDAD_ESTATAL,
        widget=forms.RadioSelect,
        help_text=_(
            "«Entidad Estatal» si compra a nombre del Estado; «Proveedor» si vende bienes o servicios, como persona "
            "natural o jurídica, colombiana o extranjera."
        ),
    )


class PreRegistroProveedorForm(forms.Form):
    """R9.1: what a supplier answers before "Generar formulario"."""

    pais = forms.ChoiceField(
        label=_("País del Proveedor"),
        choices=countries.paises,
        initial=countries.COLOMBIA,
        help_text=_("Donde fue constituida la empresa o, si es persona natural, el país de su nacionalidad."),
    )
    area_negocio = forms.ChoiceField(
        label=_("Área de negocio del Proveedor"),
        choices=[
            (AreaNegocio.PRIVADO, AreaNegocio.PRIVADO.label),
            (AreaNegocio.PUBLICO_PRIVADO, AreaNegocio.PUBLICO_PRIVADO.label),
        ],
        initial=AreaNegocio.PRIVADO,
        widget=forms.RadioSelect,
        help_text=_("«Privado» para casi todos los Proveedores; «Público y Privado» si tiene capital público."),
    )
    tipo_empresa = forms.ModelChoiceField(
        label=_("Tipo de organización del Proveedor"),
        queryset=TipoEmpresa.objects.filter(activo=True),
        to_field_name="codigo",
        empty_label=None,
        widget=forms.RadioSelect,
        error_messages={"invalid_choice": _("Elija un tipo de organización de la lista.")},
    )

    def clean(self):
        cleaned = super().clean()
        pais, tipo = cleaned.get("pais"), cleaned.get("tipo_empresa")
        if pais and tipo:
            extranjero = pais != countries.COLOMBIA
            if tipo.extranjera and not extranjero:
                self.add_error(
                    "pais",
                    _("«%(tipo)s» es de otro país: elija el país de origen, o un tipo de organización colombiano.")
                    % {"tipo": tipo.nombre},
                )
            elif extranjero and not tipo.extranjera:
                self.add_error(
                    "tipo_empresa",
                    _(
                        "«%(tipo)s» es un tipo de organización colombiano: para un Proveedor de %(pais)s elija "
                        "«Persona natural extranjera» o «Persona jurídica extranjera»."
                    )
                    % {"tipo": tipo.nombre, "pais": countries.pais_nombre(pais)},
                )
        return cleaned


def proveedor_tipo(datos: dict) -> TipoEmpresa | None:
    """The type of organisation a supplier's draft names, active or not (for showing its form)."""
    codigo = str(datos.get("tipo_empresa") or "")
    return TipoEmpresa.objects.filter(codigo=codigo).first() if codigo else None


class PesosField(forms.DecimalField):
    """An amount in Colombian pesos as people write it: "$ 1.250.000,50", "1250000.5" or "1250000"."""

    widget = forms.TextInput

    def __init__(self, **kwargs):
        kwargs.setdefault("max_digits", 18)
        kwargs.setdefault("decimal_places", 2)
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("inputmode", "decimal")

    def to_python(self, value):
        text = re.sub(r"[\s$]|COP", "", str(value or ""), flags=re.IGNORECASE)
        if "," in text:
            text = text.replace(".", "").replace(",", ".")
        elif text.count(".") > 1 or re.fullmatch(r"-?\d{1,3}\.\d{3}", text):
            text = text.replace(".", "")  # thousands separators
        return super().to_python(text)

    def widget_attrs(self, widget):
        # Not a number input: the separators people type are accepted.
        return {k: v for k, v in super().widget_attrs(widget).items() if k not in ("step", "min", "max")}


def _documentos() -> list[tuple[str, str]]:
    return [("", _("Seleccione…")), *DocumentType.choices]


class ProveedorForm(forms.Form):
    """R9.2: the supplier's form, for a legal or a natural person, Colombian or foreign, with its
    areas of interest (R9.4). Built for the draft's country and type of organisation: the fields
    that do not apply are left out, so they are neither shown nor checked."""

    # A legal person.
    nombre = forms.CharField(label=_("Razón social"), max_length=255)
    nombre_abreviado = forms.CharField(
        label=_("Nombre Abreviado"), max_length=60, required=False, help_text=_("Sigla o nombre corto, si lo tiene.")
    )
    # A natural person.
    nombres = forms.CharField(label=_("Nombres"), max_length=150)
    apellidos = forms.CharField(label=_("Apellidos"), max_length=150)
    tipo_documento = forms.ChoiceField(label=_("Tipo de documento"), choices=_documentos)
    numero_documento = forms.CharField(label=_("Número de documento"), max_length=20)
    # Identification.
    nit = forms.CharField(
        label=_("NIT"),
        max_length=20,
        help_text=_("Sin el dígito de verificación; compárelo con el que muestra el RUT."),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )
    id_tributario = forms.CharField(
        label=_("Identificación tributaria del país de origen"),
        max_length=40,
        help_text=_(
            "El número con el que paga impuestos en su país (por ejemplo EIN, RFC, NIF o RUC): letras, números y guiones."
        ),
    )
    # Location and contact (R9.2).
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
        label=_("Teléfono de contacto"),
        max_length=25,
        help_text=_("En Colombia, fijo o celular de 10 dígitos; de otro país, con «+» y el indicativo. Sin extensión."),
    )
    sitio_web = forms.URLField(label=_("Sitio web"), max_length=255, required=False, assume_scheme="https")
    correo_notificaciones = forms.EmailField(
        label=_("Correo electrónico para notificaciones SECOP II"),
        help_text=_("Todas las alertas de la cuenta llegan allí: invitaciones de las Entidades y avisos."),
    )
    # The legal representative (required for legal persons, R9.2).
    representante_nombre = forms.CharField(label=_("Nombres y apellidos del representante legal"), max_length=255)
    representante_tipo_documento = forms.ChoiceField(
        label=_("Tipo de documento del representante legal"), choices=_documentos
    )
    representante_numero_documento = forms.CharField(
        label=_("Número de documento del representante legal"), max_length=20
    )
    representante_correo = forms.EmailField(label=_("Correo electrónico del representante legal"))
    representante_telefono = forms.CharField(label=_("Teléfono del representante legal"), max_length=25)
    # Size.
    tamano = forms.ChoiceField(
        label=_("Tamaño de la empresa"), choices=[("", _("Seleccione…")), *TamanoEmpresa.choices]
    )
    es_mipyme = forms.ChoiceField(
        label=_("¿Es MiPyme?"),
        choices=SI_NO,
        initial="no",
        widget=forms.RadioSelect,
        help_text=_("Micro, pequeña o mediana empresa. Una gran empresa no es MiPyme."),
    )
    # Optional financial information (R9.2), in Colombian pesos.
    anio_fiscal = forms.IntegerField(
        label=_("Año fiscal"), required=False, min_value=1990, widget=forms.TextInput(attrs={"inputmode": "numeric"})
    )
    activos = PesosField(label=_("Activos"), min_value=0)
    pasivos = PesosField(label=_("Pasivos"), min_value=0)
    patrimonio = PesosField(label=_("Patrimonio"), help_text=_("Activos menos pasivos. Si lo deja vacío, se calcula."))
    ingresos_operacionales = PesosField(label=_("Ingresos operacionales"), min_value=0)
    certificado_fecha_expedicion = forms.DateField(
        label=_("Fecha de expedición del certificado de existencia y representación legal"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    # Áreas de interés (R9.4): the codes, separated by commas, and the main one.
    areas = forms.CharField(label=_("Áreas de interés"), required=False, max_length=10000)
    categoria_principal = forms.CharField(label=_("Categoría principal"), required=False, max_length=20)

    LEGAL_ONLY = (
        "nombre",
        "nombre_abreviado",
        "representante_nombre",
        "representante_tipo_documento",
        "representante_numero_documento",
        "representante_correo",
        "representante_telefono",
        "certificado_fecha_expedicion",
    )
    NATURAL_ONLY = ("nombres", "apellidos", "tipo_documento", "numero_documento")

    def __init__(self, *args, pais: str = countries.COLOMBIA, tipo: TipoEmpresa | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.pais = pais or countries.COLOMBIA
        self.tipo = tipo
        self.persona = tipo.persona if tipo else TipoEmpresa.Persona.JURIDICA
        self.extranjero = self.pais != countries.COLOMBIA
        self.cuenta_registrada: Entidad | None = None
        natural = self.persona == TipoEmpresa.Persona.NATURAL
        for name in self.LEGAL_ONLY if natural else self.NATURAL_ONLY:
            del self.fields[name]
        if self.extranjero:
            del self.fields["departamento"], self.fields["municipio"]
            self.fields["nit"].required = False
            self.fields["nit"].help_text = _("Solo si también tiene NIT en Colombia; sin el dígito de verificación.")
        else:
            del self.fields["id_tributario"]
        if natural:
            self.fields["nit"].required = False
            if not self.extranjero:
                self.fields["nit"].help_text = _(
                    "Con cédula de ciudadanía su NIT es el número de la cédula: puede dejarlo vacío. Con otro "
                    "documento, escriba el NIT de su RUT, sin el dígito de verificación."
                )
            self.fields["tamano"].required = False
        else:
            self.fields["nombre"].help_text = (
                _("Tal como aparece en el documento de constitución de su país. Se registra como lo escriba.")
                if self.extranjero
                else _(
                    "Tal como fue constituida: en mayúsculas, sin tildes, sin caracteres especiales ni signos de "
                    "puntuación, con un espacio antes y después del guion."
                )
            )
            self.fields["certificado_fecha_expedicion"].help_text = _(
                "No puede tener más de %(dias)s días al finalizar. Una empresa extranjera anexa el documento "
                "equivalente de su país."
            ) % {"dias": rules.proveedor_certificado_max_dias()}
        if "municipio" in self.fields:
            self.fields["municipio"].label_from_instance = lambda m: f"{m.nombre} ({m.departamento.nombre})"
        self.fields["anio_fiscal"].validators.append(MaxValueValidator(timezone.localdate().year))

    # --- Names --------------------------------------------------------------------------------

    def clean_nombre(self):
        typed = " ".join(self.cleaned_data["nombre"].split())
        # R3.3 is the Colombian rule; a foreign legal name stays as constituted, with the
        # normalised form only suggested on the page.
        name = typed if self.extranjero else rules.normalize_legal_name(typed)
        if len(name) < 3:
            raise ValidationError(_("Escriba la razón social completa."))
        return _fits(name, 255)

    def clean_nombre_abreviado(self):
        value = self.cleaned_data["nombre_abreviado"]
        return _fits(" ".join(value.split()) if self.extranjero else rules.normalize_short_name(value), 60)

    def clean_nombres(self):
        return normalize_person_name(self.cleaned_data["nombres"])

    def clean_apellidos(self):
        return normalize_person_name(self.cleaned_data["apellidos"])

    def clean_representante_nombre(self):
        return normalize_person_name(self.cleaned_data["representante_nombre"])

    # --- Identification -----------------------------------------------------------------------

    def clean_nit(self):
        raw = self.cleaned_data["nit"].strip()
        if not raw:
            return ""
        number, _dv = nit_checked(raw)
        return number

    def clean_id_tributario(self):
        pais = countries.pais_nombre(self.pais)
        try:
            return rules.normalize_tax_id(self.pais, self.cleaned_data["id_tributario"])
        except rules.TaxIdError as error:
            reason = str(error)
        if reason == "required":
            raise ValidationError(_("Escriba la identificación tributaria de su país."))
        if reason == "format":
            raise ValidationError(
                _("La identificación tributaria tiene entre 3 y 30 letras, números o guiones (sin otros signos).")
            )
        raise ValidationError(
            _("«%(valor)s» no es una identificación tributaria válida de %(pais)s. Revísela en sus documentos.")
            % {"valor": self.cleaned_data["id_tributario"].strip(), "pais": pais}
        )

    def clean_telefono(self):
        return self._phone("telefono")

    def clean_representante_telefono(self):
        return self._phone("representante_telefono")

    def _phone(self, name):
        phone = rules.normalize_any_phone(self.cleaned_data[name])
        if not phone:
            raise ValidationError(_("Este campo es obligatorio."))
        return phone

    def clean(self):
        cleaned = super().clean()
        if "departamento" in self.fields:
            dpto, mpio = cleaned.get("departamento"), cleaned.get("municipio")
            if dpto and mpio and mpio.departamento_id != dpto.pk:
                self.add_error("municipio", _("El municipio no pertenece al departamento elegido."))
        self._clean_natural_name(cleaned)
        self._clean_documents(cleaned)
        self._clean_identification(cleaned)
        self._clean_size(cleaned)
        self._clean_financials(cleaned)
        self._clean_certificado(cleaned)
        self._clean_areas(cleaned)
        return cleaned

    def _clean_natural_name(self, cleaned):
        nombres, apellidos = cleaned.get("nombres"), cleaned.get("apellidos")
        if nombres and apellidos and len(f"{nombres} {apellidos}") > 255:
            self.add_error("apellidos", _("Los nombres y apellidos juntos tienen como máximo 255 caracteres."))

    def _clean_documents(self, cleaned):
        for prefix in ("", "representante_"):
            tipo_field, numero_field = f"{prefix}tipo_documento", f"{prefix}numero_documento"
            if tipo_field not in self.fields or numero_field in self.errors:
                continue
            tipo = cleaned.get(tipo_field)
            if not tipo:
                continue
            try:
                cleaned[numero_field] = normalize_document_number(tipo, cleaned.get(numero_field, ""))
            except ValidationError as error:
                self.add_error(numero_field, error)
                cleaned.pop(numero_field, None)

    def _clean_identification(self, cleaned):
        """The NIT: typed by legal persons; a natural person's is their cédula's number (DIAN). A
        foreign supplier may have none. One account per NIT, and per country and tax id (R3.5)."""
        natural = self.persona == TipoEmpresa.Persona.NATURAL
        if "nit" in self.errors:
            return
        nit = cleaned.get("nit", "")
        if natural:
            derived = rules.nit_de_documento(cleaned.get("tipo_documento", ""), cleaned.get("numero_documento", ""))
            if derived and nit and nit != derived:
                self.add_error(
                    "nit",
                    _("Con cédula de ciudadanía, el NIT es el número de la cédula (%(numero)s).") % {"numero": derived},
                )
                return
            if derived and not nit:
                if len(derived) < 5:
                    self.add_error(
                        "nit",
                        _("Una cédula de menos de 5 dígitos no da un NIT: escriba el NIT que aparece en su RUT."),
                    )
                    return
                nit = derived
            if (
                not nit
                and not self.extranjero
                and "numero_documento" not in self.errors
                and cleaned.get("tipo_documento")
            ):
                self.add_error("nit", _("Escriba el NIT que aparece en su RUT, sin el dígito de verificación."))
                return
        cleaned["nit"] = nit
        cleaned["dv"] = rules.nit_check_digit(nit) if nit else ""
        existente = Entidad.objects.filter(nit=nit).first() if nit else None
        if existente is not None:
            self.cuenta_registrada = existente
            self.add_error(
                "nit",
                ValidationError(
                    _(
                        "Ya hay una cuenta registrada con el NIT %(nit)s: %(nombre)s (%(tipo)s). No se puede registrar "
                        "de nuevo: haga la «Solicitud de acceso» a ella."
                    )
                    % {"nit": existente.nit_con_dv, "nombre": existente.nombre, "tipo": existente.tipo_label},
                    code="nit_registrado",
                ),
            )
            return
        id_tributario = cleaned.get("id_tributario", "")
        if id_tributario:
            existente = Entidad.objects.filter(pais=self.pais, id_tributario=id_tributario).first()
            if existente is not None:
                self.cuenta_registrada = existente
                self.add_error(
                    "id_tributario",
                    ValidationError(
                        _(
                            "Ya hay una cuenta registrada de %(pais)s con la identificación tributaria %(id)s: "
                            "%(nombre)s. No se puede registrar de nuevo: haga la «Solicitud de acceso» a ella."
                        )
                        % {"pais": countries.pais_nombre(self.pais), "id": id_tributario, "nombre": existente.nombre},
                        code="nit_registrado",
                    ),
                )

    def _clean_size(self, cleaned):
        if cleaned.get("tamano") == TamanoEmpresa.GRANDE and cleaned.get("es_mipyme") == "si":
            self.add_error("es_mipyme", _("Una gran empresa no es MiPyme: responda «No» o revise el tamaño."))

    def _clean_financials(self, cleaned):
        values = {name: cleaned.get(name) for name in ("activos", "pasivos", "patrimonio", "ingresos_operacionales")}
        if any(name in self.errors for name in values):
            return
        activos, pasivos, patrimonio = values["activos"], values["pasivos"], values["patrimonio"]
        if activos is not None and pasivos is not None:
            esperado = activos - pasivos
            if patrimonio is None:
                cleaned["patrimonio"] = esperado
            elif patrimonio != esperado:
                self.add_error(
                    "patrimonio",
                    _(
                        "El patrimonio es igual a los activos menos los pasivos: con los valores escritos es "
                        "%(esperado)s, no %(patrimonio)s. Corrija el valor que esté mal, o deje el patrimonio vacío "
                        "para calcularlo."
                    )
                    % {"esperado": pesos(esperado), "patrimonio": pesos(patrimonio)},
                )
        if any(v is not None for v in values.values()) and cleaned.get("anio_fiscal") is None:
            if "anio_fiscal" not in self.errors:
                self.add_error("anio_fiscal", _("Indique el año fiscal al que corresponde la información financiera."))

    def _clean_certificado(self, cleaned):
        if "certificado_fecha_expedicion" not in self.fields:
            return
        fecha = cleaned.get("certificado_fecha_expedicion")
        dias = rules.proveedor_certificado_max_dias()
        if fecha is not None and not rules.certificado_vigente(fecha, hoy=timezone.localdate(), max_dias=dias):
            self.add_error(
                "certificado_fecha_expedicion",
                _(
                    "El certificado de existencia y representación legal debe haber sido expedido en los últimos "
                    "%(dias)s días y no puede tener fecha futura; anexe uno más reciente."
                )
                % {"dias": dias},
            )

    def _clean_areas(self, cleaned):
        seleccion = unspsc.parse_selection([cleaned.get("areas", "")], cleaned.get("categoria_principal", ""))
        cleaned["seleccion"] = seleccion
        if seleccion.desconocidos:
            self.add_error(
                "areas",
                _(
                    "Estos códigos no están en el Clasificador de Bienes y Servicios (UNSPSC): %(codigos)s. Quítelos, "
                    "o búsquelos por su nombre."
                )
                % {"codigos": ", ".join(seleccion.desconocidos)},
            )
        elif not seleccion.codigos:
            self.add_error("areas", _("Elija al menos un código del clasificador: su categoría principal."))
        elif not seleccion.principal:
            if len(seleccion.codigos) == 1:
                cleaned["seleccion"] = unspsc.Selection(codigos=seleccion.codigos, principal=seleccion.codigos[0])
            else:
                self.add_error(
                    "categoria_principal", _("Marque cuál de los códigos elegidos es su categoría principal.")
                )


def _fits(value: str, length: int) -> str:
    # The normalisation puts spaces around hyphens: the result, not what was typed, must fit.
    if len(value) > length:
        raise ValidationError(
            _("Así escrito tiene %(n)s caracteres; el máximo es %(max)s.") % {"n": len(value), "max": length}
        )
    return value


def pesos(value) -> str:
    """An amount as Colombians write it: $ 1.250.000 (cents only when there are some)."""
    sign = "-" if value < 0 else ""
    whole, _sep, cents = f"{abs(value):.2f}".partition(".")
    text = f"{int(whole):,}".replace(",", ".")
    return f"{sign}$ {text}" + (f",{cents}" if cents != "00" else "")
