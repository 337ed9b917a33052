"""The entity console: every page acts for the entity the user chose in the header (R1.2), with
that membership's permissions (R7.1). Objects of another entity are looked up within the acting
entity only, so they are simply not found (404)."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from registro.accounts import reauthentication
from registro.core.errors import ApplicationError, ErrorCode
from registro.core.forms import add_application_error
from registro.core.http import or_404
from registro.core.models import Municipio
from registro.core.unspsc import Selection, parse_selection, picker_context
from registro.entities.account import selectors as account_selectors
from registro.entities.account.models import Entidad
from registro.entities.console import selectors as console_selectors
from registro.entities.console import units
from registro.entities.console.forms import InvitacionForm, RolForm, UnidadForm
from registro.entities.console.models import UnidadContratacion
from registro.entities.membership import access, acting, invitations, members, roles, sensitive
from registro.entities.membership import selectors as membership_selectors
from registro.entities.membership.catalogue import Permiso
from registro.entities.membership.models import Invitacion, Membresia, RolEntidad, SolicitudAcceso, rol_choices
from registro.entities.registration.models import Documento
from registro.entities.supplier import areas as supplier_areas
from registro.entities.supplier import guards as supplier_guards
from registro.entities.supplier import library, profile
from registro.entities.supplier import selectors as supplier_selectors
from registro.entities.supplier.forms import BibliotecaSubirForm, PerfilForm


def console_view(
    permiso: Permiso | None = None,
    methods=("GET",),
    *,
    suspended_ok=False,
    state_entity_only=False,
    proveedor: bool = False,
):
    """Resolves the acting membership and checks `permiso` before the view runs. Without any
    entity the user is sent to R5.4's page; a pending entity shows its registration status; an
    account the desk suspended can only show its desktop, which says why (`suspended_ok`): every
    other page leads there with the reason. `state_entity_only` pages (purchasing units) refuse
    an account that is not an Entidad Estatal, saying so. With `proveedor`, the page is the
    supplier side's: for an account without one it does not exist."""

    def decorator(view):
        @login_required
        @require_http_methods(list(methods))
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            try:
                current = acting.resolve(request, active_only=False)
            except ApplicationError as exc:
                messages.info(request, exc.message)
                return redirect("entities:landing")
            estado = current.entidad.estado
            if estado == Entidad.Estado.SUSPENDIDA and not suspended_ok:
                messages.error(request, acting.suspended(current.entidad).message)
                return redirect("console:escritorio")
            if estado not in (Entidad.Estado.ACTIVA, Entidad.Estado.SUSPENDIDA):
                return redirect("entities:registrada", pk=current.entidad.pk)
            if proveedor:
                or_404(supplier_guards.require_supplier_side, current.entidad)
            try:
                if state_entity_only:
                    units.require_state_entity(current)
                current.require(permiso)
            except ApplicationError as exc:
                raise PermissionDenied(exc.message) from None
            request.acting = current
            return view(request, current, *args, **kwargs)

        return wrapper

    return decorator


SECTIONS = {"rol_form": "roles", "unidad_form": "unidades", "perfil_form": "perfil"}


def _render(request, template: str, current: acting.Acting, context: dict, status: int = 200):
    name = template.rsplit("/", 1)[-1].removesuffix(".html")
    context = {
        "acting": current,
        "entidad": current.entidad,
        "permisos": current.permisos,
        "section": SECTIONS.get(name, name),
        **context,
    }
    return render(request, template, context, status=status)


def _done(request, message: str, to: str, **kwargs):
    messages.success(request, message)
    return redirect(to, **kwargs)


def _form_page(request, current, form, save, *, done: tuple[str, str], template: str, context: dict):
    """A console form: a valid POST calls `save(cleaned_data)` (a service) and redirects to
    `done` (message, URL name; the message may name the cleaned data); the service's refusal is
    shown beside the fields it names, with everything typed kept (400). `form` is None when the
    page only lists."""
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            save(form.cleaned_data)
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            message, to = done
            return _done(request, message % form.cleaned_data, to)
    status = 400 if form is not None and form.errors else 200
    return _render(request, template, current, {"form": form, **context}, status=status)


