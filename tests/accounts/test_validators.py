import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from registro.accounts.models import DocumentType, User
from registro.accounts.validators import normalize_document_number, normalize_person_name, normalize_phone


def messages_for(password, user=None):
    try:
        validate_password(password, user=user)
    except ValidationError as exc:
        return exc.messages
    return []


@pytest.mark.parametrize(
    ("password", "expected"),
    [
        ("Abc#1", "por lo menos 8 caracteres"),
        ("abcdefg#", "al menos un número"),
        ("12345678#", "al menos una letra"),
        ("Abcdefg12", "al menos un carácter especial"),
        ("password1!", "demasiado común"),
    ],
)
def test_each_weak_password_says_in_spanish_what_is_missing(password, expected):
    messages = messages_for(password)
    assert any(expected in m for m in messages), messages


def test_password_like_the_username_is_refused():
    user = User(username="mariagomez", email="maria@entidad.gov.co", first_name="María", last_name="Gómez")
    messages = messages_for("mariagomez#1", user=user)
    assert any("parecida" in m for m in messages), messages


def test_strong_password_passes():
    assert messages_for("Cl4ve#Segura-2026") == []


def test_a_password_with_only_a_missing_symbol_names_only_that():
    messages = messages_for("Zorro8Azul2026")
    assert len(messages) == 1 and "carácter especial" in messages[0]


@pytest.mark.parametrize(
    ("doc_type", "raw", "stored"),
    [
        (DocumentType.CEDULA_CIUDADANIA, "1.020.304.050", "1020304050"),
        (DocumentType.CEDULA_CIUDADANIA, " 79 123 456 ", "79123456"),
        (DocumentType.CEDULA_EXTRANJERIA, "123456", "123456"),
        (DocumentType.PASAPORTE, "ab-123 456", "AB123456"),
        (DocumentType.PPT, "1234567", "1234567"),
    ],
)
def test_document_numbers_are_normalised(doc_type, raw, stored):
    assert normalize_document_number(doc_type, raw) == stored


@pytest.mark.parametrize(
    ("doc_type", "raw"),
    [
        (DocumentType.CEDULA_CIUDADANIA, "0123456"),
        (DocumentType.CEDULA_CIUDADANIA, "12345678901"),
        (DocumentType.CEDULA_CIUDADANIA, "12AB45"),
        (DocumentType.CEDULA_EXTRANJERIA, "12345678"),
        (DocumentType.PASAPORTE, "AB#12"),
        (DocumentType.PPT, "12"),
        (DocumentType.CEDULA_CIUDADANIA, ""),
        ("XX", "123456"),
    ],
)
def test_invalid_document_numbers_are_refused(doc_type, raw):
    with pytest.raises(ValidationError):
        normalize_document_number(doc_type, raw)


@pytest.mark.parametrize(
    ("raw", "stored"),
    [("300 123 4567", "3001234567"), ("+57 601 234 5678", "6012345678"), ("(601) 234-5678", "6012345678"), ("", "")],
)
def test_colombian_phones(raw, stored):
    assert normalize_phone(raw) == stored


@pytest.mark.parametrize("raw", ["601 234 5678 ext 12", "2345678", "+1 212 555 0100", "4001234567", "teléfono"])
def test_bad_phones_are_refused(raw):
    with pytest.raises(ValidationError):
        normalize_phone(raw)


def test_names_keep_accents_and_refuse_markup():
    assert normalize_person_name("  María   José  ") == "María José"
    assert normalize_person_name("D'Angelo Núñez-Ruiz") == "D'Angelo Núñez-Ruiz"
    with pytest.raises(ValidationError):
        normalize_person_name("<script>alert(1)</script>")
    with pytest.raises(ValidationError):
        normalize_person_name("Ana2")
