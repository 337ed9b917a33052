from django.shortcuts import get_object_or_404
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from registro.accounts.api_auth import terms_auth
from registro.core import countries
from registro.core.api import Id
from registro.core.errors import ApplicationError, ErrorCode
from registro.core.models import ClasificacionEntidad, Departamento, Municipio, TipoEmpresa
from registro.entities.account import selectors as account_selectors
from registro.entities.account.models import Entidad
from registro.entities.membership import access, invitations
from registro.entities.membership import permissions as membership_permissions
from registro.entities.membership import selectors as membership_selectors
from registro.entities.membership.models import SolicitudAcceso
from registro.entities.membership.schemas import InvitacionOut
from registro.entities.registration import permissions as registration_permissions
from registro.entities.registration import selectors as registration_selectors
from registro.entities.registration import services
from registro.entities.registration.schemas import (
    DocumentoOut,
    EntidadOut,
    EntidadSearchOut,
    MembresiaOut,
    PreRegistroIn,
    PreRegistroProveedorIn,
    ReferenceOut,
    RegistroOut,
    RegistroPatchIn,
    SolicitudIn,
    SolicitudOut,
    TipoEmpresaOut,
    VerificacionOut,
)

router = Router(tags=["Entidades"])


reference_router = Router(tags=["Referencia"])


class SearchParams(Schema):
    q: str = Field(min_length=1, max_length=255, description="Nombre (cualquier palabra) o NIT")


@router.get(
    "/entidades/buscar",
    response=list[EntidadSearchOut],
    auth=None,
    summary="Validar: buscar cuentas registradas (Entidades Estatales y Proveedores) por nombre o NIT",
)
def search(request, params: Query[SearchParams]):
    # Public: the list of registered entities is public information, and registration needs it.
    return list(account_selectors.entidad_search(query=params.q))


def _registro(request, registro_id: int):
    return registration_permissions.editable_registro(request.auth, registro_id)


@router.post(
    "/entidades/registros",
    response={201: RegistroOut},
    auth=terms_auth,
    summary="Registrar Entidad: Generar formulario",
)
def registro_create(request, payload: PreRegistroIn):
    return Status(201, services.registro_create(user=request.auth, data=payload.dict()))


@router.post(
    "/proveedores/registros",
    response={201: RegistroOut},
    auth=terms_auth,
    summary="Registrar Proveedor: Generar formulario (el borrador se sigue en /entidades/registros/{id})",
)
def registro_proveedor_create(request, payload: PreRegistroProveedorIn):
    return Status(201, services.registro_proveedor_create(user=request.auth, data=payload.dict()))


@router.get(
    "/entidades/registros", response=list[RegistroOut], auth=terms_auth, summary="Registros de Entidad en curso"
)
def registro_list(request):
    return list(registration_selectors.registros_en_curso(user=request.auth))


@router.get("/entidades/registros/{registro_id}", response=RegistroOut, auth=terms_auth, summary="Un registro en curso")
def registro_detail(request, registro_id: Id):
    return _registro(request, registro_id)


@router.patch(
    "/entidades/registros/{registro_id}", response=RegistroOut, auth=terms_auth, summary="Guardar el borrador"
)
def registro_update(request, registro_id: Id, payload: RegistroPatchIn):
    registro = _registro(request, registro_id)
    datos = dict(payload.datos)
    if payload.areas is not None:
        datos["areas"] = ",".join(payload.areas)
    return services.registro_update(registro=registro, data=datos)


@router.delete(
    "/entidades/registros/{registro_id}", response={204: None}, auth=terms_auth, summary="Eliminar el borrador"
)
def registro_delete(request, registro_id: Id):
    services.registro_delete(registro=_registro(request, registro_id))
    return Status(204, None)


@router.post(
    "/entidades/registros/{registro_id}/documentos",
    response={201: DocumentoOut},
    auth=terms_auth,
    summary="Anexar documento",
)
def documento_attach(request, registro_id: Id, tipo: Form[str], archivo: File[UploadedFile]):
    registro = _registro(request, registro_id)
    return Status(201, services.documento_attach(registro=registro, tipo=tipo, uploaded=archivo, user=request.auth))


@router.get(
    "/entidades/registros/{registro_id}/documentos",
    response=list[DocumentoOut],
    auth=terms_auth,
    summary="Documentos anexados (y sus versiones anteriores)",
)
def documento_list(request, registro_id: Id):
    registro = _registro(request, registro_id)
    return list(registro.documentos.order_by("tipo", "-version"))


@router.get(
    "/entidades/registros/{registro_id}/verificacion",
    response=VerificacionOut,
    auth=terms_auth,
    summary="Lo que Finalizar revisaría, sin finalizar",
)
def registro_verify(request, registro_id: Id):
    verificacion = services.registro_verify(registro=_registro(request, registro_id))
    return {"ok": verificacion.ok, "errors": verificacion.errors, "missing_documents": verificacion.faltantes}


