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
- **The count** is exact up to `COUNT_LIMIT` (or `GATHER_LIMIT`, when the answer was gathered
  whole) and "más de N" above it: counting stops there, and PostgreSQL's estimate says "más de"
  without counting when it is far above the limit.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from dataclasses import dataclass, field

from django.db import connection
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
PREFIX_LENGTH = 10  # the longest prefix of a word in the words' index (migration 0016)
NATURAL = "natural"  # PerfilComercial.persona of a natural person


class Tipo(TextChoices):
    """The kinds of account the search tells apart (as `Entidad.tipo_label` names them)."""

    ENTIDAD_ESTATAL = "entidad_estatal", gettext_lazy("Entidad Estatal")
    PROVEEDOR = "proveedor", gettext_lazy("Proveedor")
    ENTIDAD_PROVEEDOR = "entidad_proveedor", gettext_lazy("Entidad Estatal y Proveedor")


class Orden(TextChoices):
    RELEVANCIA = "relevancia", gettext_lazy("Relevancia")
    NOMBRE = "nombre", gettext_lazy("Nombre")


TIPO_COLUMNS = {  # (tipo_cuenta, es_proveedor or None for either)
    Tipo.ENTIDAD_ESTATAL: (TipoCuenta.ENTIDAD_ESTATAL, False),
    Tipo.PROVEEDOR: (TipoCuenta.PROVEEDOR, None),
    Tipo.ENTIDAD_PROVEEDOR: (TipoCuenta.ENTIDAD_ESTATAL, True),
}
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
    """Where a page starts: after (`adelante`) or before the row (tier, folded name, id); and what
    the first page learnt: how its pages are found (`estrategia`, walk or gather) and the count."""

    tier: int
    clave: str
    pk: int
    adelante: bool = True
    estrategia: str = "W"
    total: int = 0
    exacto: bool = False

    def encode(self) -> str:
        raw = json.dumps(
            [1 if self.adelante else 0, self.tier, self.clave, self.pk, self.estrategia, self.total, int(self.exacto)],
            separators=(",", ":"),
        )
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str) -> Cursor:
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            direction, tier, clave, pk, estrategia, total, exacto = json.loads(raw)
        except (binascii.Error, ValueError, TypeError, UnicodeDecodeError):
            raise _bad_cursor() from None
        valid = (
            direction in (0, 1)
            and tier in (0, 1)
            and isinstance(clave, str)
            and len(clave) <= 255
            and search_key(clave) == clave
            and _whole(pk)
            and 1 <= pk <= MAX_BIGINT
            and estrategia in ("G", "S", "W")
            and _whole(total)
            and 0 <= total <= max(COUNT_LIMIT, GATHER_LIMIT)
            and exacto in (0, 1)
        )
        if not valid:
            raise _bad_cursor()
        return cls(tier, clave, pk, bool(direction), estrategia, total, bool(exacto))


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


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
    proveedor: bool = False  # supplies (a supplier, or an entity that also supplies, R4.3): invitable


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
    """Active accounts that pass the filters, as the ORM says it: the NIT lookup's. `estado =
    'activa'` as a literal matches the partial indexes of migration 0011."""
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
        qs = qs.filter(
            Exists(AreaInteres.objects.filter(entidad_id=OuterRef("pk"), prefijo__startswith=filtros.unspsc))
        )
    return qs


# --- The query shapes (docs/adr/0014-directory-search.md) --------------------------------------
#
# A page is found in one of two ways, and the cursor remembers which:
#
# - walk ("W"): the directory index (migration 0011) from the cursor, in order, testing each entry
#   (words and the account's own columns from the index itself; profile and areas by their
#   indexes) until the page is full. Cheap when matches are frequent, whatever the page number.
#   The walk runs inside a subquery with a LIMIT (its budget), which also keeps the database from
#   choosing another plan on a guess of how many names hold a word.
# - gather ("G"): when PostgreSQL estimates few matches, or the first page's walk does not fill
#   the page within its budget, matches are rare: all of them are fetched, unordered, by the indexes that find them (the words' GIN index
#   on PostgreSQL, the areas' prefix index, ...), up to COUNT_LIMIT + 1. Up to COUNT_LIMIT they are
#   the whole answer: ordered, counted and paged here. Beyond it, the page is walked without budget.

