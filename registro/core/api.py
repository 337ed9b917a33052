"""What every app's API shares: the error envelope, bounded ids and page numbers, so that every
layer's handlers answer in the same shape and never hand the database a number it cannot store."""

from typing import Annotated

from ninja import Field, Schema
from ninja.conf import settings as ninja_settings
from ninja.pagination import PageNumberPagination

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
