"""Text read from a document's PDF, and names and numbers looked up in it."""

import logging
import re

from registro.core.files import inspection, isolation, previews
from registro.core.text import fold
from registro.entities.registration.models import Documento

from .base import MIN_TEXT_CHARS

logger = logging.getLogger(__name__)

# --- PDF text ---------------------------------------------------------------------------------


def pdf_text(documento: Documento, *, max_pages: int = 30) -> str:
    """The text of the stored file's first `max_pages` pages; "" when it is not a PDF, does not
    open, is encrypted, or has no text layer. Never raises. pypdf reads it in the bounded child
    process of the upload checks, so a huge or hostile file costs that process, not this one."""
    try:
        with previews.local_path(documento) as path:
            return isolation.run(inspection.pdf_text, path, max_pages)
    except Exception as error:  # missing file, storage error, or the child failed or timed out
        logger.info("Could not read the text of document %s: %s: %s", documento.pk, type(error).__name__, error)
        return ""


def _has_text(folded: str) -> bool:
    return len(folded.replace(" ", "")) >= MIN_TEXT_CHARS


# --- matching helpers -------------------------------------------------------------------------


def _match_form(text: str) -> str:
    """The form names are looked for in: `fold`, with Ñ as N."""
    return fold(text).replace("Ñ", "N")


def name_in_text(name: str, text: str) -> bool:
    """Whether `name` appears in `text` as a whole sequence of words, ignoring case, accents,
    punctuation, line breaks and repeated spaces."""
    wanted = _match_form(name)
    return bool(wanted) and f" {wanted} " in f" {_match_form(text)} "


def person_name_in_text(first_name: str, last_name: str, text: str) -> bool:
    """ "Nombres Apellidos" or "Apellidos Nombres" in `text` (see `name_in_text`)."""
    return name_in_text(f"{first_name} {last_name}", text) or name_in_text(f"{last_name} {first_name}", text)


def _number_pattern(number: str, *, suffix: str = "") -> re.Pattern | None:
    chars = re.sub(r"[^0-9A-Z]", "", fold(number))
    if not chars:
        return None
    boundary = "0-9" if chars.isdigit() else "0-9A-Z"
    body = " ?".join(re.escape(c) for c in chars)
    tail = f"(?: ?{re.escape(suffix)})?" if suffix else ""
    return re.compile(rf"(?<![{boundary}]){body}{tail}(?![{boundary}])")


def number_in_text(number: str, text: str, *, suffix: str = "") -> str | None:
    """Where `number` appears in `text` ignoring dots, spaces, commas and dashes between its
    characters (one separator at most, "1.020.304.050", "8 9 0 9 0 5 2 1 1"), as the folded
    match; None when it does not. `suffix` (a check digit) may follow it."""
    pattern = _number_pattern(number, suffix=suffix)
    if pattern is None:
        return None
    found = pattern.search(fold(text))
    return found.group(0) if found else None