# Entries the first page walks before gathering instead: many when each entry is tested from the
# index itself (words, kind, place; on PostgreSQL every filter), fewer when each needs a look at
# the profile or the areas (SQLite).
WALK_BUDGET = 20000
WALK_BUDGET_PROBES = 3000
GATHER_LIMIT = 3000  # matches gathered at most: up to this many, the whole answer is paged here
# Up to this many matches by PostgreSQL's estimate, the first page gathers them without walking:
# gathering 2,500 costs about 10 ms, as does walking 13,000 entries, which at that density is what
# finding a page takes on average (and far more where the matches sit late in the name order). The
# margin below GATHER_LIMIT is the estimate's error, a few per cent since migration 0017.
GATHER_ESTIMATE = 2500
# An estimate this many times COUNT_LIMIT is "más de COUNT_LIMIT" without counting: the
# statistics are not that far off (ADR 0014).
ESTIMATE_FACTOR = 2
# Tags that most active accounts hold (most suppliers are MiPymes; most accounts are suppliers):
# see `_Plan._tag_conditions`.
COMMON_TAGS = frozenset({"mipyme", "k:proveedor"})
UNBOUNDED = 2**62


def _vendor() -> str:
    return connection.vendor


def _clave_sql(column: str = "nombre_busqueda") -> str:
    return f'{column} COLLATE "C"' if _vendor() == "postgresql" else column


@dataclass(frozen=True)
class _Source:
    """Where the search reads. PostgreSQL: the directory's own rows (`entities_directorio`,
    migration 0014: active accounts only, the folded name in byte order and one array of tags
    for every filter, kept by triggers). SQLite: the accounts' table and its partial index."""

    table: str
    active: str  # the condition that keeps only active accounts
    clave: str  # the folded name, compared byte by byte
    id: str
    columns: str  # what a walk's entry carries for the tests: clave, id and the tested columns
    name: str  # the folded name in the tests, on an entry `w`
    tags: bool  # filters are tags (`etiquetas @> ...`)


POSTGRESQL = _Source(
    table="entities_directorio",
    active="TRUE",
    clave="clave",
    id="entidad_id",
    columns="clave, entidad_id AS id, etiquetas",
    name="clave",
    tags=True,
)
SQLITE = _Source(
    table="entities_entidad",
    active="estado = 'activa'",
    clave="nombre_busqueda",
    id="id",
    columns="nombre_busqueda AS clave, id, nombre_busqueda, tipo_cuenta, es_proveedor, departamento_id, municipio_id",
    name="nombre_busqueda",
    tags=False,
)


def _source() -> _Source:
    return POSTGRESQL if _vendor() == "postgresql" else SQLITE


