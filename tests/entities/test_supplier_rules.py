"""The supplier registration's rules as plain functions and form checks (R9): foreign tax
identifiers with python-stdnum, international phones, amounts as Colombians write them, the names'
lengths after normalisation, the documents each kind of person attaches, and the countries."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from registro.core import countries
from registro.core.models import TipoEmpresa
from registro.entities.registration import rules
from registro.entities.registration.forms import PesosField, ProveedorForm, pesos


@pytest.mark.parametrize(
    ("pais", "typed", "stored"),
    [
        ("US", "12-3456789", "123456789"),  # EIN, compacted
        ("MX", "GODE561231GR8", "GODE561231GR8"),  # RFC
        ("ES", "b-1234567 4", "B12345674"),  # NIF: spaces and case do not matter
        ("PE", "20100070970", "20100070970"),  # RUC
        ("CL", "76.086.428-5", "760864285"),  # RUT, dots dropped
        ("BO", "1020703023", "1020703023"),  # no stdnum module: kept
    ],
)
def test_a_foreign_tax_id_is_validated_and_kept_compact(pais, typed, stored):
    assert rules.normalize_tax_id(pais, typed) == stored


@pytest.mark.parametrize(
    ("pais", "typed", "reason"),
    [
        ("ES", "B1234", "invalid"),
        ("MX", "GODE561331GR8", "invalid"),
        ("US", "00-0000000", "invalid"),
        ("BO", "A/B", "format"),
        ("BO", "AB", "format"),
        ("BO", "X" * 31, "format"),
        ("BO", "", "required"),
    ],
)
def test_a_wrong_foreign_tax_id_says_why(pais, typed, reason):
    with pytest.raises(rules.TaxIdError) as error:
        rules.normalize_tax_id(pais, typed)
    assert str(error.value) == reason


@pytest.mark.parametrize(
    ("typed", "stored"),
    [("+1 (212) 555-0100", "+12125550100"), ("+57 300 123 4567", "3001234567"), ("606 333 4455", "6063334455")],
)
def test_phones_are_colombian_or_international(typed, stored):
    assert rules.normalize_any_phone(typed) == stored


@pytest.mark.parametrize("typed", ["+1 555", "+44 20 7946 0958 ext 12", "+1 212 555 0100 9999 9"])
def test_a_wrong_international_phone_is_refused(typed):
    with pytest.raises(ValidationError):
        rules.normalize_any_phone(typed)


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("$ 1.250.000,50", Decimal("1250000.50")),
        ("1.250.000", Decimal("1250000")),
        ("1.500", Decimal("1500")),
        ("1250000.5", Decimal("1250000.5")),
        ("-3.000", Decimal("-3000")),
        ("900000000 COP", Decimal("900000000")),
    ],
)
def test_amounts_are_read_as_colombians_write_them(typed, value):
    assert PesosField().clean(typed) == value


def test_amounts_are_written_as_colombians_read_them():
    assert pesos(Decimal("1250000")) == "$ 1.250.000"
    assert pesos(Decimal("-60.5")) == "-$ 60,50"


def test_the_documents_depend_on_the_kind_of_person():
    assert rules.documentos_requeridos_proveedor(persona="juridica") == ["rut", "certificado_existencia"]
    assert rules.documentos_requeridos_proveedor(persona="natural") == ["rut", "documento_identidad"]
    assert "rup" in rules.DOCUMENTOS_PROVEEDOR


def test_only_a_cedula_gives_a_nit():
    assert rules.nit_de_documento("CC", "52345678") == "52345678"
    assert rules.nit_de_documento("CE", "456789") is None


def test_every_country_has_a_spanish_name():
    names = dict(countries.paises())
    assert len(names) == 249
    assert (names["CO"], names["DE"], names["BR"]) == ("Colombia", "Alemania", "Brasil")
    assert countries.pais_nombre("xx") == "xx" and not countries.es_pais("XX")


@pytest.mark.django_db
def test_names_must_fit_after_normalisation(reference_data):
    juridica = TipoEmpresa.objects.get(codigo="sas")
    form = ProveedorForm({"nombre_abreviado": "A-" * 25 + "B", "nombre": "x" * 3}, tipo=juridica)
    form.is_valid()
    assert "el máximo es 60" in form.errors["nombre_abreviado"][0]  # "A - A - ..." is 101 long
    natural = TipoEmpresa.objects.get(codigo="persona-natural-colombiana")
    form = ProveedorForm({"nombres": "Ana " * 37, "apellidos": "Pérez " * 25}, tipo=natural)
    form.is_valid()
    assert "como máximo 255 caracteres" in form.errors["apellidos"][0]
