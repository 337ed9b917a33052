"""The entity registration's rules (R2, R3) as plain functions: names, NIT, required documents."""

import re
import unicodedata
from datetime import date, timedelta

from stdnum.co import nit as stdnum_nit

from registro.entities.account.models import AreaNegocio
from registro.entities.registration.models import Documento

CERTIFICADO_MAX_DIAS = 90


def normalize_legal_name(raw: str) -> str:
    """R3.3: capitals, no accents, no special characters or punctuation, single spaces, one space
    each side of a hyphen. Ñ is a letter of Spanish and stays."""
    text = (raw or "").upper().replace("Ñ", "\0")
    text = "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))
    text = text.replace("\0", "Ñ")
    text = re.sub(r"[‐‑‒–—−]", "-", text)  # every dash is a hyphen
    text = re.sub(r"[.,'´`’]", "", text)  # abbreviations close up: E.S.E. → ESE
    text = re.sub(r"[^A-ZÑ0-9\- ]+", " ", text)
    text = re.sub(r"\s*-+\s*", " - ", text)
    text = " ".join(text.split())
    return text.strip(" -")


def normalize_short_name(raw: str) -> str:
    """R3.4: the abbreviated name or acronym, in capitals (SENA)."""
    return " ".join(normalize_legal_name(raw).split())


def split_nit(raw: str) -> tuple[str, str | None]:
    """The NIT's digits without check digit, and the check digit if one was typed after a dash.
    Dots and spaces are not part of the number."""
    cleaned = re.sub(r"[\s.]", "", raw or "")
    if "-" in cleaned:
        number, _, dv = cleaned.partition("-")
        return number, dv or None
    return cleaned, None


def nit_check_digit(nit: str) -> str:
    """DIAN modulo-11 check digit (python-stdnum)."""
    return stdnum_nit.calc_check_digit(nit)


def documentos_requeridos(*, ordenador_delegado: bool, area_negocio: str) -> list[str]:
    """R2.1–R2.2: the mandatory documents for this entity."""
    tipos = [Documento.Tipo.ACTO_ESTRUCTURA]
    if ordenador_delegado:
        tipos += [Documento.Tipo.ACTO_DELEGACION, Documento.Tipo.ACTA_POSESION_DELEGADO]
    else:
        tipos.append(Documento.Tipo.ACTA_POSESION_ORDENADOR)
    tipos += [Documento.Tipo.AUTORIZACION_ADMINISTRADOR, Documento.Tipo.RUT]
    if area_negocio == AreaNegocio.PUBLICO_PRIVADO:
        tipos.append(Documento.Tipo.CERTIFICADO_EXISTENCIA)
    return [str(t) for t in tipos]


def certificado_vigente(fecha_expedicion: date, *, hoy: date) -> bool:
    """R2.2: issued no more than 90 days before the submission."""
    return hoy - timedelta(days=CERTIFICADO_MAX_DIAS) <= fecha_expedicion <= hoy
