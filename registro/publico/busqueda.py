"""The public search (issue 12): the Directorio's search (`registro.entities.directory.search`),
not a second one, with the filters the public has (name or NIT, kind of account, UNSPSC code,
department and municipality), and each result cut to the fields the visibility table makes public
for that account. Only active accounts are found, as in the Directorio."""

from __future__ import annotations

from django.db.models import Q

from registro.entities.account.models import PerfilComercial
from registro.entities.directory.forms import DirectorioForm
from registro.entities.directory.search import Filtros, Pagina, Resultado, search

from .visibility import Nivel, visible

NATURAL = "natural"

# Each field of a result and the field of the visibility table it shows.
CAMPOS_RESULTADO = {
    "nombre": "nombre",
    "nit": "nit",
    "tipo": "tipo_cuenta",
    "municipio": "municipio",
    "departamento": "departamento",
    "categoria_codigo": "codigo_categoria_principal",
    "categoria_nombre": "descripcion_categoria_principal",
    "mipyme": "espyme",
}
VACIO = {"mipyme": False}


class BusquedaPublicaForm(DirectorioForm):
    """The Directorio's form and validation, without the filters that are the Directorio's own."""

    PUBLICOS = ("q", "tipo", "unspsc", "departamento", "municipio", "cursor")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in list(self.fields):
            if name not in self.PUBLICOS:
                del self.fields[name]

    def filtros(self) -> Filtros:
        data = self.cleaned_data
        return Filtros(
            texto=data["q"],
            tipos=tuple(data["tipo"]),
            unspsc=data["unspsc"],
            departamento=data["departamento"].pk if data["departamento"] else "",
            municipio=data["municipio"].pk if data["municipio"] else "",
        )


def _naturales(pks: list[int]) -> set[int]:
    """The natural persons among these accounts, as the public page tells them (`ficha`): by the
    profile's persona, or its kind of organisation when that is not set."""
    return set(
        PerfilComercial.objects.filter(entidad_id__in=pks)
        .filter(Q(persona=NATURAL) | (Q(persona="") & Q(tipo_empresa__persona=NATURAL)))
        .values_list("entidad_id", flat=True)
    )


def resultado_publico(r: Resultado, *, natural: bool) -> dict:
    """A result with only what the public may see of it; the rest empty."""
    out = {"id": r.pk}
    for attr, campo in CAMPOS_RESULTADO.items():
        shown = visible(campo, Nivel.PUBLICO, natural=natural)
        out[attr] = getattr(r, attr) if shown else VACIO.get(attr, "")
    return out


def buscar(form: BusquedaPublicaForm) -> tuple[Pagina, list[dict]]:
    """One page of the public search for a valid form: the page (cursors, count) and its results
    cut to the public fields. Raises ApplicationError (422) for a cursor that is not valid."""
    pagina = search(form.filtros(), cursor=form.cleaned_data["cursor"] or None)
    naturales = _naturales([r.pk for r in pagina.resultados])
    return pagina, [resultado_publico(r, natural=r.pk in naturales) for r in pagina.resultados]