@login_required
@require_POST
def cambiar(request):
    """The header's entity switcher."""
    try:
        membresia = acting.acting_select(user=request.user, entidad_id=request.POST.get("entidad"))
    except ApplicationError as exc:
        if exc.code != ErrorCode.ACCOUNT_SUSPENDED:
            raise Http404 from None
        messages.error(request, exc.message)
        return redirect("console:escritorio")
    messages.success(request, _("Ahora actúa a nombre de %(entidad)s.") % {"entidad": membresia.entidad.nombre})
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        # Pages of the console are about one entity; after switching, its desktop is the right place.
        if not target.startswith(reverse("console:escritorio")):
            return redirect(target)
    return redirect("console:escritorio")


@console_view(suspended_ok=True)
def escritorio(request, current):
    """R4.4: the acting entity's desktop; for an account the desk suspended, that it is and why."""
    entidad = current.entidad
    return _render(
        request,
        "entities/console/escritorio.html",
        current,
        {
            "mis_roles": current.membresia.roles.all(),
            "mis_unidades": current.membresia.unidades.all(),
            "admins_activos": membership_selectors.admins_activos(entidad=entidad),
            "pendientes": entidad.solicitudes_acceso.filter(estado=SolicitudAcceso.Estado.PENDIENTE).count()
            if current.can(Permiso.APROBAR_SOLICITUDES)
            else 0,
            "casos": entidad.casos.order_by("-created_at")[:20] if current.can(Permiso.ABRIR_CASOS) else [],
            "catalogo": Permiso.choices,
            "suspension": account_selectors.suspension(entidad=entidad),
        },
    )


@console_view(Permiso.GESTIONAR_MIEMBROS)
def miembros(request, current):
    return _render(
        request,
        "entities/console/miembros.html",
        current,
        {
            "miembros": membership_selectors.miembros(entidad=current.entidad),
            "roles_entidad": list(current.entidad.roles.all()),
            "roles_base": rol_choices(current.entidad),
            "admins_activos": membership_selectors.admins_activos(entidad=current.entidad),
        },
    )


