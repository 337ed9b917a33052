"""The results tables' rows (library `directorio`, config/settings.py), for the Directorio's and the
public search's templates."""

from django import template

from registro.entities.directory.rows import result_rows

register = template.Library()


@register.simple_tag
def filas_resultados(rows, url_name: str, key: str = "pk", invitar: bool = False):
    return result_rows(rows, url_name, key=key, invitar=bool(invitar))
