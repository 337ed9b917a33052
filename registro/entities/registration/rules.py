"""The registration's rules (R2, R3, R9) as plain functions: names, NIT, tax identifiers,
phones, required documents."""

import re
import unicodedata
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum.co import nit as stdnum_nit
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.util import get_cc_module

from registro.accounts.models import DocumentType
from registro.accounts.validators import normalize_phone
from registro.core.models import TipoEmpresa
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


def certificado_vigente(fecha_expedicion: date, *, hoy: date, max_dias: int = CERTIFICADO_MAX_DIAS) -> bool:
    """R2.2: issued no more than `max_dias` (the guide's 90 for entities) before the submission,
    and not in the future."""
    return hoy - timedelta(days=max_dias) <= fecha_expedicion <= hoy


# --- Suppliers (R9) ---------------------------------------------------------------------------

# The documents of a supplier's registration (R9.3); the library's come after it, elsewhere.
DOCUMENTOS_PROVEEDOR = (
    Documento.Tipo.RUT,
    Documento.Tipo.CERTIFICADO_EXISTENCIA,
    Documento.Tipo.DOCUMENTO_IDENTIDAD,
    Documento.Tipo.RUP,
)


def proveedor_certificado_max_dias() -> int:
    return settings.PROVEEDOR_CERTIFICADO_MAX_DIAS


def documentos_requeridos_proveedor(*, persona: str) -> list[str]:
    """R9.3: the RUT, and the certificate of existence and legal representation (legal persons) or
    the identity document (natural persons). The RUP is optional."""
    tipos = [Documento.Tipo.RUT]
    if persona == TipoEmpresa.Persona.NATURAL:
        tipos.append(Documento.Tipo.DOCUMENTO_IDENTIDAD)
    else:
        tipos.append(Documento.Tipo.CERTIFICADO_EXISTENCIA)
    return [str(t) for t in tipos]


def nit_de_documento(tipo_documento: str, numero: str) -> str | None:
    """A natural person's NIT is the number of their cédula de ciudadanía (DIAN); for other
    documents the NIT is not derived."""
    if tipo_documento == DocumentType.CEDULA_CIUDADANIA and numero.isdigit():
        return numero
    return None


TAX_ID_RE = re.compile(r"[A-Z0-9](?:[A-Z0-9\-]{1,28})[A-Z0-9]")
# python-stdnum's modules for a country's tax identifiers, most general first: VAT numbers are
# companies' (and, in many countries, also people's), "tin" the United States' EIN/SSN/ITIN, and
# where a country has a separate personal number stdnum names it.
TAX_ID_MODULES = ("vat", "tin", "nif", "rfc", "ruc", "rut", "cuit", "cpf", "rif", "uscc")


class TaxIdError(ValueError):
    pass


def tax_id_modules(pais: str) -> list:
    modules = []
    for name in TAX_ID_MODULES:
        module = get_cc_module(pais.lower(), name) if re.fullmatch(r"[A-Za-z]{2}", pais or "") else None
        if module is not None and module not in modules and hasattr(module, "validate"):
            modules.append(module)
    return modules


def normalize_tax_id(pais: str, raw: str) -> str:
    """A foreign supplier's tax identifier (R9.2): 3 to 30 letters, digits or dashes (spaces and
    dots, which people copy, are dropped). Where python-stdnum knows the country's identifiers, it
    must be a valid one of them; it is kept in stdnum's compact form. Raises TaxIdError."""
    value = re.sub(r"[\s.]", "", raw or "").upper()
    if not value:
        raise TaxIdError("required")
    if not TAX_ID_RE.fullmatch(value):
        raise TaxIdError("format")
    modules = tax_id_modules(pais)
    if not modules:
        return value
    for module in modules:
        try:
            return str(module.validate(value)).upper()
        except (StdnumError, ValueError, TypeError):
            continue
    raise TaxIdError("invalid")


def normalize_any_phone(raw: str) -> str:
    """A Colombian phone (10 digits, as `normalize_phone`), or a foreign one in international form:
    "+", the country code and the number, 8 to 15 digits in all, kept as "+<digits>". Raises
    ValidationError with the reason."""
    value = (raw or "").strip()
    digits = re.sub(r"\D", "", value)
    if value.startswith("+") and not digits.startswith("57"):
        if re.search(r"(?i)ext|x\s*\d|#", value):
            return normalize_phone(value)  # its own message about extensions
        if not re.fullmatch(r"\+[\d\s().-]+", value) or not 8 <= len(digits) <= 15:
            raise ValidationError(
                _("Escriba el teléfono internacional con «+», el indicativo del país y el número (8 a 15 dígitos)."),
                code="phone_invalid",
            )
        return f"+{digits}"
    return normalize_phone(value)
