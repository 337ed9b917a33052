"""The rows of a results table (the Directorio's and the public search's), written here rather than
by a template loop: twenty rows of a dozen values each cost a template some 3 ms a page, this a
fraction of one (docs/adr/0014, "The page around the search"). The markup is what the templates
wrote, values escaped the same way."""

from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext

# An id no account has: where it lands in the reversed URL is where each row's id goes.
_PK = 7_340_021_118


def _get(row, name: str):
    return row[name] if isinstance(row, dict) else getattr(row, name)


def result_rows(rows, url_name: str, *, key: str = "pk", invitar: bool = False) -> SafeString:
    """`<tr>` of each result: its name linked to `url_name` (with its `key`), MiPyme badge, NIT-DV
    (or "Persona natural"), kind, place and main category; with `invitar`, first a checkbox of the
    "invitar" form for those that supply. Rows are objects or dicts with the result's fields."""
    before, _sep, after = reverse(url_name, args=[_PK]).partition(str(_PK))
    before, after = escape(before), escape(after)
    mipyme = f' <span class="badge">{escape(gettext("MiPyme"))}</span>'
    natural = f'<span class="muted">{escape(gettext("Persona natural"))}</span>'
    label = gettext("Invitar a %(nombre)s")
    parts = []
    for row in rows:
        pk = int(_get(row, key))
        nombre = escape(_get(row, "nombre"))
        parts.append("<tr>\n      ")
        if invitar:
            parts.append("<td>")
            if _get(row, "proveedor"):
                parts.append(
                    f'<input type="checkbox" name="cuentas" value="{pk}" id="invitar-{pk}" form="invitar-resultados">'
                    f'<label for="invitar-{pk}" class="visually-hidden">{label % {"nombre": nombre}}</label>'
                )
            parts.append("</td>\n      ")
        nit = _get(row, "nit")
        municipio = _get(row, "municipio")
        codigo = _get(row, "categoria_codigo")
        parts.append(
            f'<td><a href="{before}{pk}{after}">{nombre}</a>{mipyme if _get(row, "mipyme") else ""}</td>\n      '
            f'<td class="nowrap">{escape(nit) if nit else natural}</td>\n      '
            f"<td>{escape(_get(row, 'tipo'))}</td>\n      "
            f"<td>{escape(municipio) + ', ' if municipio else ''}{escape(_get(row, 'departamento'))}</td>\n      "
            "<td>"
            + (
                f'<span class="nowrap">{escape(codigo)}</span> {escape(_get(row, "categoria_nombre"))}'
                if codigo
                else ""
            )
            + "</td>\n    </tr>"
        )
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped
