"""The Directorio in the API: the same search, profile and downloads as its pages, for a user acting
for an active account (the `X-Entidad` header chooses another of theirs for one call). Without an
account the answer is 404; with an account not active yet, 409 (`acting.resolve`)."""

from ninja import Query, Router

from registro.accounts.api_auth import terms_auth
from registro.core.api import Id
from registro.entities.directory import downloads, profile, search
from registro.entities.directory.forms import validated
from registro.entities.directory.schemas import DirectorioQuery, PaginaOut, PerfilOut
from registro.entities.membership import acting

router = Router(tags=["Directorio"])


@router.get("/cuentas", response=PaginaOut, auth=terms_auth, summary="Buscar cuentas activas en el Directorio")
def directorio_buscar(request, params: Query[DirectorioQuery]):
    acting.resolve(request)
    form = validated(params.dict())
    return search.search(form.filtros(), cursor=form.cleaned_data["cursor"] or None)


@router.get("/cuentas/{cuenta_id}", response=PerfilOut, auth=terms_auth, summary="Perfil comercial de una cuenta")
def directorio_perfil(request, cuenta_id: Id):
    acting.resolve(request)
    p = profile.perfil_publico(pk=cuenta_id)
    e = p.entidad
    return {
        "id": e.pk,
        "nombre": e.nombre,
        "tipo_cuenta": e.tipo_cuenta,
        "es_proveedor": e.es_proveedor,
        "nit": p.nit,
        "persona_natural": p.natural,
        "datos": p.datos,
        "clasificacion": p.clasificacion,
        "contacto": p.contacto,
        "financiera": p.financiera,
        "areas": p.areas,
        "documentos": p.documentos,
    }


@router.get(
    "/documentos/{documento_id}/archivo",
    auth=terms_auth,
    summary="Descargar un documento visible en el Directorio (la descarga queda registrada)",
)
def directorio_documento(request, documento_id: Id):
    return downloads.documento_descargar(user=request.auth, acting=acting.resolve(request), pk=documento_id)
