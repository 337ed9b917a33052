"""The entity console in the API: every operation acts for the caller's acting entity (R1.2), the
one chosen with `PUT /me/entidad-activa`, or the one named in the `X-Entidad` header for a single
call, with that membership's permissions (R7.1). Objects of other entities are not found (404)."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import Field

from registro.accounts import reauthentication
from registro.accounts.api_auth import terms_auth, user_auth
from registro.core.api import Id
from registro.core.errors import ApplicationError, ErrorCode
from registro.entities.console import selectors as console_selectors
from registro.entities.console import units
from registro.entities.console.models import UnidadContratacion
from registro.entities.console.schemas import (
    ActingIn,
    ActingOut,
    AprobarIn,
    EventoOut,
    InvitacionIn,
    MiembroOut,
    MiembroPatchIn,
    PermisoOut,
    RechazarIn,
    RolIn,
    RolOut,
    UnidadIn,
    UnidadOut,
)
from registro.entities.membership import access, acting, catalogue, invitations, members, roles, sensitive
from registro.entities.membership import selectors as membership_selectors
from registro.entities.membership.catalogue import Permiso
from registro.entities.membership.models import Invitacion, Membresia, RolEntidad, SolicitudAcceso
from registro.entities.membership.schemas import InvitacionOut
from registro.entities.registration.models import Documento
from registro.entities.registration.schemas import SolicitudOut
from registro.entities.supplier import areas as supplier_areas
from registro.entities.supplier import guards as supplier_guards
from registro.entities.supplier import library, profile
from registro.entities.supplier import selectors as supplier_selectors
from registro.entities.supplier.schemas import (
    AreasIn,
    AreasOut,
    BibliotecaDocumentoOut,
    CambioSolicitadoOut,
    PerfilOut,
    PerfilPatchIn,
    VisibilidadIn,
)

router = Router(tags=["Entidad activa"])


def _acting(request, permiso: Permiso | None = None) -> acting.Acting:
    return acting.resolve(request, permiso=permiso)


def _acting_state_entity(request, permiso: Permiso | None = None) -> acting.Acting:
    """Purchasing units: the acting account must be an Entidad Estatal (403 otherwise, with why)."""
    return units.require_state_entity(acting.resolve(request)).require(permiso)


def _acting_out(current: acting.Acting) -> dict:
    m = current.membresia
    return {
        "entidad": m.entidad,
        "membresia_id": m.pk,
        "rol": m.rol,
        "rol_label": m.get_rol_display(),
        "roles": list(m.roles.all()),
        "permisos": [p for p in Permiso.values if p in current.permisos],
    }


@router.get("/me/entidad-activa", response=ActingOut, auth=terms_auth, summary="La Entidad a nombre de la que actúa")
def acting_get(request):
    return _acting_out(acting.resolve(request, active_only=False))


@router.put("/me/entidad-activa", response=ActingOut, auth=terms_auth, summary="Cambiar de Entidad activa")
def acting_put(request, payload: ActingIn):
    membresia = acting.acting_select(user=request.auth, entidad_id=payload.entidad_id)
    return _acting_out(acting.Acting(membresia))


@router.get("/permisos", response=list[PermisoOut], auth=user_auth, summary="Catálogo de permisos")
def permisos(request):
    """The whole catalogue; `ambito` says which accounts each permission applies to (a role of an
    account may only hold those that apply to it)."""
    return [{"value": value, "label": str(label), "ambito": catalogue.scope(value)} for value, label in Permiso.choices]


@router.get("/entidad/miembros", response=list[MiembroOut], auth=terms_auth, summary="Usuarios de la Entidad")
def miembros(request):
    current = _acting(request, Permiso.GESTIONAR_MIEMBROS)
    return list(membership_selectors.miembros(entidad=current.entidad))


def _miembro(current: acting.Acting, membresia_id: int) -> Membresia:
    return get_object_or_404(Membresia.objects.select_related("usuario"), pk=membresia_id, entidad=current.entidad)


@router.patch(
    "/entidad/miembros/{membresia_id}",
    response=MiembroOut,
    auth=terms_auth,
    summary="Cambiar el rol propio y los roles adicionales de un usuario",
)
def miembro_patch(request, membresia_id: Id, payload: MiembroPatchIn):
    """Sensitive (changing roles; naming or removing an Administrador): 401
    `reauthentication_required` without a recent proof of identity."""
    current = _acting(request, Permiso.GESTIONAR_MIEMBROS)
    membresia = _miembro(current, membresia_id)
    reauthentication.require(request, sensitive.member_change(membresia, "roles", rol=payload.rol))
    membresia = members.membresia_update(membresia=membresia, actor=request.auth, rol=payload.rol, roles=payload.roles)
    return membership_selectors.miembros(entidad=current.entidad).get(pk=membresia.pk)


@router.post(
    "/entidad/miembros/{membresia_id}/suspender", response=MiembroOut, auth=terms_auth, summary="Suspender un usuario"
)
def miembro_suspender(request, membresia_id: Id):
    """Suspending an Administrador is sensitive (401 `reauthentication_required`)."""
    current = _acting(request, Permiso.GESTIONAR_MIEMBROS)
    membresia = _miembro(current, membresia_id)
    reauthentication.require(request, sensitive.member_change(membresia, "suspender"))
    return members.membresia_suspend(membresia=membresia, actor=request.auth)


@router.post(
    "/entidad/miembros/{membresia_id}/reactivar", response=MiembroOut, auth=terms_auth, summary="Reactivar un usuario"
)
def miembro_reactivar(request, membresia_id: Id):
    """Reactivating an Administrador is sensitive (401 `reauthentication_required`)."""
    current = _acting(request, Permiso.GESTIONAR_MIEMBROS)
    membresia = _miembro(current, membresia_id)
    reauthentication.require(request, sensitive.member_change(membresia, "reactivar"))
    return members.membresia_reactivate(membresia=membresia, actor=request.auth)


@router.delete(
    "/entidad/miembros/{membresia_id}",
    response={204: None},
    auth=terms_auth,
    summary="Retirar un usuario (o salir de la Entidad, con su propia membresía)",
)
def miembro_retirar(request, membresia_id: Id):
    """Removing an Administrador is sensitive (401 `reauthentication_required`)."""
    current = _acting(request)
    membresia = _miembro(current, membresia_id)
    if membresia.usuario_id != request.auth.pk:
        current.require(Permiso.GESTIONAR_MIEMBROS)
    reauthentication.require(request, sensitive.member_change(membresia, "retirar"))
    members.membresia_remove(membresia=membresia, actor=request.auth)
    return Status(204, None)


@router.get(
    "/entidad/solicitudes", response=list[SolicitudOut], auth=terms_auth, summary="Solicitudes de acceso pendientes"
)
def solicitudes(request):
    current = _acting(request, Permiso.APROBAR_SOLICITUDES)
    return list(membership_selectors.solicitudes_pendientes(entidad=current.entidad))


def _solicitud(current: acting.Acting, solicitud_id: int) -> SolicitudAcceso:
    return get_object_or_404(
        SolicitudAcceso.objects.select_related("entidad", "usuario"), pk=solicitud_id, entidad=current.entidad
    )


@router.post(
    "/entidad/solicitudes/{solicitud_id}/aprobar",
    response=SolicitudOut,
    auth=terms_auth,
    summary="Aceptar una solicitud, con el rol y los roles adicionales",
)
def solicitud_aprobar(request, solicitud_id: Id, payload: AprobarIn):
    """With `rol` Administrador it names one: sensitive (401 `reauthentication_required`)."""
    current = _acting(request, Permiso.APROBAR_SOLICITUDES)
    solicitud = _solicitud(current, solicitud_id)
    reauthentication.require(request, sensitive.granting(payload.rol))
    access.solicitud_approve(solicitud=solicitud, admin=request.auth, rol=payload.rol, roles=payload.roles)
    solicitud.refresh_from_db()
    return solicitud


@router.post(
    "/entidad/solicitudes/{solicitud_id}/rechazar",
    response=SolicitudOut,
    auth=terms_auth,
    summary="Rechazar una solicitud, con el motivo",
)
def solicitud_rechazar(request, solicitud_id: Id, payload: RechazarIn):
    current = _acting(request, Permiso.APROBAR_SOLICITUDES)
    return access.solicitud_reject(
        solicitud=_solicitud(current, solicitud_id), admin=request.auth, motivo=payload.motivo
    )


@router.get("/entidad/roles", response=list[RolOut], auth=terms_auth, summary="Roles definidos por la Entidad")
def roles_list(request):
    current = _acting(request, Permiso.GESTIONAR_ROLES)
    return list(membership_selectors.roles(entidad=current.entidad))


@router.post("/entidad/roles", response={201: RolOut}, auth=terms_auth, summary="Crear un rol")
def rol_create(request, payload: RolIn):
    current = _acting(request, Permiso.GESTIONAR_ROLES)
    return Status(201, roles.rol_create(entidad=current.entidad, actor=request.auth, **payload.dict()))


def _rol(current: acting.Acting, rol_id: int) -> RolEntidad:
    return get_object_or_404(RolEntidad, pk=rol_id, entidad=current.entidad)


@router.get("/entidad/roles/{rol_id}", response=RolOut, auth=terms_auth, summary="Un rol")
def rol_detail(request, rol_id: Id):
    return _rol(_acting(request, Permiso.GESTIONAR_ROLES), rol_id)


@router.put("/entidad/roles/{rol_id}", response=RolOut, auth=terms_auth, summary="Modificar un rol")
def rol_update(request, rol_id: Id, payload: RolIn):
    """Sensitive (it changes what every holder of the role may do): 401 `reauthentication_required`
    without a recent proof of identity."""
    current = _acting(request, Permiso.GESTIONAR_ROLES)
    rol = _rol(current, rol_id)
    reauthentication.require(request, sensitive.ROLE_DEFINITION)
    return roles.rol_update(rol=rol, actor=request.auth, **payload.dict())


@router.delete("/entidad/roles/{rol_id}", response={204: None}, auth=terms_auth, summary="Eliminar un rol")
def rol_delete(request, rol_id: Id):
    """Sensitive, as modifying it: 401 `reauthentication_required` without a recent proof."""
    current = _acting(request, Permiso.GESTIONAR_ROLES)
    rol = _rol(current, rol_id)
    reauthentication.require(request, sensitive.ROLE_DEFINITION)
    roles.rol_delete(rol=rol, actor=request.auth)
    return Status(204, None)


@router.get("/entidad/invitaciones", response=list[InvitacionOut], auth=terms_auth, summary="Invitaciones enviadas")
def invitaciones_list(request):
    current = _acting(request, Permiso.GESTIONAR_MIEMBROS)
    return list(membership_selectors.invitaciones(entidad=current.entidad))


@router.post(
    "/entidad/invitaciones", response={201: InvitacionOut}, auth=terms_auth, summary="Invitar a una persona por correo"
)
def invitacion_create(request, payload: InvitacionIn):
    """Inviting with `rol` Administrador names one: sensitive (401 `reauthentication_required`)."""
    current = _acting(request, Permiso.GESTIONAR_MIEMBROS)
    reauthentication.require(request, sensitive.granting(payload.rol))
    return Status(201, invitations.invitacion_create(entidad=current.entidad, actor=request.auth, **payload.dict()))


def _invitacion(current: acting.Acting, invitacion_id: int) -> Invitacion:
    return get_object_or_404(Invitacion.objects.select_related("entidad"), pk=invitacion_id, entidad=current.entidad)


@router.post(
    "/entidad/invitaciones/{invitacion_id}/reenviar",
    response=InvitacionOut,
    auth=terms_auth,
    summary="Reenviar una invitación (enlace y vencimiento nuevos)",
)
def invitacion_resend(request, invitacion_id: Id):
    current = _acting(request, Permiso.GESTIONAR_MIEMBROS)
    return invitations.invitacion_resend(invitacion=_invitacion(current, invitacion_id), actor=request.auth)


@router.delete(
    "/entidad/invitaciones/{invitacion_id}", response=InvitacionOut, auth=terms_auth, summary="Cancelar una invitación"
)
def invitacion_cancel(request, invitacion_id: Id):
    current = _acting(request, Permiso.GESTIONAR_MIEMBROS)
    return invitations.invitacion_cancel(invitacion=_invitacion(current, invitacion_id), actor=request.auth)


def _no_invitation() -> ApplicationError:
    return ApplicationError(ErrorCode.NOT_FOUND, _("No existe esa invitación."), status=404)


@router.get(
    "/invitaciones/{invitacion_id}",
    response=InvitacionOut,
    auth=terms_auth,
    summary="Una invitación dirigida a mi correo",
)
def invitacion_mine(request, invitacion_id: Id):
    invitacion = get_object_or_404(Invitacion.objects.select_related("entidad"), pk=invitacion_id)
    if not invitations.is_for(invitacion, request.auth):
        raise _no_invitation()
    return invitacion


@router.post(
    "/invitaciones/{invitacion_id}/aceptar",
    response=ActingOut,
    auth=terms_auth,
    summary="Aceptar una invitación dirigida a mi correo (pasa a ser la Entidad activa)",
)
def invitacion_accept(request, invitacion_id: Id):
    invitacion = Invitacion.objects.select_related("entidad").filter(pk=invitacion_id).first()
    if invitacion is None or not invitations.is_for(invitacion, request.auth):
        raise _no_invitation()
    membresia = invitations.invitacion_accept(invitacion=invitacion, user=request.auth)
    return _acting_out(acting.Acting(membresia))


@router.get("/entidad/unidades", response=list[UnidadOut], auth=terms_auth, summary="Unidades de contratación")
def unidades_list(request):
    current = _acting_state_entity(request)
    return list(console_selectors.unidades(entidad=current.entidad))


@router.post(
    "/entidad/unidades", response={201: UnidadOut}, auth=terms_auth, summary="Crear una unidad de contratación"
)
def unidad_create(request, payload: UnidadIn):
    current = _acting_state_entity(request, Permiso.GESTIONAR_UNIDADES)
    return Status(201, units.unidad_create(entidad=current.entidad, actor=request.auth, **payload.dict()))


def _unidad(current: acting.Acting, unidad_id: int) -> UnidadContratacion:
    return get_object_or_404(UnidadContratacion, pk=unidad_id, entidad=current.entidad)


@router.get("/entidad/unidades/{unidad_id}", response=UnidadOut, auth=terms_auth, summary="Una unidad de contratación")
def unidad_detail(request, unidad_id: Id):
    return _unidad(_acting_state_entity(request), unidad_id)


@router.put(
    "/entidad/unidades/{unidad_id}",
    response=UnidadOut,
    auth=terms_auth,
    summary="Modificar una unidad y los usuarios que trabajan en ella",
)
def unidad_update(request, unidad_id: Id, payload: UnidadIn):
    current = _acting_state_entity(request, Permiso.GESTIONAR_UNIDADES)
    return units.unidad_update(unidad=_unidad(current, unidad_id), actor=request.auth, **payload.dict())


@router.delete("/entidad/unidades/{unidad_id}", response={204: None}, auth=terms_auth, summary="Eliminar una unidad")
def unidad_delete(request, unidad_id: Id):
    current = _acting_state_entity(request, Permiso.GESTIONAR_UNIDADES)
    units.unidad_delete(unidad=_unidad(current, unidad_id), actor=request.auth)
    return Status(204, None)


class HistorialParams(Schema):
    limite: int = Field(50, ge=1, le=200)
    desde_id: Id | None = Field(None, description="Eventos anteriores a este id (paginación)")


@router.get("/entidad/historial", response=list[EventoOut], auth=terms_auth, summary="Historial de la Entidad")
def historial(request, params: Query[HistorialParams]):
    current = _acting(request, Permiso.VER_AUDITORIA)
    eventos = current.entidad.eventos.select_related("actor")
    if params.desde_id:
        eventos = eventos.filter(pk__lt=params.desde_id)
    return list(eventos[: params.limite])


# --- The supplier side (R9, R4.3): an account without one has none of these operations (404) ----


def _supplier(request, permiso: Permiso | None = None) -> acting.Acting:
    current = acting.resolve(request)
    supplier_guards.require_supplier_side(current.entidad)
    return current.require(permiso)


@router.get("/entidad/perfil", response=PerfilOut, auth=terms_auth, summary="Perfil comercial de la cuenta")
def perfil_get(request):
    return supplier_selectors.perfil_data(_supplier(request).entidad)


@router.patch(
    "/entidad/perfil",
    response={200: PerfilOut, 202: CambioSolicitadoOut},
    auth=terms_auth,
    summary="Editar datos del perfil comercial (un cambio de NIT o razón social va a la Mesa de Servicio: 202)",
)
def perfil_patch(request, payload: PerfilPatchIn):
    """Only the fields sent change, with the registration's rules; all or nothing. A new `nombre`,
    `nit` or `id_tributario` is not applied: the answer is 202 with the number of the case the Mesa
    de Servicio reviews it in (the other fields sent are applied)."""
    current = _supplier(request, Permiso.EDITAR_PERFIL_COMERCIAL)
    edit = profile.perfil_update(
        entidad=current.entidad, user=request.auth, data=payload.dict(exclude_unset=True, exclude_none=True)
    )
    data = supplier_selectors.perfil_data(edit.entidad)
    if edit.caso:
        mensaje = _("El cambio no se aplica todavía: la Mesa de Servicio lo revisará en el caso %(caso)s.") % {
            "caso": edit.caso
        }
        return Status(202, {"caso": edit.caso, "mensaje": mensaje, "solicitados": edit.solicitados, "perfil": data})
    return data


def _areas_out(entidad) -> dict:
    areas = list(supplier_selectors.areas_of(entidad))
    return {"principal": next((a.codigo_id for a in areas if a.principal), None), "areas": areas}


@router.get("/entidad/areas", response=AreasOut, auth=terms_auth, summary="Áreas de interés (UNSPSC)")
def areas_get(request):
    return _areas_out(_supplier(request).entidad)


@router.put(
    "/entidad/areas",
    response=AreasOut,
    auth=terms_auth,
    summary="Reemplazar las áreas de interés (códigos de cualquier nivel y la categoría principal)",
)
def areas_put(request, payload: AreasIn):
    current = _supplier(request, Permiso.EDITAR_PERFIL_COMERCIAL)
    supplier_areas.areas_replace(
        entidad=current.entidad, user=request.auth, codigos=payload.codigos, principal=payload.principal
    )
    return _areas_out(current.entidad)


class BibliotecaParams(Schema):
    historial: bool = Field(False, description="Incluir versiones anteriores y documentos retirados")


@router.get(
    "/entidad/biblioteca",
    response=list[BibliotecaDocumentoOut],
    auth=terms_auth,
    summary="Biblioteca de documentos (y los documentos del registro, de solo lectura)",
)
def biblioteca_list(request, params: Query[BibliotecaParams]):
    biblioteca = supplier_selectors.biblioteca_of(_supplier(request).entidad)
    return biblioteca.vigentes + biblioteca.legales + (biblioteca.anteriores if params.historial else [])


@router.post(
    "/entidad/biblioteca",
    response={201: BibliotecaDocumentoOut},
    auth=terms_auth,
    summary="Agregar un documento a la biblioteca (multipart: tipo, titulo, visibilidad, archivo)",
)
def biblioteca_add(
    request,
    tipo: Form[str],
    titulo: Form[str],
    archivo: File[UploadedFile],
    visibilidad: Form[str] = Documento.Visibilidad.DIRECTORIO,
):
    current = _supplier(request, Permiso.GESTIONAR_BIBLIOTECA)
    data = {"tipo": tipo, "titulo": titulo, "visibilidad": visibilidad}
    return Status(201, library.documento_add(entidad=current.entidad, user=request.auth, data=data, uploaded=archivo))


def _library_documento(current: acting.Acting, documento_id: int) -> Documento:
    return supplier_guards.library_documento(current.entidad, documento_id)


@router.post(
    "/entidad/biblioteca/{documento_id}/versiones",
    response={201: BibliotecaDocumentoOut},
    auth=terms_auth,
    summary="Subir una nueva versión de un documento de la biblioteca (la anterior se conserva)",
)
def biblioteca_version(request, documento_id: Id, archivo: File[UploadedFile]):
    current = _supplier(request, Permiso.GESTIONAR_BIBLIOTECA)
    documento = _library_documento(current, documento_id)
    nuevo = library.documento_new_version(
        entidad=current.entidad, documento=documento, user=request.auth, uploaded=archivo
    )
    return Status(201, nuevo)


@router.patch(
    "/entidad/biblioteca/{documento_id}",
    response=BibliotecaDocumentoOut,
    auth=terms_auth,
    summary="Cambiar la visibilidad de un documento de la biblioteca",
)
def biblioteca_visibility(request, documento_id: Id, payload: VisibilidadIn):
    current = _supplier(request, Permiso.GESTIONAR_BIBLIOTECA)
    documento = _library_documento(current, documento_id)
    return library.documento_visibility(
        entidad=current.entidad, documento=documento, user=request.auth, visibilidad=payload.visibilidad
    )


@router.post(
    "/entidad/biblioteca/{documento_id}/retirar",
    response=BibliotecaDocumentoOut,
    auth=terms_auth,
    summary="Retirar un documento de la biblioteca (queda en el historial)",
)
def biblioteca_retire(request, documento_id: Id):
    current = _supplier(request, Permiso.GESTIONAR_BIBLIOTECA)
    documento = _library_documento(current, documento_id)
    return library.documento_retire(entidad=current.entidad, documento=documento, user=request.auth)
