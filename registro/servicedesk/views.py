from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from registro.core.errors import ApplicationError
from registro.entities.models import Documento, Entidad

from . import charts, permissions, selectors, services
from .forms import CasoForm, FiltroColaForm, MensajeForm, MotivoForm
from .models import Adjunto, Asunto, Caso, TipoSolicitud, TipoUsuario


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
    caso = selectors.case_by_number(numero=numero)
    if caso is None or not permissions.can_view_case(request.user, caso):
        raise Http404
    return caso


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
    """ "Crear caso" (R4.1), pre-filled from the profile and the entity."""
    entidad = None
    entidad_id = request.GET.get("entidad") or request.POST.get("entidad")
    if entidad_id and str(entidad_id).isdigit():
        entidad = Entidad.objects.filter(pk=entidad_id).select_related("departamento", "municipio").first()
        if entidad is None or not permissions.is_entity_admin(request.user, entidad):
            raise Http404
    if request.method == "POST":
        form = CasoForm(request.POST)
        try:
            caso = services.caso_create(user=request.user, data=request.POST, entidad=entidad)
        except ApplicationError as exc:
            form.is_valid()
            for field, field_messages in (exc.detail.get("fields") or {}).items():
                for message in field_messages:
                    if field not in form.errors:
                        form.add_error(field if field in form.fields else None, message)
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
        else:
            initial.update(tipo_solicitud=TipoSolicitud.DUDA)
        form = CasoForm(initial=initial)
    return render(request, "servicedesk/crear_caso.html", {"form": form, "entidad": entidad})


@login_required
@require_http_methods(["GET", "POST"])
def caso(request, numero: str):
    """A case's page: its data, thread and reply form; for the desk, the review tools too."""
    caso = _case_or_404(request, numero)
    desk = permissions.is_service_desk(request.user)
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
    context = {
        "caso": caso,
        "desk": desk,
        "form": form,
        "mensajes": caso.mensajes.select_related("autor").prefetch_related("adjuntos"),
        "eventos": caso.eventos.select_related("actor"),
        "is_admin": caso.entidad_id is not None and permissions.is_entity_admin(request.user, caso.entidad),
    }
    if desk and caso.entidad_id:
        from .prechecks import prechecks_for

        context.update(
            checklist=services.checklist(caso),
            prechecks=prechecks_for(caso.entidad),
            historial=selectors.entity_history(entidad=caso.entidad)[:50],
        )
    return render(request, "servicedesk/caso.html", context, status=400 if form.errors else 200)


@login_required
@require_GET
def adjunto(request, pk: int):
    adjunto = Adjunto.objects.select_related("mensaje__caso").filter(pk=pk).first()
    if adjunto is None or not permissions.can_view_case(request.user, adjunto.mensaje.caso):
        raise Http404
    response = FileResponse(
        adjunto.archivo.open("rb"),
        as_attachment=True,
        filename=adjunto.nombre_original,
        content_type=adjunto.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


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


ACTIONS = {
    "tomar": lambda caso, user, motivo: services.caso_take(caso=caso, staff=user),
    "corregir": lambda caso, user, motivo: services.caso_request_corrections(caso=caso, staff=user, motivo=motivo),
    "activar": lambda caso, user, motivo: services.caso_activate(caso=caso, staff=user, motivo=motivo),
    "rechazar": lambda caso, user, motivo: services.caso_reject(caso=caso, staff=user, motivo=motivo),
    "proveedor": lambda caso, user, motivo: services.caso_enable_supplier(caso=caso, staff=user, motivo=motivo),
    "resolver": lambda caso, user, motivo: services.caso_resolve(caso=caso, staff=user, respuesta=motivo),
    "cerrar": lambda caso, user, motivo: services.caso_close(caso=caso, actor=user, motivo=motivo),
}

DONE = {
    "tomar": _("Usted tomó el caso; está «En revisión»."),
    "corregir": _("La Entidad quedó «Requiere corrección» y sus administradores recibieron los motivos."),
    "activar": _("La Entidad quedó «Activa» y se avisó por correo."),
    "rechazar": _("El registro fue rechazado y se avisó por correo."),
    "proveedor": _("El perfil de Proveedor quedó habilitado."),
    "resolver": _("El caso quedó «Resuelto»."),
    "cerrar": _("El caso quedó «Cerrado»."),
}


@service_desk_required
@require_POST
def decidir(request, numero: str, accion: str):
    caso = _case_or_404(request, numero)
    action = ACTIONS.get(accion)
    if action is None:
        raise Http404
    form = MotivoForm(request.POST)
    motivo = form.cleaned_data["motivo"] if form.is_valid() else ""
    try:
        action(caso, request.user, motivo)
    except ApplicationError as exc:
        _show_error(request, exc)
    else:
        messages.success(request, DONE[accion])
    return redirect("servicedesk:caso", numero=caso.numero)


@service_desk_required
@require_POST
def revisar_documento(request, numero: str, documento_id: int):
    caso = _case_or_404(request, numero)
    documento = Documento.objects.filter(pk=documento_id).first()
    if documento is None:
        raise Http404
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


# --- The entity's administrators during corrections ------------------------------------------


@login_required
@require_POST
def reemplazar_documento(request, numero: str):
    caso = _case_or_404(request, numero)
    if caso.entidad_id is None or not permissions.is_entity_admin(request.user, caso.entidad):
        raise Http404
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
    caso = _case_or_404(request, numero)
    if caso.entidad_id is None or not permissions.is_entity_admin(request.user, caso.entidad):
        raise Http404
    try:
        services.entidad_resubmit(entidad=caso.entidad, user=request.user, nota=request.POST.get("nota", ""))
    except ApplicationError as exc:
        _show_error(request, exc)
    else:
        messages.success(request, _("Enviamos de nuevo el registro a la Mesa de Servicio."))
    return redirect("servicedesk:caso", numero=caso.numero)
