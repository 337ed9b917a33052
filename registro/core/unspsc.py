"""Reads of the UNSPSC classifier (Clasificador de Bienes y Servicios v14, R9.4): search by code or
Spanish name, browsing segment → family → class → product, and the parsing of codes people type.
The areas-of-interest picker (registro/templates/includes/unspsc_picker.html) is built from
`picker_context`, for every form that chooses codes."""

import re
from dataclasses import dataclass, field

from django.db.models import Case, IntegerField, QuerySet, Value, When

from .models import CodigoUNSPSC
from .text import search_key

SEARCH_LIMIT = 30
LEVEL_ORDER = Case(
    *(When(nivel=nivel, then=Value(rank)) for rank, nivel in enumerate(CodigoUNSPSC.DIGITS)),
    output_field=IntegerField(),
)


def normalize_code(raw: str) -> str | None:
    """ "43", "4321", "432115" or "43211500" (spaces and dots allowed) as the 8-digit code; None if
    it cannot be one. A level's code is its significant digits padded with zeros."""
    digits = re.sub(r"[\s.\-]", "", raw or "")
    if not digits.isdigit() or len(digits) not in (2, 4, 6, 8):
        return None
    return digits.ljust(8, "0")


def unspsc_search(*, query: str, limit: int = SEARCH_LIMIT) -> list[CodigoUNSPSC]:
    """Codes that start with the digits typed, or whose Spanish name holds every word typed
    (regardless of case and accents); higher levels first, then by code."""
    query = (query or "").strip()[:100]
    if not query:
        return []
    digits = re.sub(r"[\s.\-]", "", query)
    if digits.isdigit():
        if len(digits) > 8:
            return []
        qs = CodigoUNSPSC.objects.filter(codigo__startswith=digits)
        # "43" is the segment and everything in it: the segment itself comes first.
        return list(qs.order_by("codigo")[:limit])
    qs: QuerySet = CodigoUNSPSC.objects.all()
    words = search_key(query).split()
    if not words:
        return []
    for word in words:
        qs = qs.filter(nombre_busqueda__contains=word)
    return list(qs.annotate(rank=LEVEL_ORDER).order_by("rank", "codigo")[:limit])


def unspsc_children(*, codigo: str | None = None) -> list[CodigoUNSPSC]:
    """The segments, or the codes one level below `codigo`."""
    if not codigo:
        return list(CodigoUNSPSC.objects.filter(nivel=CodigoUNSPSC.Nivel.SEGMENTO).order_by("codigo"))
    return list(CodigoUNSPSC.objects.filter(padre_id=codigo).order_by("codigo"))


def unspsc_path(codigo: str) -> list[CodigoUNSPSC]:
    """The code and its ancestors, segment first (breadcrumbs)."""
    code = CodigoUNSPSC.objects.filter(pk=codigo).first()
    path = []
    while code is not None:
        path.append(code)
        code = code.padre
    return list(reversed(path))


def unspsc_get_many(codigos) -> dict[str, CodigoUNSPSC]:
    return {c.codigo: c for c in CodigoUNSPSC.objects.filter(pk__in=list(codigos))}


@dataclass(frozen=True)
class Selection:
    """Codes chosen in a form: the valid ones (in order, without repeats), the principal one, and
    what was typed that is not a code of the classifier."""

    codigos: list[str]
    principal: str
    desconocidos: list[str] = field(default_factory=list)


def parse_selection(values, principal: str = "") -> Selection:
    """Normalises what a form sent (`areas` values, possibly several codes per value separated by
    commas, spaces or new lines) against the classifier."""
    typed: list[str] = []
    for value in values or ():
        typed += [part for part in re.split(r"[,;\s]+", str(value)) if part]
    wanted, unknown = [], []
    for raw in typed[:500]:
        code = normalize_code(raw)
        if code is None:
            unknown.append(raw[:20])
        elif code not in wanted:
            wanted.append(code)
    known = unspsc_get_many(wanted)
    unknown += [code for code in wanted if code not in known]
    codigos = [code for code in wanted if code in known]
    principal = normalize_code(principal) or ""
    return Selection(codigos=codigos, principal=principal if principal in codigos else "", desconocidos=unknown)


def picker_context(*, codigos, principal: str = "", query: str = "", padre: str = "", desconocidos=()) -> dict:
    """What includes/unspsc_picker.html shows: the codes chosen (with names), the main one, search
    results for `query`, the level being browsed under `padre`, and what was typed that is not a
    code of the classifier (`desconocidos`, shown so that the person can drop it)."""
    chosen = unspsc_get_many(codigos)
    padre = normalize_code(padre) or ""
    return {
        "elegidos": [chosen[c] for c in codigos if c in chosen],
        "principal": principal,
        "query": query,
        "resultados": unspsc_search(query=query) if query else [],
        "buscado": bool(query),
        "padre": padre,
        "ruta": unspsc_path(padre) if padre else [],
        "hijos": unspsc_children(codigo=padre or None),
        "desconocidos": list(desconocidos),
    }
