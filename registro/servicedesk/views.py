from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from registro.accounts import mfa, reauthentication
from registro.accounts import selectors as user_selectors
from registro.accounts import sessions as user_sessions
from registro.accounts.services import ClientInfo
from registro.core.api import parse_id
from registro.core.errors import ApplicationError
from registro.core.forms import add_application_error
from registro.core.http import or_404
from registro.core.models import Municipio
from registro.entities.account import selectors as account_selectors
from registro.entities.account.models import Entidad, EventoEntidad
from registro.entities.membership.models import Membresia
from registro.entities.registration import correction
from registro.entities.registration.forms import EntidadDatosForm
from registro.entities.registration.models import Documento

from . import actions, charts, guards, permissions, selectors, services
from .forms import (
    CasoForm,
    CerrarSesionesForm,
    CuentaMotivoForm,
    DesignarAdministradorForm,
    FiltroColaForm,
    FiltroCuentasForm,
    FiltroUsuariosForm,
    MensajeForm,
    MotivoForm,
    RetirarSegundoFactorForm,
)
from .models import Asunto, Caso, TipoSolicitud, TipoUsuario


def service_desk_required(view):
    """Permission rule: the Mesa de Servicio's pages need a desk account; anyone else gets 404,
    so the pages' existence is not revealed."""

    @wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        if not permissions.is_service_desk(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapped


def _case_or_404(request, numero: str) -> Caso:
    return or_404(guards.case_for, request.user, numero)


def _show_error(request, exc: ApplicationError) -> None:
    fields = exc.detail.get("fields") or {}
    for field_messages in fields.values():
        for message in field_messages:
            messages.error(request, message)
    if not fields:
        messages.error(request, exc.message)


# --- Requesters ---------------------------------------------------------------------------------


@login_required
@require_GET
def mis_casos(request):
    return render(request, "servicedesk/mis_casos.html", {"casos": selectors.cases_of(user=request.user)})


@login_required
@require_http_methods(["GET", "POST"])
def crear_caso(request):
    """ "Crear caso" (R4.1), pre-filled from the profile and the entity. `?asunto=nuevo_administrador`
    opens the request for a new Usuario Administrador of an entity chosen by its NIT (`&nit=`)."""
    entidad = None
    entidad_id = parse_id(request.GET.get("entidad") or request.POST.get("entidad"))
    if entidad_id is not None:
        entidad = or_404(guards.entity_for_case, request.user, entidad_id)
    if request.method == "POST":
        form = CasoForm(request.POST)
        try:
            caso = services.caso_create(user=request.user, data=request.POST, entidad=entidad)
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            messages.success(request, _("Creamos el caso %(numero)s.") % {"numero": caso.numero})
            return redirect("servicedesk:caso", numero=caso.numero)
    else:
        initial = services.case_initial(user=request.user, entidad=entidad)
        asunto = request.GET.get("asunto")
        if entidad is not None:
            initial.update(
                tipo_solicitud=TipoSolicitud.SOLICITUD,
                asunto=asunto if asunto in Asunto.values else Asunto.REGISTRO_ENTIDAD,
                tipo_usuario=TipoUsuario.COMPRADOR,
                descripcion=_("Solicito la activación de la cuenta de la Entidad %(nombre)s (NIT %(nit)s).")
                % {"nombre": entidad.nombre, "nit": entidad.nit_con_dv}
                if asunto != Asunto.PERFIL_PROVEEDOR
                else _("Solicito habilitar el perfil de Proveedor de la Entidad %(nombre)s (NIT %(nit)s).")
                % {"nombre": entidad.nombre, "nit": entidad.nit_con_dv},
            )
        elif asunto == Asunto.NUEVO_ADMINISTRADOR:
            initial.update(
                tipo_solicitud=TipoSolicitud.SOLICITUD,
                asunto=Asunto.NUEVO_ADMINISTRADOR,
                tipo_usuario=TipoUsuario.COMPRADOR,
                nit_entidad=(request.GET.get("nit") or request.user.entity_nit)[:20],
                descripcion=_(
                    "La Entidad se quedó sin Usuario Administrador. Solicito ser designado como su nuevo Usuario "
                    "Administrador; adjunto el documento que me autoriza."
                ),
            )
        else:
            initial.update(tipo_solicitud=TipoSolicitud.DUDA)
        form = CasoForm(initial=initial)
    return render(request, "servicedesk/crear_caso.html", {"form": form, "entidad": entidad})


@login_required
@require_http_methods(["GET", "POST"])
def caso(request, numero: str):
    """A case's page: its data, thread and reply form; for the desk, the review tools too."""
    caso = _case_or_404(request, numero)
    form = MensajeForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        if form.is_valid():
            archivos = [form.cleaned_data["adjunto"]] if form.cleaned_data.get("adjunto") else []
            try:
                services.mensaje_add(caso=caso, autor=request.user, texto=form.cleaned_data["texto"], archivos=archivos)
            except ApplicationError as exc:
                form.add_error("adjunto" if exc.detail.get("file") else "texto", exc.message)
            else:
                messages.success(request, _("Enviamos su mensaje."))
                return redirect("servicedesk:caso", numero=caso.numero)
    return _case_page(request, caso, form=form, status=400 if form.errors else 200)


def _corrections(entidad: Entidad) -> list[dict]:
    """The data corrections of the entity, newest first, with the fields' labels."""
    labels = {name: field.label for name, field in EntidadDatosForm.base_fields.items()}
    return [
        {
            "evento": evento,
            "cambios": [
                {"label": labels.get(name, name), **values}
                for name, values in (evento.detalle.get("cambios") or {}).items()
            ],
        }
        for evento in entidad.eventos.filter(tipo=EventoEntidad.Tipo.DATOS_CORREGIDOS).select_related("actor")[:20]
    ]


def _case_page(request, caso: Caso, *, form=None, designar_form=None, status: int = 200):
    desk = permissions.is_service_desk(request.user)
    is_admin = caso.entidad_id is not None and permissions.can_correct(request.user, caso.entidad)
    context = {
        "caso": caso,
        "desk": desk,
        "form": form if form is not None else MensajeForm(),
        "mensajes": caso.mensajes.select_related("autor").prefetch_related("adjuntos"),
        "eventos": caso.eventos.select_related("actor"),
        "is_admin": is_admin,
    }
    if desk and caso.entidad_id:
        from .prechecks import prechecks_for

        context.update(
            checklist=services.checklist(caso),
            prechecks=prechecks_for(caso.entidad),
            historial=selectors.entity_history(entidad=caso.entidad)[:50],
            correcciones=_corrections(caso.entidad),
        )
        if caso.asunto == Asunto.NUEVO_ADMINISTRADOR:
            context.update(
                designar_form=designar_form
                or DesignarAdministradorForm(initial={"usuario": caso.solicitante.username}),
                administradores=caso.entidad.membresias.filter(rol=Membresia.Rol.ADMINISTRADOR)
                .select_related("usuario")
                .order_by("-activa", "usuario__username"),
            )
    if is_admin and caso.entidad.estado == Entidad.Estado.REQUIERE_CORRECCION:
        faltantes = services.documentos_faltantes(caso.entidad)
        vigentes = set(caso.entidad.documentos.filter(vigente=True).values_list("tipo", flat=True))
        context["tipos_documento"] = [
            {"tipo": tipo, "label": label, "falta": tipo in faltantes}
            for tipo, label in Documento.Tipo.choices
            if tipo in vigentes or tipo in faltantes
        ]
        context["faltantes"] = [label for tipo, label in Documento.Tipo.choices if tipo in faltantes]
    return render(request, "servicedesk/caso.html", context, status=status)


@login_required
@require_GET
def adjunto(request, pk: int):
    return or_404(guards.attachment_for, request.user, pk).response()


# --- The desk -------------------------------------------------------------------------------------


@service_desk_required
@require_GET
def cola(request):
    """Open cases, oldest first with their age, filterable by state and subject."""
    filtro = FiltroColaForm(request.GET or None)
    estado = asunto = ""
    if filtro.is_valid():
        estado, asunto = filtro.cleaned_data["estado"], filtro.cleaned_data["asunto"]
    page = Paginator(selectors.queue(estado=estado, asunto=asunto), 50).get_page(request.GET.get("pagina"))
    return render(request, "servicedesk/cola.html", {"page": page, "filtro": filtro, "now": timezone.now()})


@service_desk_required
@require_POST
def decidir(request, numero: str, accion: str):
    caso = _case_or_404(request, numero)
    action = or_404(actions.action_named, accion)
    reauthentication.require(request, action.sensitive)
    form = MotivoForm(request.POST)
    motivo = form.cleaned_data["motivo"] if form.is_valid() else ""
    try:
        action.run(caso, request.user, motivo)
    except ApplicationError as exc:
        _show_error(request, exc)
    else:
        messages.success(request, action.done)
    return redirect("servicedesk:caso", numero=caso.numero)


@service_desk_required
@require_POST
def revisar_documento(request, numero: str, documento_id: int):
    caso = _case_or_404(request, numero)
    documento = or_404(guards.document_under_review, documento_id)
    try:
        services.documento_review(
            caso=caso,
            documento=documento,
            decision=request.POST.get("decision", ""),
            motivo=request.POST.get("motivo", ""),
            staff=request.user,
        )
    except ApplicationError as exc:
        _show_error(request, exc)
    return redirect(f"{reverse('servicedesk:caso', kwargs={'numero': caso.numero})}#doc-{documento.pk}")


@service_desk_required
@require_POST
def designar_administrador(request, numero: str):
    """ "Designar administrador" on a case asking for a new Usuario Administrador."""
    caso = _case_or_404(request, numero)
    reauthentication.require(request, reauthentication.SensitiveAction.ADMINISTRADOR_DESIGNAR)
    form = DesignarAdministradorForm(request.POST)
    try:
        membresia = services.caso_appoint_admin(
            caso=caso,
            staff=request.user,
            usuario=request.POST.get("usuario", ""),
            motivo=request.POST.get("motivo", ""),
        )
    except ApplicationError as exc:
        if exc.status_code == 409 and not exc.detail.get("fields"):
            _show_error(request, exc)
            return redirect("servicedesk:caso", numero=caso.numero)
        add_application_error(form, exc)
        return _case_page(request, caso, designar_form=form, status=exc.status_code)
    messages.success(
        request,
        _("%(username)s es ahora Usuario Administrador de la Entidad; el caso quedó «Resuelto».")
        % {"username": membresia.usuario.username},
    )
    return redirect("servicedesk:caso", numero=caso.numero)


@service_desk_required
@require_GET
def tablero(request):
    days = selectors.daily_counts(days=30)
    return render(
        request,
        "servicedesk/tablero.html",
        {
            "days": days,
            "chart": charts.daily_cases_svg(days),
            "median": selectors.median_activation_time(),
            "abiertos": selectors.queue().count(),
        },
    )


# --- The desk: users ("Usuarios") -----------------------------------------------------------------


@service_desk_required
@require_GET
def usuarios(request):
    """Every user, found by username, e-mail address, document number or names: where the desk
    starts when a person calls about their own access (a lost second factor, a stolen session)."""
    filtro = FiltroUsuariosForm(request.GET or None)
    query = filtro.cleaned_data["q"] if filtro.is_valid() else ""
    page = Paginator(selectors.users(query=query), 50).get_page(request.GET.get("pagina"))
    params = urlencode({"q": query} if query else {})
    return render(request, "servicedesk/usuarios.html", {"page": page, "filtro": filtro, "params": params})


def usuario_page(request, usuario, *, status: int = 200, **extra):
    """A user's page for the desk; the security actions on it render it again with their form."""
    context = {
        "usuario": usuario,
        "membresias": selectors.user_memberships(user=usuario),
        "accesos": user_selectors.access_event_list(user=usuario)[:50],
        "sesiones": user_sessions.session_list(user=usuario, current_key=None),
        "sesiones_form": CerrarSesionesForm(),
        "segundos_factores": mfa.second_factors(user=usuario),
        "segundo_factor_exigido": mfa.required_grace_days(usuario) is not None,
        "segundo_factor_form": RetirarSegundoFactorForm(),
        **extra,
    }
    return render(request, "servicedesk/usuario.html", context, status=status)


@service_desk_required
@require_GET
def usuario(request, pk: int):
    """A user: personal data, accounts and roles, and the latest entries of the access history."""
    return usuario_page(request, or_404(guards.desk_user, request.user, pk))


@service_desk_required
@require_POST
def usuario_cerrar_sesiones(request, pk: int):
    """ "Cerrar todas las sesiones" of a user, with the reason: missing, the page again with the
    error beside the field (400) and nothing changed."""
    usuario = or_404(guards.desk_user, request.user, pk)
    form = CerrarSesionesForm(request.POST)
    try:
        ended = services.usuario_sessions_end(
            usuario=usuario,
            staff=request.user,
            motivo=request.POST.get("motivo", ""),
            client=ClientInfo.from_request(request),
        )
    except ApplicationError as exc:
        add_application_error(form, exc)
        return usuario_page(request, usuario, status=exc.status_code, sesiones_form=form)
    messages.success(
        request,
        _("Cerramos las sesiones de %(username)s (%(n)d) y le avisamos por correo.")
        % {"username": usuario.username, "n": ended},
    )
    return redirect(reverse("servicedesk:usuario", kwargs={"pk": usuario.pk}) + "#sesiones")


@service_desk_required
@require_POST
def usuario_retirar_segundo_factor(request, pk: int):
    """ "Retirar segundo factor": the person lost their authenticator app or key and their recovery
    codes; the desk, having checked who they are, removes them all, with a reason."""
    usuario = or_404(guards.desk_user, request.user, pk)
    form = RetirarSegundoFactorForm(request.POST)
    form.is_valid()
    try:
        mfa.second_factor_reset_by_desk(
            user=usuario,
            staff=request.user,
            motivo=form.cleaned_data.get("motivo", ""),
            client=ClientInfo.from_request(request),
        )
    except ApplicationError as exc:
        if not exc.detail.get("fields"):
            _show_error(request, exc)  # nothing to remove, or their own: said above the page
            return redirect("servicedesk:usuario", pk=usuario.pk)
        add_application_error(form, exc)
        return usuario_page(request, usuario, status=exc.status_code, segundo_factor_form=form)
    messages.success(
        request,
        _("Se retiró el segundo factor de %(username)s; se le avisó por correo.") % {"username": usuario.username},
    )
    return redirect("servicedesk:usuario", pk=usuario.pk)


# --- The desk: accounts ("Cuentas") ----------------------------------------------------------------


@service_desk_required
@require_GET
def cuentas(request):
    """Every account of either kind, searchable by name or NIT and filterable by kind and state."""
    filtro = FiltroCuentasForm(request.GET or None)
    query = tipo = estado = ""
    if filtro.is_valid():
        query, tipo, estado = (filtro.cleaned_data[k] for k in ("q", "tipo", "estado"))
    page = Paginator(selectors.accounts(query=query, tipo=tipo, estado=estado), 50).get_page(request.GET.get("pagina"))
    params = urlencode({k: v for k, v in {"q": query, "tipo": tipo, "estado": estado}.items() if v})
    return render(request, "servicedesk/cuentas.html", {"page": page, "filtro": filtro, "params": params})


def _cuenta_page(request, entidad: Entidad, *, form=None, status: int = 200):
    accion = {Entidad.Estado.ACTIVA: "suspender", Entidad.Estado.SUSPENDIDA: "reactivar"}.get(entidad.estado)
    if form is None and accion is not None:
        form = CuentaMotivoForm(accion=accion)
    return render(
        request,
        "servicedesk/cuenta.html",
        {
            "entidad": entidad,
            "accion": accion,
            "form": form,
            "miembros": selectors.account_members(entidad=entidad),
            "suspension": account_selectors.suspension(entidad=entidad),
            "historial": selectors.entity_history(entidad=entidad)[:50],
            "casos": entidad.casos.order_by("-created_at")[:20],
        },
        status=status,
    )


@service_desk_required
@require_GET
def cuenta(request, pk: int):
    """An account: its data, kind, members and history, and "Suspender cuenta" or "Reactivar cuenta"."""
    return _cuenta_page(request, or_404(guards.desk_account, request.user, pk))


@service_desk_required
@require_POST
def cuenta_accion(request, pk: int, accion: str):
    """ "Suspender cuenta" / "Reactivar cuenta", with the reason: missing, the page again with the
    error beside the field (400) and nothing changed; a state that no longer allows it, the reason
    above the page."""
    entidad = or_404(guards.desk_account, request.user, pk)
    action = or_404(actions.account_action_named, accion)
    reauthentication.require(request, action.sensitive)
    try:
        action.run(entidad, request.user, request.POST.get("motivo", ""))
    except ApplicationError as exc:
        if exc.detail.get("fields"):
            form = CuentaMotivoForm(request.POST, accion=accion)
            add_application_error(form, exc)
            return _cuenta_page(request, entidad, form=form, status=exc.status_code)
        _show_error(request, exc)
    else:
        messages.success(request, action.done)
    return redirect("servicedesk:cuenta", pk=entidad.pk)


# --- The entity's administrators during corrections ------------------------------------------


@login_required
@require_POST
def reemplazar_documento(request, numero: str):
    caso = or_404(guards.case_to_correct, request.user, numero)
    uploaded = request.FILES.get("archivo")
    if uploaded is None:
        messages.error(request, _("Elija el archivo que va a anexar."))
    else:
        try:
            services.entidad_documento_replace(
                entidad=caso.entidad, tipo=request.POST.get("tipo", ""), uploaded=uploaded, user=request.user
            )
        except ApplicationError as exc:
            _show_error(request, exc)
        else:
            messages.success(request, _("Anexamos la nueva versión del documento; la anterior se conserva."))
    return redirect("servicedesk:caso", numero=caso.numero)


@login_required
@require_POST
def reenviar(request, numero: str):
    caso = or_404(guards.case_to_correct, request.user, numero)
    try:
        services.entidad_resubmit(entidad=caso.entidad, user=request.user, nota=request.POST.get("nota", ""))
    except ApplicationError as exc:
        _show_error(request, exc)
    else:
        messages.success(request, _("Enviamos de nuevo el registro a la Mesa de Servicio."))
    return redirect("servicedesk:caso", numero=caso.numero)


@login_required
@require_http_methods(["GET", "POST"])
def corregir_datos(request, numero: str):
    """ "Corregir datos de la Entidad" while the desk asks for corrections (its administrators only)."""
    caso = or_404(guards.case_to_correct, request.user, numero)
    entidad = caso.entidad
    status = 200
    if request.method == "POST":
        try:
            services.entidad_data_update(entidad=entidad, data=request.POST, user=request.user)
        except ApplicationError as exc:
            if not exc.detail.get("fields"):
                _show_error(request, exc)
                return redirect("servicedesk:caso", numero=caso.numero)
            # Everything typed, as the service read it, with its errors.
            form = EntidadDatosForm(correction.entidad_datos_merged(entidad, request.POST), entidad=entidad)
            add_application_error(form, exc)
            status = exc.status_code
        else:
            messages.success(
                request,
                _("Guardamos los datos corregidos. Cuando termine las correcciones, envíe de nuevo el registro."),
            )
            return redirect(f"{reverse('servicedesk:caso', kwargs={'numero': caso.numero})}#correcciones")
    else:
        if entidad.estado != Entidad.Estado.REQUIERE_CORRECCION:
            messages.error(
                request, _("Los datos de la Entidad se corrigen cuando la Mesa de Servicio pide corrección.")
            )
            return redirect("servicedesk:caso", numero=caso.numero)
        form = EntidadDatosForm(initial=correction.entidad_datos_initial(entidad), entidad=entidad)
    return render(
        request,
        "servicedesk/corregir_datos.html",
        {
            "caso": caso,
            "entidad": entidad,
            "form": form,
            "municipios": Municipio.objects.select_related("departamento").order_by("nombre"),
        },
        status=status,
    )
