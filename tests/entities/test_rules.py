from datetime import date

import pytest

from registro.entities.account.models import AreaNegocio
from registro.entities.registration import rules
from registro.entities.registration.models import Documento


@pytest.mark.parametrize(
    ("raw", "normalised"),
    [
        ("Alcaldía Municipal de Santa Fe de Antioquia", "ALCALDIA MUNICIPAL DE SANTA FE DE ANTIOQUIA"),
        ("E.S.E. Hospital San José – Nariño", "ESE HOSPITAL SAN JOSE - NARIÑO"),
        ("Instituto  Colombiano-de   Bienestar Familiar (ICBF)", "INSTITUTO COLOMBIANO - DE BIENESTAR FAMILIAR ICBF"),
        ("municipio de pasto--nariño", "MUNICIPIO DE PASTO - NARIÑO"),
        ("  Gobernación del Cauca; Secretaría: ¡General!  ", "GOBERNACION DEL CAUCA SECRETARIA GENERAL"),
        ("Ñuñoa & Cía. S.A.S.", "ÑUÑOA CIA SAS"),
    ],
)
def test_legal_names_follow_r3_3(raw, normalised):
    assert rules.normalize_legal_name(raw) == normalised


def test_short_name_in_capitals():
    assert rules.normalize_short_name("Sena") == "SENA"
    assert rules.normalize_short_name("i.c.b.f.") == "ICBF"


@pytest.mark.parametrize(
    ("raw", "split"),
    [
        ("899999001", ("899999001", None)),
        ("899.999.001-7", ("899999001", "7")),
        (" 899 999 001 - 7", ("899999001", "7")),
    ],
)
def test_nit_is_split_from_its_check_digit(raw, split):
    assert rules.split_nit(raw.replace(" - ", "-")) == split


@pytest.mark.parametrize(("nit", "dv"), [("899999001", "7"), ("860034313", "7"), ("800197268", "4")])
def test_check_digit_is_dians_modulo_11(nit, dv):
    assert rules.nit_check_digit(nit) == dv


def test_required_documents_depend_on_delegation_and_business_area():
    T = Documento.Tipo
    assert rules.documentos_requeridos(ordenador_delegado=False, area_negocio=AreaNegocio.PUBLICO) == [
        T.ACTO_ESTRUCTURA,
        T.ACTA_POSESION_ORDENADOR,
        T.AUTORIZACION_ADMINISTRADOR,
        T.RUT,
    ]
    delegated = rules.documentos_requeridos(ordenador_delegado=True, area_negocio=AreaNegocio.PUBLICO_PRIVADO)
    assert T.ACTA_POSESION_ORDENADOR not in delegated
    assert {T.ACTO_DELEGACION, T.ACTA_POSESION_DELEGADO, T.CERTIFICADO_EXISTENCIA} <= set(delegated)


def test_certificate_age_is_checked_against_90_days():
    hoy = date(2026, 11, 25)
    assert rules.certificado_vigente(date(2026, 8, 27), hoy=hoy)  # 90 days before
    assert not rules.certificado_vigente(date(2026, 8, 26), hoy=hoy)  # 91
    assert not rules.certificado_vigente(date(2026, 11, 26), hoy=hoy)  # future
