"""Forms of the entity registration. They validate the draft's data for the services as well as
render it: the same rules hold on the web and in the API."""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from registro.accounts.validators import normalize_phone
from registro.core.models import ClasificacionEntidad, Departamento, Municipio
from registro.entities.account.models import AreaNegocio, Entidad, TipoOrganizacion
from registro.entities.registration import rules

SI_NO = [("si", _("Sí")), ("no", _("No"))]


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


def _clasificacion(campo: str, label: str) -> forms.ModelChoiceField:
    return forms.ModelChoiceField(
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
    departamento = forms.ModelChoiceField(
        label=_("Departamento"), queryset=Departamento.objects.all(), empty_label=_("Seleccione…")
    )
    municipio = forms.ModelChoiceField(
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
        number, typed_dv = rules.split_nit(self.cleaned_data["nit"])
        if not re.fullmatch(r"[0-9]{6,10}", number):
            raise ValidationError(_("El NIT tiene entre 6 y 10 dígitos, sin puntos ni dígito de verificación."))
        dv = rules.nit_check_digit(number)
        if typed_dv is not None and typed_dv != dv:
            raise ValidationError(
                _("El dígito de verificación de este NIT es %(dv)s, no %(typed)s. Revise el NIT en el RUT.")
                % {"dv": dv, "typed": typed_dv}
            )
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
