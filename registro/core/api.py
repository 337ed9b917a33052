"""What every app's API shares: the error envelope, bounded ids and page numbers, and the parser
that refuses text no database stores, so that every layer's handlers answer in the same shape and
never hand the database a value it refuses with a server error."""

import re
from typing import Annotated

from django.core.exceptions import RequestDataTooBig
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja.conf import settings as ninja_settings
from ninja.errors import ValidationError
from ninja.pagination import PageNumberPagination
from ninja.parser import Parser

API_PREFIX = "/api/"


def is_api(request) -> bool:
    """A request to the JSON API, which answers in the envelope, never with an HTML page."""
    return request.path_info.startswith(API_PREFIX)


# Primary keys are 64-bit (BigAutoField); a larger number overflows SQLite's INTEGER and
# PostgreSQL's bigint (a server error) instead of simply matching nothing.
MAX_BIGINT = 2**63 - 1

Id = Annotated[int, Field(ge=1, le=MAX_BIGINT, description="Identificador")]


def parse_id(value) -> int | None:
    """An id sent as text (a header, a form field): None unless it is a whole number in range."""
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if 1 <= number <= MAX_BIGINT else None


def unreadable_body(exc: Exception) -> tuple[int, str, str]:
    """Status, code and message for a body Django refused to read: too large (413), or a malformed
    multipart body or one with too many fields or files (400)."""
    if isinstance(exc, RequestDataTooBig):
        return 413, "request_too_large", _("La solicitud es demasiado grande.")
    return (
        400,
        "bad_request",
        _("No se pudo leer la solicitud: el formato no es válido o trae demasiados campos o archivos."),
    )


def error_body(code: str, message: str, detail: dict | None = None) -> dict:
    """`{"code", "message", "detail"}`: a stable code for programs, a Spanish message for people,
    and the details (the fields' errors, among them) that a client may show."""
    return {"code": code, "message": message, "detail": detail or {}}


class Pagination(PageNumberPagination):
    """ninja's page numbers, bounded so that the offset, (page - 1) × page size, still fits in
    64 bits: a page past the last is an empty page, a page number no database accepts is a 422."""

    class Input(Schema):
        page: int = Field(1, ge=1, le=MAX_BIGINT // ninja_settings.PAGINATION_MAX_PER_PAGE_SIZE)
        # Larger sizes are cut down to the maximum, as in ninja.
        page_size: int | None = Field(None, ge=1)


# NUL, which PostgreSQL's text refuses, and lone UTF-16 surrogates (a JSON "\\udb28"), which no
# UTF-8 database can store.
INVALID_CHARACTERS = re.compile("[\x00\ud800-\udfff]")
INVALID_TEXT_TYPE = "string_invalid_character"


def invalid_text_errors(value, loc: tuple) -> list[dict]:
    """Validation errors, in pydantic's shape, for every string in `value` (keys of objects too)
    with a character no database stores."""
    if isinstance(value, str):
        if INVALID_CHARACTERS.search(value):
            return [
                {
                    "type": INVALID_TEXT_TYPE,
                    "loc": list(loc),
                    "msg": _("El texto contiene caracteres no permitidos (NUL o sustitutos Unicode sueltos)."),
                }
            ]
        return []
    if isinstance(value, UploadedFile):
        return invalid_text_errors(value.name or "", loc)
    errors = []
    if isinstance(value, dict):
        for key, item in value.items():
            # The error's location names the key without its invalid characters.
            where = (*loc, INVALID_CHARACTERS.sub("\ufffd", str(key)))
            errors += invalid_text_errors(key, where) if isinstance(key, str) else []
            errors += invalid_text_errors(item, where)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            errors += invalid_text_errors(item, (*loc, index))
    return errors


class InvalidText(ValueError):
    """A JSON body with invalid text; ninja wraps what the parser raises in a 400 `HttpError`, whose
    handler (config/api.py) answers 422 with these errors instead."""

    def __init__(self, errors: list[dict]):
        super().__init__("invalid text")
        self.errors = errors


class TextCheckingParser(Parser):
    """ninja's parser, refusing invalid text in any field of a JSON body, the query or a form (and
    the names of uploaded files), whatever the operation declares."""

    def parse_body(self, request):
        data = super().parse_body(request)
        errors = invalid_text_errors(data, ("body",))
        if errors:
            raise InvalidText(errors)
        return data

    def parse_querydict(self, data, list_fields, request):
        result = super().parse_querydict(data, list_fields, request)
        source = "query" if data is request.GET else "file" if data is request.FILES else "form"
        errors = invalid_text_errors(result, (source,))
        if errors:
            raise ValidationError(errors)
        return result
