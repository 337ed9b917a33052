"""The Directorio's search: every active account, by name or NIT, with combinable filters, in pages
that cost the same wherever they are (docs/adr/0014-directory-search.md).

- **Name.** The text is folded as names are (`search_key`: no case, accents or punctuation) and
  split into words; every word must begin a word of the name, so what is being typed matches as a
  prefix. Relevance has two tiers: names that begin with the whole text typed (the exact name
  first), then the other names holding every word. Inside a tier, and when ordering by name, the
  folded name in byte order, then the id: the same order on PostgreSQL (`COLLATE "C"`) and on
  SQLite (its default BINARY collation).
- **NIT.** Digits (dots, spaces, a dash before the check digit allowed) are a NIT, with or without
  its check digit: an exact lookup on the unique index, never a scan. Natural persons' NITs are
  their identity numbers (Ley 1581 de 2012): they are not searchable by NIT, nor shown.
- **Pages** are keyset pages: the cursor carries the tier, folded name and id of the row it starts
  after (or before), so page 500 is an index seek like page 1. It is opaque to clients (base64 of
  JSON) and checked when read back.
- **The count** is exact up to `COUNT_LIMIT` and "más de N" above it: counting stops there.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass, field

from django.db.models import Exists, F, OuterRef, Q, QuerySet, TextChoices
from django.db.models.functions import Collate
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from registro.core.api import MAX_BIGINT
from registro.core.errors import refusal
from registro.core.text import search_key
from registro.entities.account.models import AreaInteres, Entidad, TipoCuenta
from registro.entities.registration.rules import nit_check_digit

PAGE_SIZE = 20
COUNT_LIMIT = 1000
MAX_WORDS = 8  # more words than any name needs; bounds the query's size
NATURAL = "natural"  # PerfilComercial.persona of a natural person


class Tipo(TextChoices):
    """The kinds of account the search tells apart (as `Entidad.tipo_label` names them)."""

    ENTIDAD_ESTATAL = "entidad_estatal", gettext_lazy("Entidad Estatal")
    PROVEEDOR = "proveedor", gettext_lazy("Proveedor")
    ENTIDAD_PROVEEDOR = "entidad_proveedor", gettext_lazy("Entidad Estatal y Proveedor")


class Orden(TextChoices):
    RELEVANCIA = "relevancia", gettext_lazy("Relevancia")
    NOMBRE = "nombre", gettext_lazy("Nombre")


TIPO_Q = {
    Tipo.ENTIDAD_ESTATAL: Q(tipo_cuenta=TipoCuenta.ENTIDAD_ESTATAL, es_proveedor=False),
    Tipo.PROVEEDOR: Q(tipo_cuenta=TipoCuenta.PROVEEDOR),
    Tipo.ENTIDAD_PROVEEDOR: Q(tipo_cuenta=TipoCuenta.ENTIDAD_ESTATAL, es_proveedor=True),
}


@dataclass(frozen=True)
class Filtros:
    """What was asked, already validated (`forms.DirectorioForm`): codes, not objects."""

    texto: str = ""
    tipos: tuple[str, ...] = ()
    unspsc: str = ""  # the code's significant digits (2, 4, 6 or 8)
    departamento: str = ""
    municipio: str = ""
    tamano: str = ""
    mipyme: bool = False
    tipo_empresa: int | None = None
    orden: str = Orden.RELEVANCIA


@dataclass(frozen=True)
class Cursor:
    """Where a page starts: after (`adelante`) or before the row (tier, folded name, id)."""

    tier: int
    clave: str
    pk: int
    adelante: bool = True

    def encode(self) -> str:
        raw = json.dumps([1 if self.adelante else 0, self.tier, self.clave, self.pk], separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> Cursor:
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            direction, tier, clave, pk = json.loads(raw)
        except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
            raise _bad_cursor() from None
        valid = (
            direction in (0, 1)
            and tier in (0, 1)
            and isinstance(clave, str)
            and len(clave) <= 255
            and search_key(clave) == clave
            and isinstance(pk, int)
            and not isinstance(pk, bool)
            and 1 <= pk <= MAX_BIGINT
        )
        if not valid:
            raise _bad_cursor()
        return cls(tier=tier, clave=clave, pk=pk, adelante=bool(direction))


def _bad_cursor():
    return refusal(_("La página pedida no es válida. Vuelva a buscar desde la primera página."), "cursor", status=422)


@dataclass
class Resultado:
    """One account in the results: what the list shows, nothing personal."""

    pk: int
    nombre: str
    nit: str  # NIT-DV; empty for a natural person
    tipo: str
    municipio: str
    departamento: str
    categoria_codigo: str
    categoria_nombre: str
    mipyme: bool


@dataclass
class Pagina:
    resultados: list[Resultado]
    total: int  # exact when `total_exacto`, else COUNT_LIMIT ("más de N")
    total_exacto: bool
    siguiente: str | None = None
    anterior: str | None = None
    nit: bool = False  # the text was read as a NIT
    palabras: list[str] = field(default_factory=list)


class ByteOrder(Collate):
    """The folded name compared byte by byte: `COLLATE "C"` on PostgreSQL (the collation of the
    directory's index, migration 0011), SQLite's default BINARY collation there."""

    def __init__(self, expression):
        super().__init__(expression, "C")

    def as_sqlite(self, compiler, connection, **extra_context):
        return compiler.compile(self.source_expressions[0])


NIT_TEXT = re.compile(r"[0-9][0-9.\s]*(-\s*[0-9])?")


def nit_candidates(texto: str) -> list[tuple[str, str | None]] | None:
    """The (NIT, check digit or None) pairs a text can mean, or None when it is not a NIT: "900.123.456-7"
    is 900123456 with DV 7; "9001234567" is that NIT with its DV, or a 10-digit NIT typed without it."""
    texto = (texto or "").strip()
    if not NIT_TEXT.fullmatch(texto):
        return None
    head, _sep, dv = texto.partition("-")
    digits = re.sub(r"[\s.]", "", head)
    dv = dv.strip()
    if dv:
        return [(digits, dv)] if 5 <= len(digits) <= 15 else []
    if not 5 <= len(digits) <= 16:
        return None if len(digits) < 5 else []
    pairs: list[tuple[str, str | None]] = [(digits, None)] if len(digits) <= 15 else []
    if len(digits) >= 6 and nit_check_digit(digits[:-1]) == digits[-1]:
        pairs.append((digits[:-1], digits[-1]))
    return pairs


def words_of(texto: str) -> list[str]:
    return search_key(texto).split()[:MAX_WORDS]


def _after(prefix: str) -> str:
    """The first string after every string that starts with `prefix` (its characters are those of
    a folded name, A-Z, 0-9 and space, so the last one has a successor)."""
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def base_queryset(filtros: Filtros) -> QuerySet[Entidad]:
    """Active accounts that pass the filters, with their folded name as `clave`. `estado = 'activa'`
    as a literal matches the partial indexes of migration 0011."""
    qs = Entidad.objects.filter(estado=Entidad.Estado.ACTIVA).annotate(clave=ByteOrder(F("nombre_busqueda")))
    if filtros.tipos:
        kinds = Q()
        for tipo in filtros.tipos:
            kinds |= TIPO_Q[Tipo(tipo)]
        qs = qs.filter(kinds)
    if filtros.departamento:
        qs = qs.filter(departamento_id=filtros.departamento)
    if filtros.municipio:
        qs = qs.filter(municipio_id=filtros.municipio)
    if filtros.tamano:
        qs = qs.filter(perfil__tamano=filtros.tamano)
    if filtros.mipyme:
        qs = qs.filter(perfil__es_mipyme=True)
    if filtros.tipo_empresa:
        qs = qs.filter(perfil__tipo_empresa_id=filtros.tipo_empresa)
    if filtros.unspsc:
        # Areas at the code or under it: a segment finds its families, classes and products
        # (ADR 0013: `prefijo` holds the significant digits, indexed for LIKE 'xx%').
        qs = qs.filter(
            Exists(AreaInteres.objects.filter(entidad_id=OuterRef("pk"), prefijo__startswith=filtros.unspsc))
        )
    return qs


def words_q(words: list[str]) -> Q:
    """Every word begins a word of the folded name."""
    condition = Q()
    for word in words:
        condition &= Q(nombre_busqueda__startswith=word) | Q(nombre_busqueda__contains=" " + word)
    return condition


def tiers(filtros: Filtros, words: list[str]) -> list[Q]:
    """The conditions of each relevance tier, in order; each page walks them in turn."""
    if not words:
        return [Q()]
    matching = words_q(words)
    if filtros.orden == Orden.NOMBRE:
        return [matching]
    texto = " ".join(words)
    begins = Q(clave__gte=texto, clave__lt=_after(texto))
    # Names that begin with the text hold every word (the text's spaces fall on the name's).
    return [begins, matching & ~begins]


def _page_rows(qs: QuerySet, conditions: list[Q], cursor: Cursor | None, size: int) -> list[tuple[int, str, int]]:
    """Up to `size` (tier, clave, pk) after the cursor (before it, backwards), tier by tier."""
    forward = cursor is None or cursor.adelante
    order = ("clave", "pk") if forward else ("-clave", "-pk")
    indexes = range(len(conditions)) if forward else range(len(conditions) - 1, -1, -1)
    rows: list[tuple[int, str, int]] = []
    for tier in indexes:
        if cursor is not None and (tier < cursor.tier if forward else tier > cursor.tier):
            continue
        page = qs.filter(conditions[tier])
        if cursor is not None and tier == cursor.tier:
            # `clave >= k` is the index's range; the OR only sorts out the rows of that one name.
            if forward:
                page = page.filter(clave__gte=cursor.clave).filter(Q(clave__gt=cursor.clave) | Q(pk__gt=cursor.pk))
            else:
                page = page.filter(clave__lte=cursor.clave).filter(Q(clave__lt=cursor.clave) | Q(pk__lt=cursor.pk))
        wanted = size - len(rows)
        rows += [(tier, clave, pk) for clave, pk in page.order_by(*order).values_list("clave", "pk")[:wanted]]
        if len(rows) >= size:
            break
    return rows


def _count(qs: QuerySet) -> tuple[int, bool]:
    n = qs.values("pk")[: COUNT_LIMIT + 1].count()
    return (n, True) if n <= COUNT_LIMIT else (COUNT_LIMIT, False)


def search(filtros: Filtros, *, cursor: str | None = None, size: int | None = None) -> Pagina:
    """One page of the directory for these filters (see the module's docstring)."""
    size = size or PAGE_SIZE
    position = Cursor.decode(cursor) if cursor else None
    qs = base_queryset(filtros)
    candidates = nit_candidates(filtros.texto)
    if candidates is not None:
        return _nit_page(qs, candidates)
    words = words_of(filtros.texto)
    conditions = tiers(filtros, words)
    if position is not None and position.tier >= len(conditions):
        raise _bad_cursor()
    rows = _page_rows(qs, conditions, position, size + 1)
    more = len(rows) > size
    rows = rows[:size]
    if position is not None and not position.adelante:
        rows.reverse()
        has_previous, has_next = more, True
    else:
        has_previous, has_next = position is not None, more
    total, exact = _count(qs.filter(words_q(words)) if words else qs)
    return Pagina(
        resultados=resultados(pk for _tier, _clave, pk in rows),
        total=total,
        total_exacto=exact,
        siguiente=Cursor(*rows[-1]).encode() if rows and has_next else None,
        anterior=Cursor(*rows[0], adelante=False).encode() if rows and has_previous else None,
        palabras=words,
    )


def _nit_page(qs: QuerySet, candidates: list[tuple[str, str | None]]) -> Pagina:
    match = Q(pk__in=[])
    for nit, dv in candidates:
        match |= Q(nit=nit, dv=dv) if dv is not None else Q(nit=nit)
    pks = list(qs.filter(match).exclude(perfil__persona=NATURAL).order_by("clave", "pk").values_list("pk", flat=True))
    found = resultados(pks)
    return Pagina(resultados=found, total=len(found), total_exacto=True, nit=True)


def resultados(pks) -> list[Resultado]:
    """The rows of one page, in the order given: three small queries whatever the page."""
    pks = list(pks)
    if not pks:
        return []
    rows = {
        e.pk: e
        for e in Entidad.objects.filter(pk__in=pks)
        .select_related("departamento", "municipio", "perfil")
        .only(
            "nombre",
            "nit",
            "dv",
            "pais",
            "id_tributario",
            "tipo_cuenta",
            "es_proveedor",
            "departamento__nombre",
            "municipio__nombre",
            "perfil__persona",
            "perfil__es_mipyme",
        )
    }
    principal = {
        a.entidad_id: a.codigo
        for a in AreaInteres.objects.filter(entidad_id__in=pks, principal=True).select_related("codigo")
    }
    out = []
    for pk in pks:
        e = rows[pk]
        perfil = getattr(e, "perfil", None)
        natural = perfil is not None and perfil.persona == NATURAL
        codigo = principal.get(pk)
        out.append(
            Resultado(
                pk=pk,
                nombre=e.nombre,
                nit="" if natural else e.nit_con_dv,
                tipo=e.tipo_label,
                municipio=e.municipio.nombre if e.municipio_id else "",
                departamento=e.departamento.nombre if e.departamento_id else "",
                categoria_codigo=codigo.codigo if codigo else "",
                categoria_nombre=codigo.nombre if codigo else "",
                mipyme=bool(perfil and perfil.es_mipyme),
            )
        )
    return out