class _Plan:
    """The search as SQL over `w` (an entry of the source): the conditions of the words and of the
    filters, and each relevance tier's range of folded names."""

    def __init__(self, filtros: Filtros, words: list[str], *, alias: str = "w"):
        self.filtros = filtros
        self.words = words
        self.source = source = _source()
        a = alias
        words_conds, conds, params = [], [], []
        for i, word in enumerate(words):
            last = i == len(words) - 1
            # A complete word is a word of the name; the last one, being typed, begins one.
            name = f"{a}.{source.name}"
            words_conds.append(f"(' ' || {name} || ' ') LIKE %s" if not last else f"(' ' || {name}) LIKE %s")
            params.append(f"% {word} %" if not last else f"% {word}%")
        if source.tags:
            filter_conds, filter_params = self._tag_conditions(filtros, a)
        else:
            filter_conds, filter_params = self._column_conditions(filtros, a)
        conds = words_conds + filter_conds
        params += filter_params
        # Only the profile's and the areas' tests: every entry walked costs index lookups.
        self.probes_only = bool(conds) and all(c.startswith("EXISTS") for c in conds)
        self.filter_conds, self.filter_params = filter_conds, filter_params
        self.where = " AND ".join(conds) or "1 = 1"
        self.params = params
        self.texto = " ".join(words)
        self.tiers = 2 if words and filtros.orden != Orden.NOMBRE else 1

    @staticmethod
    def _tag_conditions(filtros: Filtros, a: str) -> tuple[list[str], list]:
        """PostgreSQL: every filter is a tag of the row (migration 0014); kinds are any of them."""
        conds, params = [], []
        tags = []
        kinds = sorted({f"k:{Tipo(t).value}" for t in filtros.tipos})
        if len(kinds) == 1:
            tags += kinds
        elif 1 < len(kinds) < len(Tipo):
            conds.append(f"{a}.etiquetas && %s::text[]")
            params.append(kinds)
        if filtros.departamento:
            tags.append(f"d:{filtros.departamento}")
        if filtros.municipio:
            tags.append(f"m:{filtros.municipio}")
        if filtros.tamano:
            tags.append(f"s:{filtros.tamano}")
        if filtros.mipyme:
            tags.append("mipyme")
        if filtros.tipo_empresa:
            tags.append(f"e:{filtros.tipo_empresa}")
        if filtros.unspsc:
            # The code and every level above it are tags: a segment finds its families, classes
            # and products (ADR 0013: `prefijo` holds the significant digits).
            tags.append(f"u:{filtros.unspsc}")
        # A tag most accounts hold is tested on the row, not intersected through the GIN: its
        # posting list (MiPyme: 870,000 of 1,050,000 accounts) cost a gather of a class's 2,300
        # matches 2 to 3 ms more than reading those rows did. The planner estimates `= ANY` on
        # the column from the same statistics as `@>`.
        indexed = [t for t in tags if t not in COMMON_TAGS] or tags
        on_row = [t for t in tags if t not in indexed]
        head = ([f"{a}.etiquetas @> %s::text[]"] if indexed else []) + [f"%s = ANY({a}.etiquetas)"] * len(on_row)
        return head + conds, ([indexed] if indexed else []) + on_row + params

    @staticmethod
    def _column_conditions(filtros: Filtros, a: str) -> tuple[list[str], list]:
        """SQLite: the account's columns, its profile and its areas."""
        conds, params = [], []
        if filtros.tipos:
            kinds = []
            for tipo in filtros.tipos:
                tipo_cuenta, es_proveedor = TIPO_COLUMNS[Tipo(tipo)]
                if es_proveedor is None:
                    kinds.append(f"{a}.tipo_cuenta = %s")
                    params.append(tipo_cuenta)
                else:
                    kinds.append(f"({a}.tipo_cuenta = %s AND {a}.es_proveedor = %s)")
                    params += [tipo_cuenta, es_proveedor]
            conds.append("(" + " OR ".join(kinds) + ")")
        if filtros.departamento:
            conds.append(f"{a}.departamento_id = %s")
            params.append(filtros.departamento)
        if filtros.municipio:
            conds.append(f"{a}.municipio_id = %s")
            params.append(filtros.municipio)
        perfil, perfil_params = [], []
        if filtros.tamano:
            perfil.append("p.tamano = %s")
            perfil_params.append(filtros.tamano)
        if filtros.mipyme:
            perfil.append("p.es_mipyme = %s")
            perfil_params.append(True)
        if filtros.tipo_empresa:
            perfil.append("p.tipo_empresa_id = %s")
            perfil_params.append(filtros.tipo_empresa)
        if perfil:
            conds.append(
                f"EXISTS (SELECT 1 FROM entities_perfilcomercial p WHERE p.entidad_id = {a}.id AND "  # noqa: S608 - fixed fragments; every value is a parameter
                + " AND ".join(perfil)
                + ")"
            )
            params += perfil_params
        if filtros.unspsc:
            # Areas at the code or under it; SQLite's LIKE ignores case and so its indexes: a
            # range of digits does not.
            conds.append(
                f"EXISTS (SELECT 1 FROM entities_areainteres a WHERE a.entidad_id = {a}.id "  # noqa: S608 - fixed fragments; every value is a parameter
                "AND a.prefijo >= %s AND a.prefijo < %s)"
            )
            params += [filtros.unspsc, _after(filtros.unspsc)]
        return conds, params

    def tier_range(self, tier: int, alias: str = "") -> tuple[str, list]:
        """The folded names of a tier, as a condition on the index's key."""
        if self.tiers == 1:
            return "", []
        clave = f"{alias}{self.source.clave}"
        if tier == 0:
            return f" AND {clave} >= %s AND {clave} < %s", [self.texto, _after(self.texto)]
        return f" AND NOT ({clave} >= %s AND {clave} < %s)", [self.texto, _after(self.texto)]

    def tier_of(self, clave: str) -> int:
        return 0 if self.tiers == 2 and clave.startswith(self.texto) else self.tiers - 1

    def walk(self, position: Cursor | None, want: int, budget: int | None) -> list[tuple[int, str, int]] | None:
        """Up to `want` (tier, clave, pk) from the cursor, tier by tier, reading at most `budget`
        entries of the index; None when the budget ran out first."""
        forward = position is None or position.adelante
        tiers = range(self.tiers) if forward else range(self.tiers - 1, -1, -1)
        rows: list[tuple[int, str, int]] = []
        left = budget if budget is not None else UNBOUNDED
        src = self.source
        clave, pk = src.clave, src.id
        direction = "ASC" if forward else "DESC"
        for tier in tiers:
            if position is not None and (tier < position.tier if forward else tier > position.tier):
                continue
            where, params = self.tier_range(tier)
            if position is not None and tier == position.tier:
                # `clave >= k` is the index's range; the OR only sorts out the rows of that one name.
                op, strict = (">=", ">") if forward else ("<=", "<")
                where += f" AND {clave} {op} %s AND ({clave} {strict} %s OR {pk} {strict} %s)"
                params += [position.clave, position.clave, position.pk]
            # Without filters an entry needs no tags: the narrow index (migration 0014) is read. It
            # holds the names that have letters or digits (migration 0015), all a word can match.
            columns = src.columns if self.filter_conds or not src.tags else "clave, entidad_id AS id"
            if src.tags and not self.filter_conds and self.words:
                where += f" AND {clave} <> ''"
            entries = (
                f"SELECT {columns} FROM {src.table} WHERE {src.active}{where} "  # noqa: S608 - fixed fragments; every value is a parameter
                f"ORDER BY {clave} {direction}, {pk} {direction} LIMIT %s"
            )
            # PostgreSQL sees the subquery is ordered and does not sort again; SQLite would sort all
            # it walked before the LIMIT, so there the subquery's order stands alone.
            order = f" ORDER BY 1 {direction}, 2 {direction}" if src.tags else ""
            sql = f"SELECT w.clave, w.id FROM ({entries}) w WHERE {self.where}{order} LIMIT %s"  # noqa: S608 - fixed fragments; every value is a parameter
            with connection.cursor() as cursor:
                cursor.execute(sql, [*params, left, *self.params, want - len(rows)])
                rows += [(tier, c, pk) for c, pk in cursor.fetchall()]
                if len(rows) >= want:
                    return rows
                if budget is None:
                    continue
                # Short: the tier's entries ended, or the budget did. Counting what was read costs
                # no more than reading it, and only a short walk pays it (numbering every entry
                # walked, to return the budget's last one with the matches, made every walk cost
                # up to twice as much: ADR 0014).
                cursor.execute(f"SELECT count(*) FROM ({entries}) e", [*params, left])  # noqa: S608 - fixed fragments; every value is a parameter
                read = cursor.fetchone()[0]
            if read >= left:
                return None
            left -= read
        return rows

    def _gather_sql(self) -> tuple[str, list]:
        """Up to `cap` (the last parameter) matches, in no order, found by whatever indexes the
        database prefers."""
        src = self.source
        where, params = "", []
        if self.words and src.tags:  # the GIN index of words and tags (migration 0014)
            where, params = f" AND {self.words_match()}", [self.tsquery()]
        sql = (
            f"SELECT w.{src.clave}, w.{src.id} FROM {src.table} w "  # noqa: S608 - fixed fragments; every value is a parameter
            f"WHERE {src.active}{where} AND {self.where} LIMIT %s"
        )
        return sql, [*params, *self.params]

    def gather(self, cap: int) -> list[tuple[str, int]]:
        """Up to `cap` matches (folded name, id), in no order."""
        sql, params = self._gather_sql()
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, cap])
            return cursor.fetchall()

    def count(self, cap: int) -> int:
        """How many match, counted up to `cap` by the database (no row travels)."""
        sql, params = self._gather_sql()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM ({sql}) g", [*params, cap])  # noqa: S608 - fixed fragments; every value is a parameter
            return cursor.fetchone()[0]

    def seek(self, position: Cursor | None, want: int) -> list[tuple[int, str, int]]:
        """PostgreSQL, words: up to `want` (tier, clave, pk) from the cursor, tier by tier, each tier's
        matches after the cursor found through the words' GIN index and the first `want` of them
        sorted (a cost that follows the matches, not where they sit in the name order)."""
        forward = position is None or position.adelante
        tiers = range(self.tiers) if forward else range(self.tiers - 1, -1, -1)
        direction = "ASC" if forward else "DESC"
        rows: list[tuple[int, str, int]] = []
        for tier in tiers:
            if position is not None and (tier < position.tier if forward else tier > position.tier):
                continue
            where, params = self.tier_range(tier, "w.")
            if position is not None and tier == position.tier:
                strict = ">" if forward else "<"
                where += f" AND (w.clave, w.entidad_id) {strict} (%s, %s)"
                params += [position.clave, position.pk]
            if not self.filter_conds:
                where += " AND w.clave <> ''"  # the narrow name index's predicate (migration 0015)
            sql = (
                "SELECT w.clave, w.entidad_id FROM entities_directorio w "  # noqa: S608 - fixed fragments; every value is a parameter
                f"WHERE {self.words_match()} AND {self.where}{where} "
                f"ORDER BY w.clave {direction}, w.entidad_id {direction} LIMIT %s"
            )
            with connection.cursor() as cursor:
                cursor.execute(sql, [self.tsquery(), *self.params, *params, want - len(rows)])
                rows += [(tier, c, pk) for c, pk in cursor.fetchall()]
            if len(rows) >= want:
                break
        return rows

    def tsquery(self) -> str:
        """The words for the GIN index of prefixes (migration 0016): each word, cut to the prefixes
        it holds, is one lexeme; the conditions of `where` keep the names whose words match."""
        return " & ".join(f"'{word[:PREFIX_LENGTH]}'" for word in self.words)

    @staticmethod
    def words_match() -> str:
        return "directorio_prefijos(w.clave) @@ %s::tsquery"

    def estimate(self) -> int | None:
        """PostgreSQL's own estimate of the matches (its statistics, no row read), or None on
        SQLite. The words are estimated as the lexemes of the words' index, whose expression
        has statistics of its own (its most common lexemes, migration 0017), the tags by theirs.
        A substring of the folded name (`clave LIKE '%SARMIEN%'`) was estimated from a sample of
        names and came out 10 to 100 times too low for common surnames and words, which sent
        those searches to gather thousands of matches they then threw away."""
        if not self.source.tags:
            return None
        conds = ([self.words_match()] if self.words else []) + self.filter_conds
        params = ([self.tsquery()] if self.words else []) + self.filter_params
        sql = "EXPLAIN (FORMAT JSON) SELECT 1 FROM entities_directorio w WHERE " + (" AND ".join(conds) or "TRUE")  # noqa: S608 - fixed fragments; every value is a parameter
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            plan = cursor.fetchone()[0]
        plan = json.loads(plan) if isinstance(plan, str) else plan
        return int(plan[0]["Plan"]["Plan Rows"])