@router.post(
    "/entidades/registros/{registro_id}/finalizar",
    response={201: EntidadOut},
    auth=terms_auth,
    summary="Finalizar: crear la cuenta (una Entidad queda Pendiente de activación; un Proveedor, Activa)",
)
def registro_finalize(request, registro_id: Id):
    registro = _registro(request, registro_id)
    return Status(201, services.registro_finalize(registro=registro, user=request.auth))


@router.get("/entidades/{entidad_id}", response=EntidadOut, auth=terms_auth, summary="Datos de una Entidad")
def entidad_detail(request, entidad_id: Id):
    entidad = get_object_or_404(
        Entidad.objects.select_related("orden", "rama", "sector", "tipo_entidad"), pk=entidad_id
    )
    if not membership_permissions.can_view_entidad(request.auth, entidad):
        raise ApplicationError(ErrorCode.NOT_FOUND, "No existe esa Entidad.", status=404)
    return entidad


@router.get(
    "/entidades/documentos/{documento_id}/archivo",
    auth=terms_auth,
    summary="Descargar un documento (usuarios de la Entidad y Mesa de Servicio)",
)
def documento_download(request, documento_id: Id):
    return registration_permissions.downloadable_documento(request.auth, documento_id).response()


@reference_router.get("/departamentos", response=list[ReferenceOut], auth=None, summary="Departamentos (DIVIPOLA)")
def departamentos(request):
    return [{"value": d.codigo, "label": d.nombre} for d in Departamento.objects.order_by("nombre")]


class MunicipiosParams(Schema):
    departamento: str = Field(pattern=r"^\d{2}$", description="Código DANE del departamento")


@reference_router.get("/municipios", response=list[ReferenceOut], auth=None, summary="Municipios de un departamento")
def municipios(request, params: Query[MunicipiosParams]):
    rows = Municipio.objects.filter(departamento_id=params.departamento).order_by("nombre")
    return [{"value": m.codigo, "label": m.nombre} for m in rows]


@reference_router.get("/paises", response=list[ReferenceOut], auth=None, summary="Países (ISO 3166-1), en español")
def paises(request):
    return [{"value": code, "label": name} for code, name in countries.paises()]


@reference_router.get(
    "/tipos-empresa", response=list[TipoEmpresaOut], auth=None, summary="Tipos de organización de los Proveedores"
)
def tipos_empresa(request):
    rows = TipoEmpresa.objects.filter(activo=True)
    return [{"value": t.codigo, "label": t.nombre, "persona": t.persona, "extranjera": t.extranjera} for t in rows]


class ClasificacionParams(Schema):
    campo: ClasificacionEntidad.Campo


@reference_router.get(
    "/clasificaciones", response=list[ReferenceOut], auth=None, summary="Orden, Rama, Sector y Tipo de Entidad"
)
def clasificaciones(request, params: Query[ClasificacionParams]):
    rows = ClasificacionEntidad.objects.filter(campo=params.campo, activo=True)
    return [{"value": str(c.pk), "label": c.valor} for c in rows]


def _solicitud(request, solicitud_id: int) -> SolicitudAcceso:
    return registration_permissions.solicitud_named(solicitud_id)


@router.post(
    "/entidades/{entidad_id}/solicitudes",
    response={201: SolicitudOut},
    auth=terms_auth,
    summary="Solicitud de acceso a una Entidad activa",
)
def solicitud_create(request, entidad_id: Id, payload: SolicitudIn):
    entidad = get_object_or_404(Entidad, pk=entidad_id)
    return Status(201, access.solicitud_create(user=request.auth, entidad=entidad, mensaje=payload.mensaje))


@router.get("/me/registros", response={200: dict}, auth=terms_auth, summary="Mis registros: Entidades y solicitudes")
def mis_registros(request):
    membresias = membership_selectors.membresias_del_usuario(user=request.auth)
    solicitudes = request.auth.solicitudes_acceso.select_related("entidad", "usuario").order_by("-created_at")
    return {
        "membresias": [MembresiaOut.from_orm(m).dict() for m in membresias],
        "solicitudes": [SolicitudOut.from_orm(s).dict() for s in solicitudes],
        "invitaciones": [InvitacionOut.from_orm(i).dict() for i in invitations.invitaciones_del_usuario(request.auth)],
    }


@router.post(
    "/solicitudes/{solicitud_id}/cancelar", response=SolicitudOut, auth=terms_auth, summary="Cancelar mi solicitud"
)
def solicitud_cancel(request, solicitud_id: Id):
    solicitud = _solicitud(request, solicitud_id)
    if solicitud.usuario_id != request.auth.pk:
        raise ApplicationError(ErrorCode.NOT_FOUND, "No existe esa solicitud.", status=404)
    return access.solicitud_cancel(solicitud=solicitud, user=request.auth)
