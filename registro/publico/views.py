"""The public pages and downloads: no login, cacheable. Thin: the fields come from ficha/exports,
which read the visibility table."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.http import FileResponse, Http404, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from registro.core.errors import ApplicationError
from registro.core.forms import add_application_error, municipio_filtro

from . import busqueda, ficha, selectors, snapshots
from .api import cache_headers
from .exports import (
    ENTIDADES_COLUMNAS,
    PARTES_CAMPOS,
    PROVEEDORES_COLUMNAS,
    csv_stream,
    entidades_plan,
    json_stream,
    proveedores_plan,
)
from .forms import FiltrosForm
from .models import Instantanea
from .ocds import parties_stream
from .visibility import CAMPOS, NIVEL_LABELS, nivel_del_visor


def _page_url(request, cursor: str) -> str:
    params = request.GET.copy()
    params["cursor"] = cursor
    return f"?{params.urlencode()}"


@require_safe
def buscar(request):
    """The public search: the Directorio's search, for anyone, showing only public fields; each
    result links to the account's public page. An empty query shows only the form."""
    form = busqueda.BusquedaPublicaForm(request.GET or None)
    pagina, resultados = None, []
    if form.is_bound and form.is_valid():
        try:
            pagina, resultados = busqueda.buscar(form)
        except ApplicationError as exc:
            add_application_error(form, exc)
    response = render(
        request,
        "publico/buscar.html",
        {
            "form": form,
            "pagina": pagina,
            "resultados": resultados,
            **municipio_filtro(form),
            "siguiente_url": _page_url(request, pagina.siguiente) if pagina and pagina.siguiente else "",
            "anterior_url": _page_url(request, pagina.anterior) if pagina and pagina.anterior else "",
            # Thousands with a dot, as written in Colombia.
            "total_texto": f"{pagina.total:,}".replace(",", ".") if pagina else "",
        },
    )
    cache_headers(response, public=not request.user.is_authenticated)
    return response


@require_safe
def cuenta(request, pk: int):
    entidad = selectors.cuenta_publica_get(pk=pk)
    if entidad is None:
        raise Http404
    user = request.user if request.user.is_authenticated else None
    nivel = nivel_del_visor(user, entidad.pk)
    data = ficha.ficha(entidad, nivel)
    etag = ficha.validador(data, nivel=nivel, viewer=str(user.pk) if user else "")
    modified = ficha.ultima_modificacion(entidad)
    response = get_conditional_response(request, etag=etag, last_modified=int(modified.timestamp()))
    if response is None:
        response = render(
            request,
            "publico/cuenta.html",
            {"entidad": entidad, "f": data, "nivel": nivel, "nivel_label": NIVEL_LABELS[nivel]},
        )
    response["ETag"] = etag
    response["Last-Modified"] = http_date(modified.timestamp())
    cache_headers(response, public=user is None)
    return response


URL_NAMES = {
    "proveedores.csv": "publico:proveedores_csv",
    "proveedores.json": "publico:proveedores_json",
    "entidades.csv": "publico:entidades_csv",
    "entidades.json": "publico:entidades_json",
    "ocds-parties.json": "publico:parties",
}

DOWNLOADS = {
    "proveedores.csv": ("text/csv; charset=utf-8", lambda f: csv_stream(proveedores_plan(), selectors.proveedores(f))),
    "proveedores.json": (
        "application/json; charset=utf-8",
        lambda f: json_stream(proveedores_plan(), selectors.proveedores(f)),
    ),
    "entidades.csv": ("text/csv; charset=utf-8", lambda f: csv_stream(entidades_plan(), selectors.entidades(f))),
    "entidades.json": (
        "application/json; charset=utf-8",
        lambda f: json_stream(entidades_plan(), selectors.entidades(f)),
    ),
    "ocds-parties.json": ("application/json; charset=utf-8", lambda f: parties_stream(selectors.partes(f))),
}


def _filtros(request):
    try:
        return selectors.filtros_parse(request.GET), None
    except ApplicationError as exc:
        response = HttpResponse(exc.message + "\n", status=400, content_type="text/plain; charset=utf-8")
        return None, response


@require_safe
def descarga(request, archivo: str):
    """A live download, filtered by the query parameters, streamed from the database cursor."""
    if archivo not in DOWNLOADS:
        raise Http404
    filtros, error = _filtros(request)
    if error:
        return error
    content_type, stream = DOWNLOADS[archivo]
    response = StreamingHttpResponse(stream(filtros), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{archivo}"'
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = f"public, max-age={settings.PUBLIC_CACHE_SECONDS}"
    return response


@require_safe
def parties(request):
    return descarga(request, "ocds-parties.json")


@require_safe
def instantanea(request, archivo: str):
    """The latest snapshot of a file, from the open-data storage (disk or S3)."""
    if archivo not in Instantanea.Archivo.values:
        raise Http404
    ultima = snapshots.latest_of(archivo)
    storage = snapshots.open_data_storage()
    if ultima is None or not storage.exists(ultima.nombre):
        raise Http404
    response = FileResponse(
        storage.open(ultima.nombre, "rb"),
        as_attachment=True,
        filename=f"{archivo.rsplit('.', 1)[0]}-{ultima.fecha:%Y-%m-%d}.{archivo.rsplit('.', 1)[1]}.gz",
        content_type="application/gzip",
    )
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = f"public, max-age={settings.PUBLIC_CACHE_SECONDS}"
    return response


@require_safe
def datos(request):
    """The download page: each file live (with the filters) beside its latest snapshot."""
    form = FiltrosForm(request.GET or None)
    filtros = form.filtros if form.is_bound and form.is_valid() else selectors.Filtros()
    query = filtros.as_query()
    suffix = f"?{urlencode(query)}" if query else ""
    ultimas = {i.archivo: i for i in snapshots.latest()}
    archivos = [
        {"archivo": archivo, "url": reverse(URL_NAMES[archivo]) + suffix, "instantanea": ultimas.get(archivo)}
        for archivo in DOWNLOADS
    ]
    return render(request, "publico/datos.html", {"archivos": archivos, "form": form, "filtrado": bool(query)})


@require_safe
def diccionario(request):
    """Each column of each download: its type, its source and, when it may stay empty, why."""

    def filas(columnas):
        for nombre, campo in ((c, c) if isinstance(c, str) else c for c in columnas):
            c = CAMPOS[campo]
            yield {"columna": nombre, "campo": c, "org": c.organizacion.label, "natural": c.persona_natural.label}

    secciones = [
        (
            _("proveedores.csv y proveedores.json (Proveedores Registrados, qmzu-gj57)"),
            list(filas(PROVEEDORES_COLUMNAS)),
        ),
        (_("entidades.csv y entidades.json (Entidades Estatales)"), list(filas(ENTIDADES_COLUMNAS))),
        (_("ocds/parties.json: los datos de los que sale cada parte OCDS"), list(filas(PARTES_CAMPOS))),
    ]
    return render(request, "publico/diccionario.html", {"secciones": secciones})