def _page_in_memory(plan: _Plan, matches, position: Cursor | None, want: int) -> list[tuple[int, str, int]]:
    """The page of a gathered answer: ordered by tier, folded name (byte order, as the index) and
    id, then the cursor's keyset, as the walk would have done."""
    ranked = sorted((plan.tier_of(c), c, pk) for c, pk in matches)
    if position is None:
        return ranked[:want]
    key = (position.tier, position.clave, position.pk)
    if position.adelante:
        return [r for r in ranked if r > key][:want]
    return [r for r in ranked if r < key][::-1][:want]


def search(filtros: Filtros, *, cursor: str | None = None, size: int | None = None) -> Pagina:
    """One page of the directory for these filters (see the module's docstring)."""
    size = size or PAGE_SIZE
    position = Cursor.decode(cursor) if cursor else None
    candidates = nit_candidates(filtros.texto)
    if candidates is not None:
        return _nit_page(filtros, candidates)
    words = words_of(filtros.texto)
    plan = _Plan(filtros, words)
    if position is not None and position.tier >= plan.tiers:
        raise _bad_cursor()
    strategy = position.estrategia if position else ""
    total, exact = (position.total, position.exacto) if position else (None, False)
    estimate = plan.estimate() if position is None else None
    rows = None
    if strategy == "" and estimate is not None and estimate <= GATHER_ESTIMATE:
        strategy = "G"  # rare by the database's estimate: gather at once
    if strategy == "S":
        # Near the cursor the matches are often dense (the cluster the first page sought): a
        # walk with a budget first, the seek when it runs out.
        rows = plan.walk(position, size + 1, budget=WALK_BUDGET)
        if rows is None:
            rows = plan.seek(position, size + 1)
    elif strategy != "G":
        budget = WALK_BUDGET_PROBES if plan.probes_only else WALK_BUDGET
        rows = plan.walk(position, size + 1, budget=budget if position is None else None)
        strategy = "W"
    if rows is None and plan.words and plan.source.tags and estimate is not None:
        if estimate >= ESTIMATE_FACTOR * GATHER_LIMIT:
            # Far more matches than can be gathered, by the database's estimate, and too far from
            # the start of the order for the walk: seek at once ("más de N" without counting, as
            # a walk's first page says it), rather than read the words' index twice.
            rows = plan.seek(None, size + 1)
            strategy, total, exact = "S", COUNT_LIMIT, False
    if rows is None:
        matches = plan.gather(GATHER_LIMIT + 1)
        if len(matches) <= GATHER_LIMIT:
            strategy, total, exact = "G", len(matches), True
            rows = _page_in_memory(plan, matches, position, size + 1)
        elif plan.words and plan.source.tags:
            # Many matches, but far from the start of the order (names that cluster, such as
            # "FUNDACION ... PARA ..."): seek the page through the words' index, which costs what
            # the matches cost, not a walk to them (ADR 0014).
            rows = plan.seek(None, size + 1)
            strategy, total, exact = "S", GATHER_LIMIT, False
        else:
            strategy, total, exact = "W", GATHER_LIMIT, False
            rows = plan.walk(position, size + 1, budget=None)
    if total is None:
        # The first page of a walk: many matches by the database's estimate are "más de", the
        # others are counted, gathering them up to the limit.
        if estimate is not None and estimate >= ESTIMATE_FACTOR * COUNT_LIMIT:
            total, exact = COUNT_LIMIT, False
        else:
            n = plan.count(COUNT_LIMIT + 1)
            total, exact = min(n, COUNT_LIMIT), n <= COUNT_LIMIT
    more = len(rows) > size
    rows = rows[:size]
    if position is not None and not position.adelante:
        rows.reverse()
        has_previous, has_next = more, True
    else:
        has_previous, has_next = position is not None, more
    state = {"estrategia": strategy, "total": total, "exacto": exact}
    return Pagina(
        resultados=resultados(pk for _tier, _clave, pk in rows),
        total=total,
        total_exacto=exact,
        siguiente=Cursor(*rows[-1], **state).encode() if rows and has_next else None,
        anterior=Cursor(*rows[0], adelante=False, **state).encode() if rows and has_previous else None,
        palabras=words,
    )


