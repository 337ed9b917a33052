"""The Directorio's pages: the search, a commercial profile and the download of its documents.
Each acts for the account the user chose in the header (R1.2), which must be active; the rules are
in `search`, `profile` and `downloads`, shared with the API."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from registro.core.errors import ApplicationError
from registro.core.forms import add_application_error, municipio_filtro
from registro.core.http import or_404
from registro.entities.account.models import Entidad
from registro.entities.directory import downloads, profile, search
from registro.entities.directory.forms import DirectorioForm
from registro.entities.membership import acting, catalogue
from registro.entities.membership.catalogue import Permiso


def directory_view(view):
    """Only for a user acting for an active account, entity or supplier (R8.1, R2.4). Without any
    account the user is sent to R5.4's page; an account not active (pending, suspended) shows its
    own page, as the console does."""

    @login_required
    @require_GET
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            current = acting.resolve(request, active_only=False)
        except ApplicationError as exc:
            messages.info(request, exc.message)
            return redirect("entities:landing")
        if current.entidad.estado != Entidad.Estado.ACTIVA:
            return redirect("entities:registrada", pk=current.entidad.pk)
        request.acting = current
        return view(request, current, *args, **kwargs)

    return wrapper


def _puede_invitar(current) -> bool:
    """Inviting to a Solicitud de información (issue 11): a user of an Entidad Estatal holding the
    permission. The forms themselves come from information requests' template tags."""
    permiso = Permiso.GESTIONAR_SOLICITUDES_INFORMACION
    return permiso in catalogue.applicable(current.entidad) and current.can(permiso)


def _search_url(request, **changes) -> str:
    """The same search with these parameters changed (None removes one)."""
    params = request.GET.copy()
    for name, value in changes.items():
        if value is None:
            params.pop(name, None)
        else:
            params[name] = value
    return f"?{params.urlencode()}"


@directory_view
def buscar(request, current):
    """The search (R8.1): name or NIT and the filters, one keyset page of results."""
    form = DirectorioForm(request.GET)
    pagina = None
    if form.is_valid():
        try:
            pagina = search.search(form.filtros(), cursor=form.cleaned_data["cursor"] or None)
        except ApplicationError as exc:
            add_application_error(form, exc)
    return render(
        request,
        "entities/directory/buscar.html",
        {
            "form": form,
            "acting": current,
            "pagina": pagina,
            **municipio_filtro(form),
            "siguiente_url": _search_url(request, cursor=pagina.siguiente) if pagina and pagina.siguiente else "",
            "anterior_url": _search_url(request, cursor=pagina.anterior) if pagina and pagina.anterior else "",
            # Thousands with a dot, as written in Colombia.
            "total_texto": f"{pagina.total:,}".replace(",", ".") if pagina else "",
            "puede_invitar": _puede_invitar(current),
            "unspsc_opciones": [(c, _search_url(request, unspsc=c.prefijo, cursor=None)) for c in form.unspsc_opciones],
        },
    )


@directory_view
def perfil(request, current, pk: int):
    """A commercial profile: public fields, areas of interest, contact, classification (entities)
    and the documents visible in the Directorio."""
    return render(
        request,
        "entities/directory/perfil.html",
        {
            "p": or_404(profile.perfil_publico, pk=pk),
            "acting": current,
            "puede_invitar": _puede_invitar(current),
        },
    )


@directory_view
def documento(request, current, pk: int):
    """A document shown on a profile, as an attachment; the download is recorded."""
    return or_404(downloads.documento_descargar, user=request.user, acting=current, pk=pk)
