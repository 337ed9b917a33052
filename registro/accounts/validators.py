"""Validators for the "Registrar usuario" form: password composition (R1.4), usernames, identity
documents and Colombian phone numbers."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import DocumentType


class CharacterClassesValidator:
    """At least one letter, one number and one special character (R1.4); one message per
    missing class, so the user knows exactly what to add."""

    def validate(self, password, user=None):
        errors = []
        if not any(ch.isalpha() for ch in password):
            errors.append(
                ValidationError(_("La contraseña debe incluir al menos una letra."), code="password_no_letter")
            )
        if not any(ch.isdigit() for ch in password):
            errors.append(
                ValidationError(_("La contraseña debe incluir al menos un número."), code="password_no_number")
            )
        if not any(_is_special(ch) for ch in password):
            errors.append(
                ValidationError(
                    _("La contraseña debe incluir al menos un carácter especial (por ejemplo ! # $ % & * - _ .)."),
                    code="password_no_special",
                )
            )
        if errors:
            raise ValidationError(errors)

    def get_help_text(self):
        return _("Debe incluir letras, números y caracteres especiales.")


def _is_special(ch: str) -> bool:
    return not ch.isalnum() and not ch.isspace() and unicodedata.category(ch)[0] in {"P", "S"}


username_validators = [
    RegexValidator(
        r"^[A-Za-z0-9_.@+-]+\Z",
        gettext_lazy("El nombre de usuario solo puede contener letras sin tildes, números y los caracteres . @ + - _"),
        code="invalid_username",
    )
]

# Document numbers as issued in Colombia. Cédulas: 3 to 10 digits without leading zero (old
# cédulas are short, those issued since 2003 have 10). Cédula de extranjería: 3 to 7 digits.
# Pasaporte: 5 to 20 letters or digits. PPT: 5 to 10 digits.
_DOCUMENT_RULES = {
    DocumentType.CEDULA_CIUDADANIA: (
        re.compile(r"[1-9]\d{2,9}"),
        gettext_lazy(
            "La cédula de ciudadanía debe tener entre 3 y 10 dígitos, sin puntos ni espacios, y no puede empezar por 0."
        ),
    ),
    DocumentType.CEDULA_EXTRANJERIA: (
        re.compile(r"\d{3,7}"),
        gettext_lazy("La cédula de extranjería debe tener entre 3 y 7 dígitos."),
    ),
    DocumentType.PASAPORTE: (
        re.compile(r"[A-Z0-9]{5,20}"),
        gettext_lazy("El pasaporte debe tener entre 5 y 20 letras o números, sin espacios ni símbolos."),
    ),
    DocumentType.PPT: (
        re.compile(r"\d{5,10}"),
        gettext_lazy("El Permiso por Protección Temporal debe tener entre 5 y 10 dígitos."),
    ),
}


def normalize_document_number(document_type: str, number: str) -> str:
    """Returns the number as stored, or raises ValidationError saying what is wrong."""
    raw = (number or "").strip()
    if document_type in (DocumentType.CEDULA_CIUDADANIA, DocumentType.CEDULA_EXTRANJERIA, DocumentType.PPT):
        # People copy numbers as "1.020.304.050"; dots and spaces are not part of the number.
        raw = re.sub(r"[.\s]", "", raw)
    else:
        raw = re.sub(r"[\s-]", "", raw).upper()
    if not raw:
        raise ValidationError(_("Escriba el número de documento."), code="document_required")
    try:
        pattern, message = _DOCUMENT_RULES[DocumentType(document_type)]
    except ValueError:
        raise ValidationError(_("Seleccione un tipo de documento válido."), code="document_type_invalid") from None
    if not pattern.fullmatch(raw):
        raise ValidationError(message, code="document_number_invalid")
    return raw


_NAME_RE = re.compile(r"[^\W\d_]+(?:[ '.\-][^\W\d_]*)*\.?", re.UNICODE)


def normalize_person_name(value: str) -> str:
    """Names and surnames: letters (any accent), spaces, apostrophes, dots and hyphens."""
    cleaned = " ".join((value or "").split())
    if not cleaned:
        raise ValidationError(_("Este campo es obligatorio."), code="required")
    if not _NAME_RE.fullmatch(cleaned):
        raise ValidationError(
            _("Use solo letras, espacios, apóstrofos, puntos y guiones (sin números ni símbolos como < >)."),
            code="name_invalid",
        )
    return cleaned


def normalize_phone(value: str) -> str:
    """A Colombian phone without extension: a 10-digit mobile (3xx) or landline (60x), with an
    optional +57 country code. Returns the 10 digits."""
    raw = (value or "").strip()
    if not raw:
        return ""
    if re.search(r"(?i)ext|x\s*\d|#", raw):
        raise ValidationError(_("Escriba el teléfono sin extensión."), code="phone_extension")
    if not re.fullmatch(r"[+\d\s().-]+", raw):
        raise ValidationError(
            _("El teléfono solo puede contener números, espacios, guiones y el prefijo +57."), code="phone_invalid"
        )
    digits = re.sub(r"\D", "", raw)
    if raw.startswith("+") or (len(digits) == 12 and digits.startswith("57")):
        if not digits.startswith("57"):
            raise ValidationError(_("Solo se aceptan teléfonos de Colombia (+57)."), code="phone_country")
        digits = digits[2:]
    if len(digits) != 10 or digits[0] not in "36" or (digits[0] == "6" and digits[1] != "0"):
        raise ValidationError(
            _("Escriba un celular de 10 dígitos (empieza por 3) o un fijo de 10 dígitos (empieza por 60)."),
            code="phone_invalid",
        )
    return digits