def _nit_page(filtros: Filtros, candidates: list[tuple[str, str | None]]) -> Pagina:
    """The accounts with that NIT that pass the filters, with their result rows: one query on the
    NIT's unique index, the filters as the search tests them (`_Plan`), natural persons left out."""
    match, params = [], []
    for nit, dv in candidates:
        match.append("(w.nit = %s AND w.dv = %s)" if dv is not None else "w.nit = %s")
        params += [nit, dv] if dv is not None else [nit]
    if not match:
        return Pagina(resultados=[], total=0, total_exacto=True, nit=True)
    where = f"w.estado = 'activa' AND ({' OR '.join(match)})"
    if _source().tags:  # the filters are the directory row's tags
        plan = _Plan(filtros, [], alias="x")
        if plan.filter_conds:
            where += f" AND EXISTS (SELECT 1 FROM entities_directorio x WHERE x.entidad_id = w.id AND {plan.where})"  # noqa: S608 - fixed fragments; every value is a parameter
    else:
        plan = _Plan(filtros, [])
        where += f" AND {plan.where}"
    where += f" AND (pc.persona IS NULL OR pc.persona <> %s) ORDER BY {_clave_sql('w.nombre_busqueda')}, w.id"
    found = _result_rows(where, [*params, *plan.params, NATURAL])
    return Pagina(resultados=found, total=len(found), total_exacto=True, nit=True)