@console_view(methods=("POST",))
def miembro_accion(request, current, pk: int, accion: str):
    """Anyone may leave; everything else needs "manage members" (checked again in the service,
    with the rule that only an Administrador touches an Administrador)."""
    membresia = get_object_or_404(Membresia.objects.select_related("usuario"), pk=pk, entidad=current.entidad)
    own = membresia.usuario_id == request.user.pk
    if accion not in ("roles", "suspender", "reactivar", "retirar"):
        raise Http404
    if not current.can(Permiso.GESTIONAR_MIEMBROS) and not (own and accion == "retirar"):
        raise PermissionDenied(_("Su rol no le permite gestionar los usuarios de la Entidad."))
    reauthentication.require(request, sensitive.member_change(membresia, accion, rol=request.POST.get("rol") or None))
    try:
        if accion == "roles":
            members.membresia_update(
                membresia=membresia,
                actor=request.user,
                rol=request.POST.get("rol") or membresia.rol,
                roles=request.POST.getlist("roles"),
            )
        elif accion == "suspender":
            members.membresia_suspend(membresia=membresia, actor=request.user)
        elif accion == "reactivar":
            members.membresia_reactivate(membresia=membresia, actor=request.user)
        else:
            members.membresia_remove(membresia=membresia, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Cambio guardado."))
        if own and accion == "retirar":
            return redirect("entities:mis_registros")
    return redirect("console:miembros" if current.can(Permiso.GESTIONAR_MIEMBROS) else "console:escritorio")


@console_view(Permiso.APROBAR_SOLICITUDES)
def solicitudes(request, current):
    return _render(
        request,
        "entities/console/solicitudes.html",
        current,
        {
            "solicitudes": membership_selectors.solicitudes_pendientes(entidad=current.entidad),
            "decididas": current.entidad.solicitudes_acceso.exclude(estado=SolicitudAcceso.Estado.PENDIENTE)
            .select_related("usuario", "decidida_por")
            .order_by("-decided_at")[:30],
            "roles_entidad": list(current.entidad.roles.all()),
            "roles_base": rol_choices(current.entidad),
        },
    )


@console_view(Permiso.APROBAR_SOLICITUDES, methods=("POST",))
def solicitud_decidir(request, current, pk: int, decision: str):
    solicitud = get_object_or_404(
        SolicitudAcceso.objects.select_related("entidad", "usuario"), pk=pk, entidad=current.entidad
    )
    if decision not in ("aprobar", "rechazar"):
        raise Http404
    if decision == "aprobar":
        reauthentication.require(request, sensitive.granting(request.POST.get("rol", Membresia.Rol.COMPRADOR)))
    try:
        if decision == "aprobar":
            access.solicitud_approve(
                solicitud=solicitud,
                admin=request.user,
                rol=request.POST.get("rol", Membresia.Rol.COMPRADOR),
                roles=request.POST.getlist("roles"),
            )
            messages.success(request, _("Solicitud aprobada."))
        else:
            access.solicitud_reject(solicitud=solicitud, admin=request.user, motivo=request.POST.get("motivo", ""))
            messages.success(request, _("Solicitud rechazada."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("console:solicitudes")


@console_view(Permiso.GESTIONAR_ROLES, methods=("GET", "POST"))
def roles_lista(request, current):
    return _form_page(
        request,
        current,
        RolForm(request.POST or None, entidad=current.entidad),
        lambda data: roles.rol_create(entidad=current.entidad, actor=request.user, **data),
        done=(_("Rol creado."), "console:roles"),
        template="entities/console/roles.html",
        context={"roles": membership_selectors.roles(entidad=current.entidad)},
    )


@console_view(Permiso.GESTIONAR_ROLES, methods=("GET", "POST"))
def rol_editar(request, current, pk: int):
    rol = get_object_or_404(RolEntidad, pk=pk, entidad=current.entidad)
    initial = {"nombre": rol.nombre, "descripcion": rol.descripcion, "permisos": rol.permisos}

    def save(data):
        reauthentication.require(request, sensitive.ROLE_DEFINITION)
        return roles.rol_update(rol=rol, actor=request.user, **data)

    return _form_page(
        request,
        current,
        RolForm(request.POST or None, initial=initial, entidad=current.entidad),
        save,
        done=(_("Rol guardado."), "console:roles"),
        template="entities/console/rol_form.html",
        context={"rol": rol},
    )


@console_view(Permiso.GESTIONAR_ROLES, methods=("POST",))
def rol_eliminar(request, current, pk: int):
    rol = get_object_or_404(RolEntidad, pk=pk, entidad=current.entidad)
    reauthentication.require(request, sensitive.ROLE_DEFINITION)
    try:
        roles.rol_delete(rol=rol, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("console:roles")
    return _done(request, _("Rol eliminado."), "console:roles")


@console_view(Permiso.GESTIONAR_MIEMBROS, methods=("GET", "POST"))
def invitaciones_lista(request, current):
    def save(data):
        # Inviting as Administrador names one (ADR 0018).
        reauthentication.require(request, sensitive.granting(data.get("rol")))
        return invitations.invitacion_create(entidad=current.entidad, actor=request.user, **data)

    return _form_page(
        request,
        current,
        InvitacionForm(request.POST or None, entidad=current.entidad),
        save,
        done=(_("Invitación enviada a %(correo)s."), "console:invitaciones"),
        template="entities/console/invitaciones.html",
        context={"invitaciones": membership_selectors.invitaciones(entidad=current.entidad)},
    )


@console_view(Permiso.GESTIONAR_MIEMBROS, methods=("POST",))
def invitacion_accion(request, current, pk: int, accion: str):
    invitacion = get_object_or_404(Invitacion, pk=pk, entidad=current.entidad)
    if accion not in ("reenviar", "cancelar"):
        raise Http404
    try:
        if accion == "reenviar":
            invitations.invitacion_resend(invitacion=invitacion, actor=request.user)
            messages.success(request, _("Invitación reenviada con un enlace nuevo."))
        else:
            invitations.invitacion_cancel(invitacion=invitacion, actor=request.user)
            messages.success(request, _("Invitación cancelada."))
    except ApplicationError as exc:
        messages.error(request, exc.message)
    return redirect("console:invitaciones")


@require_http_methods(["GET", "POST"])
def invitacion(request, token: str):
    """The link in the invitation e-mail. Anyone holding it sees what it is for; accepting needs
    the account of the e-mail invited (register or log in first; the page says how)."""
    inv = invitations.invitacion_by_token(token)
    if inv is None:
        raise Http404
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect(f"{reverse('account_login')}?next={request.path}")
        return _accept(request, inv)
    return render(
        request,
        "entities/console/invitacion.html",
        {"invitacion": inv, "es_para_usted": invitations.is_for(inv, request.user)},
    )


@login_required
@require_POST
def invitacion_aceptar(request, pk: int):
    """Accepting from "Mis registros", where the user's pending invitations are listed."""
    inv = Invitacion.objects.select_related("entidad").filter(pk=pk).first()
    if inv is None or not invitations.is_for(inv, request.user):
        raise Http404
    return _accept(request, inv)


def _accept(request, inv: Invitacion):
    try:
        membresia = invitations.invitacion_accept(invitacion=inv, user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect("entities:mis_registros")
    messages.success(
        request, _("Ya tiene acceso a %(entidad)s y actúa a su nombre.") % {"entidad": membresia.entidad.nombre}
    )
    return redirect("console:escritorio")


@console_view(methods=("GET", "POST"), state_entity_only=True)
def unidades_lista(request, current):
    """Every member sees the units; creating them needs "manage purchasing units"."""
    puede = current.can(Permiso.GESTIONAR_UNIDADES)
    if request.method == "POST" and not puede:
        raise PermissionDenied(_("Su rol no le permite gestionar unidades de contratación."))
    return _form_page(
        request,
        current,
        UnidadForm(request.POST or None, entidad=current.entidad) if puede else None,
        lambda data: units.unidad_create(entidad=current.entidad, actor=request.user, **data),
        done=(_("Unidad de contratación creada."), "console:unidades"),
        template="entities/console/unidades.html",
        context={"unidades": console_selectors.unidades(entidad=current.entidad)},
    )


@console_view(Permiso.GESTIONAR_UNIDADES, methods=("GET", "POST"), state_entity_only=True)
def unidad_editar(request, current, pk: int):
    unidad = get_object_or_404(UnidadContratacion, pk=pk, entidad=current.entidad)
    initial = {
        "nombre": unidad.nombre,
        "descripcion": unidad.descripcion,
        "miembros": [str(pk) for pk in unidad.miembros.values_list("pk", flat=True)],
    }
    return _form_page(
        request,
        current,
        UnidadForm(request.POST or None, initial=initial, entidad=current.entidad),
        lambda data: units.unidad_update(unidad=unidad, actor=request.user, **data),
        done=(_("Unidad de contratación guardada."), "console:unidades"),
        template="entities/console/unidad_form.html",
        context={"unidad": unidad},
    )


@console_view(Permiso.GESTIONAR_UNIDADES, methods=("POST",), state_entity_only=True)
def unidad_eliminar(request, current, pk: int):
    unidad = get_object_or_404(UnidadContratacion, pk=pk, entidad=current.entidad)
    units.unidad_delete(unidad=unidad, actor=request.user)
    return _done(request, _("Unidad de contratación eliminada."), "console:unidades")


@console_view(Permiso.VER_AUDITORIA)
def historial(request, current):
    page = Paginator(current.entidad.eventos.select_related("actor"), 50).get_page(request.GET.get("pagina"))
    return _render(request, "entities/console/historial.html", current, {"page": page, "eventos": page.object_list})


# --- The supplier side (R9, R4.3): commercial profile, areas of interest, document library -------


@console_view(proveedor=True)
def perfil(request, current):
    """The commercial profile as the directory shows it (R9.2, R9.4); every member sees it."""
    entidad = current.entidad
    perfil = supplier_selectors.perfil_of(entidad)
    return _render(
        request,
        "entities/console/perfil.html",
        current,
        {
            "perfil": perfil,
            "persona": supplier_selectors.persona_of(entidad, perfil),
            "areas": supplier_selectors.areas_of(entidad),
            "solicitud": supplier_selectors.identity_request_last(entidad),
        },
    )


def _perfil_form_page(request, current, form, status: int = 200):
    return _render(
        request,
        "entities/console/perfil_form.html",
        current,
        {"form": form, "municipios": Municipio.objects.select_related("departamento").order_by("nombre")},
        status=status,
    )


@console_view(Permiso.EDITAR_PERFIL_COMERCIAL, methods=("GET", "POST"), proveedor=True)
def perfil_editar(request, current):
    """ "Editar datos": every change recorded; a new NIT or legal name goes to the Mesa de Servicio."""
    entidad = current.entidad
    perfil = supplier_selectors.perfil_of(entidad)
    if request.method == "GET":
        form = PerfilForm(initial=profile.perfil_initial(entidad, perfil), entidad=entidad, perfil=perfil)
        return _perfil_form_page(request, current, form)
    try:
        edit = profile.perfil_update(entidad=entidad, user=request.user, data=request.POST)
    except ApplicationError as exc:
        if not exc.detail.get("fields"):
            messages.error(request, exc.message)
            return redirect("console:perfil")
        # Everything typed, as the service read it, with its errors.
        form = PerfilForm(profile.perfil_merged(entidad, perfil, request.POST), entidad=entidad, perfil=perfil)
        add_application_error(form, exc)
        return _perfil_form_page(request, current, form, status=exc.status_code)
    if edit.cambios:
        messages.success(request, _("Guardamos los cambios del perfil comercial."))
    if edit.caso:
        messages.info(
            request,
            _(
                "El cambio de %(campos)s no se aplica todavía: lo enviamos a la Mesa de Servicio en el caso %(caso)s, "
                "que lo revisará y le avisará por correo."
            )
            % {"campos": ", ".join(_labels(edit.solicitados)), "caso": edit.caso},
        )
    if not edit.cambios and not edit.caso:
        messages.info(request, _("No cambió ningún dato."))
    return redirect("console:perfil")


def _labels(cambios: dict) -> list[str]:
    fields = PerfilForm.base_fields
    return [f"«{fields[name].label}»" for name in cambios if name in fields]


@console_view(Permiso.EDITAR_PERFIL_COMERCIAL, methods=("GET", "POST"), proveedor=True)
def areas(request, current):
    """ "Áreas de interés" (R9.4) with the shared picker, which works without JavaScript: its
    search, add and browse buttons submit the whole form, which comes back as it was with the
    picker's answer; "Guardar" replaces the account's areas."""
    entidad = current.entidad
    error, status, query, padre, typed = "", 200, "", "", ""
    if request.method == "GET":
        selection = supplier_areas.areas_selection(entidad)
    else:
        values = request.POST.getlist("areas")
        selection = parse_selection(values, request.POST.get("categoria_principal", ""))
        accion = request.POST.get("accion", "")
        # Adding what was ticked keeps the search's results and the level being browsed.
        query = request.POST.get("unspsc_q", "").strip()[:100] if accion != "guardar" else ""
        padre = request.POST.get("unspsc_ruta", "") if accion == "agregar_unspsc" else ""
        if "unspsc_padre" in request.POST:
            padre = request.POST["unspsc_padre"]
        elif accion == "guardar":
            try:
                supplier_areas.areas_replace(
                    entidad=entidad,
                    user=request.user,
                    codigos=values,
                    principal=request.POST.get("categoria_principal", ""),
                )
            except ApplicationError as exc:
                fields = exc.detail.get("fields") or {}
                error = " ".join(m for messages_ in fields.values() for m in messages_) or exc.message
                status = exc.status_code
            else:
                messages.success(request, _("Guardamos las áreas de interés."))
                return redirect("console:perfil")
        if selection.desconocidos and not error:
            error = supplier_areas.selection_errors(selection)["areas"][0]
        typed = " ".join(selection.desconocidos)
    if len(selection.codigos) == 1 and not selection.principal:
        selection = Selection(codigos=selection.codigos, principal=selection.codigos[0], desconocidos=[])
    return _render(
        request,
        "entities/console/areas.html",
        current,
        {
            "unspsc": picker_context(
                codigos=selection.codigos, principal=selection.principal, query=query, padre=padre
            ),
            "unspsc_error": error,
            "unspsc_required": True,
            "codigos_escritos": typed,
        },
        status=status,
    )


def _library_page(request, current, form, status: int = 200):
    return _render(
        request,
        "entities/console/biblioteca.html",
        current,
        {
            "form": form,
            "biblioteca": supplier_selectors.biblioteca_of(current.entidad),
            "puede": current.can(Permiso.GESTIONAR_BIBLIOTECA),
            "visibilidades": Documento.Visibilidad.choices,
        },
        status=status,
    )


def _upload_error(form, exc: ApplicationError) -> None:
    """A file the upload checks refused is the file field's error; the rest go where they say."""
    if exc.detail.get("file") and not exc.detail.get("fields"):
        form.is_valid()
        form.add_error("archivo", exc.message)
    else:
        add_application_error(form, exc)


@console_view(methods=("GET", "POST"), proveedor=True)
def biblioteca(request, current):
    """The library (R9.3): every member sees it; "Gestionar la biblioteca" adds, replaces, changes
    the visibility of and retires documents."""
    puede = current.can(Permiso.GESTIONAR_BIBLIOTECA)
    if request.method == "POST" and not puede:
        raise PermissionDenied(_("Su rol no le permite gestionar la biblioteca de documentos."))
    form = BibliotecaSubirForm(request.POST or None, request.FILES or None) if puede else None
    if request.method == "POST":
        try:
            documento = library.documento_add(
                entidad=current.entidad, user=request.user, data=request.POST, uploaded=request.FILES.get("archivo")
            )
        except ApplicationError as exc:
            _upload_error(form, exc)
            return _library_page(request, current, form, status=exc.status_code)
        return _done(
            request, _("Agregamos «%(titulo)s» a la biblioteca.") % {"titulo": documento.titulo}, "console:biblioteca"
        )
    return _library_page(request, current, form)


@console_view(Permiso.GESTIONAR_BIBLIOTECA, methods=("POST",), proveedor=True)
def biblioteca_accion(request, current, pk: int, accion: str):
    if accion not in ("version", "visibilidad", "retirar"):
        raise Http404
    documento = or_404(supplier_guards.library_documento, current.entidad, pk)
    entidad, user = current.entidad, request.user
    try:
        if accion == "version":
            nuevo = library.documento_new_version(
                entidad=entidad, documento=documento, user=user, uploaded=request.FILES.get("archivo")
            )
            message = _("Subimos la versión %(v)s de «%(titulo)s».") % {"v": nuevo.version, "titulo": nuevo.titulo}
        elif accion == "visibilidad":
            library.documento_visibility(
                entidad=entidad, documento=documento, user=user, visibilidad=request.POST.get("visibilidad", "")
            )
            message = _("Guardamos la visibilidad de «%(titulo)s».") % {"titulo": documento.titulo}
        else:
            library.documento_retire(entidad=entidad, documento=documento, user=user)
            message = _("Retiramos «%(titulo)s» de la biblioteca; queda en el historial.") % {
                "titulo": documento.titulo
            }
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return redirect(f"{reverse('console:biblioteca')}#doc-{documento.pk}")
    return _done(request, message, "console:biblioteca")
