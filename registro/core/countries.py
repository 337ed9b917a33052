"""Countries (ISO 3166-1 alpha-2) with their Spanish names, from pycountry's data and its Spanish
translation: the supplier's country (R9.1), any country of the world."""

import gettext
from functools import cache

import pycountry

from .text import search_key

COLOMBIA = "CO"


@cache
def _spanish() -> gettext.NullTranslations:
    return gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["es"], fallback=True)


@cache
def paises() -> tuple[tuple[str, str], ...]:
    """(code, Spanish name) of every country, sorted by the name as people read it (accents and
    case aside), Colombia included."""
    translate = _spanish().gettext
    rows = [
        (country.alpha_2, translate(getattr(country, "common_name", None) or country.name))
        for country in pycountry.countries
    ]
    return tuple(sorted(rows, key=lambda row: search_key(row[1])))


@cache
def _names() -> dict[str, str]:
    return dict(paises())


def pais_nombre(codigo: str) -> str:
    """The country's Spanish name; the code itself when it is not a country."""
    return _names().get((codigo or "").upper(), codigo or "")


def es_pais(codigo: str) -> bool:
    return (codigo or "").upper() in _names()