# What a result shows, in one query: the account, its place, its profile and its main category.
# Scalar subqueries rather than joins: the same plan, but planned in a fraction of the time (a
# five-way join's orders cost PostgreSQL more than running the lookup itself).
RESULT_SQL = (
    "SELECT w.id, w.nombre, w.nit, w.dv, w.pais, w.id_tributario, w.tipo_cuenta, w.es_proveedor, "
    "(SELECT d.nombre FROM core_departamento d WHERE d.codigo = w.departamento_id), "
    "(SELECT m.nombre FROM core_municipio m WHERE m.codigo = w.municipio_id), "
    "pc.persona, pc.es_mipyme, "
    "(SELECT a.codigo_id FROM entities_areainteres a WHERE a.entidad_id = w.id AND a.principal = %s), "
    "(SELECT c.nombre FROM entities_areainteres a JOIN core_codigounspsc c ON c.codigo = a.codigo_id "
    "WHERE a.entidad_id = w.id AND a.principal = %s) "
    "FROM entities_entidad w "
    "LEFT JOIN entities_perfilcomercial pc ON pc.entidad_id = w.id "
    "WHERE "
)


def _result_rows(where: str, params: list) -> list[Resultado]:
    with connection.cursor() as cursor:
        cursor.execute(RESULT_SQL + where, [True, True, *params])
        rows = cursor.fetchall()
    # The model's own rules for the NIT-DV and the kind, which read only the fields set below: one
    # instance for every row (building a model instance costs more than the rest of a row).
    e = Entidad()
    out = []
    for (
        pk,
        nombre,
        nit,
        dv,
        pais,
        id_tributario,
        tipo_cuenta,
        es_proveedor,
        dpto,
        mpio,
        persona,
        mipyme,
        cod,
        cnom,
    ) in rows:
        e.nit, e.dv, e.pais, e.id_tributario = nit, dv, pais, id_tributario
        e.tipo_cuenta, e.es_proveedor = tipo_cuenta, bool(es_proveedor)
        out.append(
            Resultado(
                pk=pk,
                nombre=nombre,
                nit="" if persona == NATURAL else e.nit_con_dv,
                tipo=e.tipo_label,
                municipio=mpio or "",
                departamento=dpto or "",
                categoria_codigo=cod or "",
                categoria_nombre=cnom or "",
                mipyme=bool(mipyme),
                proveedor=e.actua_como_proveedor,
            )
        )
    return out


