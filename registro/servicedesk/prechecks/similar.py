"""Other registered entities with names like this one (possible duplicates)."""

import logging
from difflib import SequenceMatcher

from django.db.models import Case, IntegerField, Q, Value, When
from django.utils.translation import gettext as _

from registro.core.text import search_key
from registro.entities.account.models import Entidad

from .base import OK, WARNING, Precheck

SIMILAR_CANDIDATES = 200
SIMILAR_MIN_RATIO = 0.75
SIMILAR_MAX = 10
SIMILAR_WORDS = 3
logger = logging.getLogger(__name__)

# --- 5. similar names -------------------------------------------------------------------------

# Dropped everywhere.
CONNECTOR_WORDS = frozenset(
    {"DE", "DEL", "LA", "LAS", "LOS", "EL", "Y", "E", "O", "EN", "A", "AL", "PARA", "POR", "CON", "NO", "N"}
)
# Words that say what kind of institution it is; two names whose kinds differ (each has at least
# one, none shared) are different institutions, whatever the rest says.
KIND_WORDS = {
    "ALCALDIA": "municipio",
    "MUNICIPIO": "municipio",
    "DISTRITO": "municipio",
    "GOBERNACION": "departamento",
    "DEPARTAMENTO": "departamento",
    "CONCEJO": "concejo",
    "ASAMBLEA": "asamblea",
    "PERSONERIA": "personeria",
    "CONTRALORIA": "contraloria",
    "HOSPITAL": "salud",
    "ESE": "salud",
    "CLINICA": "salud",
    "IPS": "salud",
    "EDUCATIVA": "educacion",
    "COLEGIO": "educacion",
    "ESCUELA": "educacion",
    "UNIVERSIDAD": "universidad",
    "EMPRESA": "empresa",
    "EMPRESAS": "empresa",
    "ESP": "empresa",
    "MINISTERIO": "ministerio",
    "SUPERINTENDENCIA": "superintendencia",
    "AGENCIA": "agencia",
    "INSTITUTO": "instituto",
    "CORPORACION": "corporacion",
    "FONDO": "fondo",
    "NOTARIA": "notaria",
    "JUZGADO": "juzgado",
    "TRIBUNAL": "tribunal",
    "FISCALIA": "fiscalia",
}
# Other words that nearly every public entity's name holds: not distinctive.
INSTITUTION_WORDS = frozenset(KIND_WORDS) | frozenset(
    {
        "MUNICIPAL",
        "MUNICIPALES",
        "DEPARTAMENTAL",
        "DISTRITAL",
        "ESPECIAL",
        "NACIONAL",
        "REGIONAL",
        "SOCIAL",
        "ESTADO",
        "PUBLICA",
        "PUBLICAS",
        "PUBLICO",
        "PUBLICOS",
        "SERVICIOS",
        "INSTITUCION",
        "CENTRO",
        "UNIDAD",
        "ADMINISTRATIVA",
        "ADMINISTRATIVO",
        "COLOMBIA",
        "REPUBLICA",
        "SECRETARIA",
        "EICE",
        "SAS",
        "SA",
        "LTDA",
    }
)
# Distinctive, but so common at the start of place names that searching them finds half the table.
COMMON_PLACE_WORDS = frozenset({"SAN", "SANTA", "SANTO", "PUERTO", "VILLA", "NUEVO", "NUEVA"})


def _words(key: str) -> list[str]:
    return [w for w in key.split() if w not in CONNECTOR_WORDS]


def _distinctive(key: str) -> list[str]:
    return [w for w in _words(key) if w not in INSTITUTION_WORDS]


def _kinds(key: str) -> set[str]:
    return {KIND_WORDS[w] for w in key.split() if w in KIND_WORDS}


def _numbers(key: str) -> set[str]:
    return {w for w in key.split() if w.isdigit()}


def search_fragments(key: str) -> list[str]:
    """What the candidates' `nombre_busqueda` is searched for: the `SIMILAR_WORDS` longest
    distinctive words (longest first), falling back to any non-connector words."""
    words = [w for w in _distinctive(key) if w not in COMMON_PLACE_WORDS and len(w) >= 3 and not w.isdigit()]
    if not words:
        words = [w for w in _words(key) if len(w) >= 3]
    unique = list(dict.fromkeys(words))
    chosen = sorted(unique, key=len, reverse=True)[:SIMILAR_WORDS]
    if len(chosen) == 1 and len(chosen[0]) >= 7:
        chosen += [chosen[0][:5], chosen[0][-5:]]
    return chosen


def name_similarity(key_a: str, key_b: str) -> float:
    """How alike two search keys are, 0..1 (see the module's docstring)."""
    if _kinds(key_a) and _kinds(key_b) and not (_kinds(key_a) & _kinds(key_b)):
        return 0.0
    if _numbers(key_a) != _numbers(key_b):
        return 0.0
    a, b = _distinctive(key_a), _distinctive(key_b)
    if not a or not b:
        a, b = _words(key_a), _words(key_b)
    return SequenceMatcher(None, " ".join(a), " ".join(b), autojunk=False).ratio()


def similar_entities(entidad: Entidad) -> list[dict]:
    key = search_key(entidad.nombre)
    fragments = search_fragments(key)
    if not fragments:
        return []
    any_fragment = Q()
    for fragment in fragments:
        any_fragment |= Q(nombre_busqueda__contains=fragment)
    # One CASE per fragment, summed: a row holding two fragments counts 2.
    hits = sum(
        (
            Case(When(nombre_busqueda__contains=f, then=Value(1)), default=Value(0), output_field=IntegerField())
            for f in fragments
        ),
        Value(0),
    )
    candidates = (
        Entidad.objects.filter(any_fragment)
        .exclude(pk=entidad.pk)
        .annotate(hits=hits)
        .order_by("-hits", "pk")
        .values("pk", "nombre", "nombre_busqueda", "nit", "dv", "estado", "municipio__nombre")[:SIMILAR_CANDIDATES]
    )
    found = []
    for candidate in candidates:
        ratio = name_similarity(key, candidate["nombre_busqueda"])
        if ratio >= SIMILAR_MIN_RATIO:
            found.append(
                {
                    "id": candidate["pk"],
                    "nombre": candidate["nombre"],
                    "nit": candidate["nit"],
                    "dv": candidate["dv"],
                    "estado": candidate["estado"],
                    "municipio": candidate["municipio__nombre"] or "",
                    "ratio": round(ratio, 3),
                }
            )
    found.sort(key=lambda s: (-s["ratio"], s["nombre"], s["id"]))
    return found[:SIMILAR_MAX]


def _check_nombres_similares(entidad: Entidad) -> Precheck:
    code, label = "nombres_similares", _("Entidades con nombres similares")
    similares = similar_entities(entidad)
    detail = {"similares": similares}
    if not similares:
        return Precheck(code, label, OK, _("No hay otras Entidades registradas con nombres similares."), detail)
    listado = "; ".join(
        _("%(nombre)s (NIT %(nit)s, %(pct)s%% de similitud)")
        % {"nombre": s["nombre"], "nit": s["nit"], "pct": round(s["ratio"] * 100)}
        for s in similares
    )
    return Precheck(
        code,
        label,
        WARNING,
        _("Hay Entidades registradas con nombres similares; verifique que no sea un registro duplicado: %(lista)s.")
        % {"lista": listado},
        detail,
    )
