"""Automatic pre-checks the Mesa de Servicio sees beside an entity's documents while it reviews the
activation: the things the desk otherwise checks by eye. They only inform; nothing is decided
here, and nothing here raises on a bad or unreadable file.

`prechecks_for(entidad)` returns, in this order:

1. ``nit_dv`` — the stored check digit is the DIAN modulo-11 digit of the NIT.
2. ``certificado_vigencia`` — (Público y Privado only) the certificate of existence was issued no
   more than 90 days before it was uploaded (R2.2).
3. ``autorizacion_administrador`` — (R2.3) every active Administrador's full name and document
   number appear in the authorization's text.
4. ``rut_nit`` — the NIT appears in the RUT's text.
5. ``nombres_similares`` — other registered entities with similar names (possible duplicates).

Decisions worth knowing:
- Text is read from PDFs only (pypdf, first 30 pages). A file that is not a PDF, does not open, or
  has fewer than `MIN_TEXT_CHARS` letters and digits (a scan without OCR) has "no text": checks 3
  and 4 then give a warning telling the desk to check by eye, never a failure.
- Names and numbers are compared on `fold`-ed text (capitals, no accents, no punctuation, single
  spaces), so case, accents, line breaks, extra spaces, dots and dashes do not matter. Ñ is also
  compared as N on both sides (a user typing "Nunez" for NÚÑEZ). A name is found when the whole
  "nombres apellidos" or "apellidos nombres" sequence appears (documents often write the surname
  first). A number is found when its digits appear in order with at most one space between them
  (after folding, "1.020.304.050" and "8 9 0 9 0 5 2 1 1" are "1 020 304 050" and
  "8 9 0 9 0 5 2 1 1") and no digit right before or after; the RUT's NIT may be followed by its
  check digit ("890905211-7", "8909052117").
- Similar names: candidates are picked in SQL with plain ``LIKE '%word%'`` on ``nombre_busqueda``
  (same code on SQLite and PostgreSQL, where the trigram index of migration 0002 serves it),
  ranked by how many of the words they hold, capped at `SIMILAR_CANDIDATES`. The words are the 3
  longest *distinctive* words of the name: connectors (DE, LA, Y...), institution words (ALCALDIA,
  MUNICIPAL, HOSPITAL, ESE, CONCEJO...) and very common place prefixes (SAN, SANTA, PUERTO...) are
  left out, since nearly every name holds them. A name whose only distinctive word is long also
  searches that word's first and last 5 letters, so a typo in it still finds the candidate.
  Candidates are then scored with difflib's SequenceMatcher on the distinctive words (connectors
  and institution words removed; the whole key when either has no distinctive word), so
  "ALCALDIA MUNICIPAL DE SANTA ROSA DE OSOS" and "MUNICIPIO DE SANTA ROSA DE OSOS" score 1.0 while
  "ALCALDIA MUNICIPAL DE SAN PEDRO" and "... SAN PABLO" score 0.4. Two names are never similar
  when they name different kinds of institution (an ALCALDIA and the CONCEJO of the same town) or
  hold different numbers ("NOTARIA 1" and "NOTARIA 2"). Reported: score ≥ `SIMILAR_MIN_RATIO`,
  best first, at most `SIMILAR_MAX`.
"""

from datetime import date

from django.utils import timezone

from registro.entities.account.models import Entidad
from registro.entities.registration.models import Documento

from .base import FAIL, NOT_APPLICABLE, OK, WARNING, Precheck
from .checks import _check_autorizacion, _check_certificado, _check_nit_dv, _check_rut
from .similar import _check_nombres_similares, name_similarity, search_fragments
from .text import name_in_text, number_in_text, pdf_text

__all__ = [
    "FAIL",
    "NOT_APPLICABLE",
    "OK",
    "WARNING",
    "Precheck",
    "name_in_text",
    "name_similarity",
    "number_in_text",
    "pdf_text",
    "prechecks_for",
    "search_fragments",
]


def prechecks_for(entidad: Entidad, *, today: date | None = None) -> list[Precheck]:
    today = today or timezone.localdate()
    tipos = [
        Documento.Tipo.CERTIFICADO_EXISTENCIA,
        Documento.Tipo.AUTORIZACION_ADMINISTRADOR,
        Documento.Tipo.RUT,
    ]
    documentos: dict[str, Documento] = {}
    for documento in entidad.documentos.filter(vigente=True, tipo__in=tipos).order_by("version"):
        documentos[documento.tipo] = documento  # the latest version wins, should there be two
    return [
        _check_nit_dv(entidad),
        _check_certificado(entidad, documentos.get(Documento.Tipo.CERTIFICADO_EXISTENCIA), today=today),
        _check_autorizacion(entidad, documentos.get(Documento.Tipo.AUTORIZACION_ADMINISTRADOR)),
        _check_rut(entidad, documentos.get(Documento.Tipo.RUT)),
        _check_nombres_similares(entidad),
    ]