def resultados(pks) -> list[Resultado]:
    """The rows of one page, in the order given: one query whatever the page."""
    pks = list(pks)
    if not pks:
        return []
    by_pk = {r.pk: r for r in _result_rows(f"w.id IN ({', '.join(['%s'] * len(pks))})", pks)}
    return [by_pk[pk] for pk in pks]


SUPPLIES = Q(tipo_cuenta=TipoCuenta.PROVEEDOR) | Q(es_proveedor=True)


def proveedores_ids(filtros: Filtros, limit: int) -> tuple[list[int], bool]:
    """The accounts that supply among *all* the results of these filters (not one page), in the
    results' order, up to `limit`; and whether there were more. What "invitar a todos los
    resultados" invites: accounts that do not supply are never in it, nor inactive ones."""
    candidates = nit_candidates(filtros.texto)
    if candidates is not None:
        match = Q(pk__in=[])
        for nit, dv in candidates:
            match |= Q(nit=nit, dv=dv) if dv is not None else Q(nit=nit)
        qs = base_queryset(filtros).filter(match).filter(SUPPLIES).exclude(perfil__persona=NATURAL)
        pks = list(qs.order_by("clave", "pk").values_list("pk", flat=True)[: limit + 1])
        return pks[:limit], len(pks) > limit
    plan = _Plan(filtros, words_of(filtros.texto))
    src = plan.source
    clave = f"w.{src.clave}"
    order, params = f"{clave}, w.{src.id}", []
    if plan.tiers == 2:
        order = f"CASE WHEN {clave} >= %s AND {clave} < %s THEN 0 ELSE 1 END, {order}"
        params = [plan.texto, _after(plan.texto)]
    if src.tags:
        supplies, supplies_params = "w.etiquetas && %s::text[]", [["k:proveedor", "k:entidad_proveedor"]]
    else:
        supplies, supplies_params = "(w.tipo_cuenta = %s OR w.es_proveedor = %s)", [TipoCuenta.PROVEEDOR, True]
    sql = (
        f"SELECT w.{src.id} FROM {src.table} w WHERE {src.active} "  # noqa: S608 - fixed fragments; every value is a parameter
        f"AND {supplies} AND {plan.where} ORDER BY {order} LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*supplies_params, *plan.params, *params, limit + 1])
        pks = [row[0] for row in cursor.fetchall()]
    return pks[:limit], len(pks) > limit
