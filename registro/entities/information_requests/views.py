"""Pages of information requests. The entity's pages (under /entidad/) and the supplier's (under
/proveedor/) act for the account chosen in the header (R1.2), with that membership's permissions;
requests and invitations of other accounts are not found (404)."""

from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods

from registro.core.errors import ApplicationError
from registro.core.forms import add_application_error
from registro.core.unspsc import parse_selection, picker_context
from registro.entities.account.models import Entidad
from registro.entities.directory import forms as directory_forms
from registro.entities.information_requests import selectors, services
from registro.entities.information_requests.forms import (
    AmpliarForm,
    CancelarForm,
    InvitarManualForm,
    RespuestaForm,
    SolicitudForm,
)
from registro.entities.information_requests.models import InvitacionSolicitud
from registro.entities.membership import acting
from registro.entities.membership.catalogue import Permiso

GESTIONAR = Permiso.GESTIONAR_SOLICITUDES_INFORMACION


def _http(exc: ApplicationError):
    if exc.status_code == 404:
        return Http404(exc.message)
    if exc.status_code == 403:
        return PermissionDenied(exc.message)
    return exc


def acting_view(permiso: Permiso | None = None, *, side: Permiso, methods=("GET",)):
    """The acting account, active, of the kind `side` belongs to, holding `permiso` (if any)."""

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
            if current.entidad.estado != Entidad.Estado.ACTIVA:
                return redirect("entities:registrada", pk=current.entidad.pk)
            try:
                selectors.require_kind(current, side)
                if permiso is not None:
                    selectors.require_applicable(current, permiso)
                request.acting = current
                return view(request, current, *args, **kwargs)
            except ApplicationError as exc:
                raise _http(exc) from None

        return wrapper

    return decorator


def _show(form, exc: ApplicationError) -> None:
    """A service's refusal beside its field: the deadline beside its date, a file's beside the
    files' input."""
    fields = exc.detail.get("fields") or {}
    if "plazo" in fields and "plazo_fecha" in form.fields:
        form.add_error("plazo_fecha", exc.message)
    elif exc.detail.get("file") and "archivos" in form.fields:
        form.add_error("archivos", exc.message)
    else:
        add_application_error(form, exc)


def _render(request, template: str, current, context: dict, status: int = 200):
    return render(
        request,
        f"entities/information_requests/{template}.html",
        {"acting": current, "entidad": current.entidad, "permisos": current.permisos, **context},
        status=status,
    )


def faltan(plazo, now=None) -> str:
    """The countdown as words: "Faltan 2 días, 3 horas y 5 minutos"."""
    seconds = int((plazo - (now or timezone.now())).total_seconds())
    if seconds <= 0:
        return _("El plazo venció.")
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = max(1, rest // 60) if not (days or hours) else rest // 60
    partes = []
    if days:
        partes.append(ngettext("%(n)d día", "%(n)d días", days) % {"n": days})
    if hours:
        partes.append(ngettext("%(n)d hora", "%(n)d horas", hours) % {"n": hours})
    if minutes:
        partes.append(ngettext("%(n)d minuto", "%(n)d minutos", minutes) % {"n": minutes})
    texto = partes[0] if len(partes) == 1 else ", ".join(partes[:-1]) + _(" y ") + partes[-1]
    return _("Faltan %(t)s.") % {"t": texto}


# --- The entity -----------------------------------------------------------------------------


@acting_view(GESTIONAR, side=GESTIONAR)
def lista(request, current):
    page = Paginator(selectors.solicitudes_of(current.entidad), 25).get_page(request.GET.get("pagina"))
    now = timezone.now()
    for solicitud in page:
        solicitud.estado_visible = services.estado_efectivo(solicitud, now)
    return _render(request, "lista", current, {"page": page, "section": "solicitudes_informacion"})


def _picker(request, codigos) -> dict:
    return picker_context(
        codigos=codigos,
        query=(request.POST.get("unspsc_q") or "").strip()[:100],
        padre=request.POST.get("unspsc_padre") or "",
    )


@acting_view(GESTIONAR, side=GESTIONAR, methods=("GET", "POST"))
def nueva(request, current):
    """The request's form; the UNSPSC picker's buttons submit it whole, so nothing typed is lost
    (attached files excepted: a browser never sends them back)."""
    codigos, unspsc_error = [], ""
    form = SolicitudForm()
    status = 200
    if request.method == "POST":
        codigos = parse_selection(request.POST.getlist("areas")).codigos
        picking = request.POST.get("accion") in ("buscar_unspsc", "agregar_unspsc") or "unspsc_padre" in request.POST
        if picking:
            form = SolicitudForm(initial=request.POST.dict())
        else:
            form = SolicitudForm(request.POST, request.FILES)
            if form.is_valid():
                try:
                    solicitud = services.solicitud_create(
                        entidad=current.entidad,
                        actor=request.user,
                        titulo=form.cleaned_data["titulo"],
                        descripcion=form.cleaned_data["descripcion"],
                        codigos=request.POST.getlist("areas"),
                        plazo=form.plazo(),
                        archivos=form.cleaned_data["archivos"],
                    )
                except ApplicationError as exc:
                    if "codigos" in exc.detail.get("fields", {}):
                        unspsc_error = exc.message
                        form.add_error(None, exc.message)
                    else:
                        _show(form, exc)
                else:
                    messages.success(request, _("Solicitud de información creada. Ahora invite a los Proveedores."))
                    return redirect("information_requests:detalle", pk=solicitud.pk)
            elif not codigos:
                unspsc_error = _("Elija al menos un código del clasificador UNSPSC.")
            status = 400
    return _render(
        request,
        "nueva",
        current,
        {
            "form": form,
            "unspsc": _picker(request, codigos),
            "unspsc_error": unspsc_error,
            "section": "solicitudes_informacion",
        },
        status=status,
    )


def _detalle(request, current, solicitud, *, status=200, **forms):
    context = {
        "solicitud": solicitud,
        "resumen": selectors.resumen(solicitud),
        "faltan": faltan(solicitud.plazo),
        "plazo_texto": services.plazo_text(solicitud.plazo),
        "respuestas": selectors.respuestas(solicitud)[:200],
        "invitaciones": Paginator(selectors.invitaciones_of(solicitud), 50).get_page(request.GET.get("pagina")),
        "adjuntos": solicitud.adjuntos.all(),
        "codigos": solicitud.codigos.all(),
        "manual_form": forms.get("manual_form") or InvitarManualForm(),
        "ampliar_form": forms.get("ampliar_form") or AmpliarForm(),
        "cancelar_form": forms.get("cancelar_form") or CancelarForm(),
        "form": forms.get("manual_form") or forms.get("ampliar_form") or forms.get("cancelar_form"),
        "section": "solicitudes_informacion",
    }
    return _render(request, "detalle", current, context, status=status)


@acting_view(GESTIONAR, side=GESTIONAR)
def detalle(request, current, pk: int):
    return _detalle(request, current, selectors.solicitud_for(current, pk))


@acting_view(GESTIONAR, side=GESTIONAR, methods=("POST",))
def invitar(request, current, pk: int):
    """Invitations from the request's page, and from the Directorio: its forms name the request in
    a `solicitud` field (a select cannot change a form's address without script), found like the
    address's among the acting entity's requests. `accion`: "automatica", "todos" (every result of
    the directory search posted along, up to the cap) or the accounts chosen (`cuentas`)."""
    solicitud = selectors.solicitud_for(current, pk)
    if request.POST.get("solicitud"):
        solicitud = selectors.solicitud_for(current, request.POST["solicitud"])
    accion = request.POST.get("accion")
    if accion == "automatica":
        try:
            services.invitar_automatico(solicitud=solicitud, actor=request.user)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Invitación automática en curso; el avance se ve en esta página."))
        return redirect("information_requests:detalle", pk=solicitud.pk)
    form = InvitarManualForm(request.POST)
    if accion == "todos":
        try:
            filtros = directory_forms.filtros_from(request.POST)
            envio, more = services.invitar_resultados(solicitud=solicitud, actor=request.user, filtros=filtros)
        except ApplicationError as exc:
            # The refusal on the request page's form, left empty (nothing was typed in it).
            form = InvitarManualForm()
            form.full_clean()
            form.cleaned_data = {}
            add_application_error(form, exc)
        else:
            text = ngettext(
                "Invitación en curso para %(n)s Proveedor de los resultados del Directorio; el avance se ve en esta página.",
                "Invitaciones en curso para %(n)s Proveedores de los resultados del Directorio; el avance se ve en esta página.",
                envio.total,
            ) % {"n": envio.total}
            if more:
                text += " " + _("Los resultados pasaban de %(n)s: se invitó a los primeros %(n)s.") % {"n": envio.total}
            messages.success(request, text)
            return redirect("information_requests:detalle", pk=solicitud.pk)
    elif form.is_valid():
        try:
            envio = services.invitar_manual(solicitud=solicitud, actor=request.user, cuentas=form.ids())
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            messages.success(
                request,
                ngettext(
                    "Invitación en curso para %(n)s cuenta; el avance se ve en esta página.",
                    "Invitaciones en curso para %(n)s cuentas; el avance se ve en esta página.",
                    envio.total,
                )
                % {"n": envio.total},
            )
            return redirect("information_requests:detalle", pk=solicitud.pk)
    return _detalle(request, current, solicitud, status=400, manual_form=form)


@acting_view(GESTIONAR, side=GESTIONAR, methods=("POST",))
def ampliar(request, current, pk: int):
    solicitud = selectors.solicitud_for(current, pk)
    form = AmpliarForm(request.POST)
    if form.is_valid():
        try:
            solicitud = services.solicitud_extend(solicitud=solicitud, actor=request.user, plazo=form.plazo())
        except ApplicationError as exc:
            _show(form, exc)
        else:
            messages.success(
                request,
                _("Plazo ampliado hasta el %(plazo)s; se avisa a los invitados.")
                % {"plazo": services.plazo_text(solicitud.plazo)},
            )
            return redirect("information_requests:detalle", pk=solicitud.pk)
    return _detalle(request, current, selectors.solicitud_for(current, pk), status=400, ampliar_form=form)


@acting_view(GESTIONAR, side=GESTIONAR, methods=("POST",))
def cancelar(request, current, pk: int):
    solicitud = selectors.solicitud_for(current, pk)
    form = CancelarForm(request.POST)
    if form.is_valid():
        try:
            services.solicitud_cancel(solicitud=solicitud, actor=request.user, motivo=form.cleaned_data["motivo"])
        except ApplicationError as exc:
            add_application_error(form, exc)
        else:
            messages.success(request, _("Solicitud cancelada; se avisa a los invitados."))
            return redirect("information_requests:detalle", pk=solicitud.pk)
    return _detalle(request, current, solicitud, status=400, cancelar_form=form)


# --- The supplier ---------------------------------------------------------------------------

RESPONDER = Permiso.RESPONDER_INVITACIONES


@acting_view(side=RESPONDER)
def recibidas(request, current):
    page = Paginator(selectors.recibidas(current.entidad), 25).get_page(request.GET.get("pagina"))
    now = timezone.now()
    for invitacion in page:
        invitacion.estado_solicitud = services.estado_efectivo(invitacion.solicitud, now)
    return _render(request, "recibidas", current, {"page": page, "section": "recibidas"})


def _recibida(request, current, invitacion, *, form=None, status=200):
    solicitud = invitacion.solicitud
    abierta = services.admite_respuestas(solicitud)
    return _render(
        request,
        "recibida",
        current,
        {
            "invitacion": invitacion,
            "solicitud": solicitud,
            "estado_solicitud": services.estado_efectivo(solicitud),
            "abierta": abierta,
            "puede_responder": abierta
            and current.can(RESPONDER)
            and invitacion.estado == InvitacionSolicitud.Estado.PENDIENTE,
            "faltan": faltan(solicitud.plazo),
            "plazo_texto": services.plazo_text(solicitud.plazo),
            "form": form or RespuestaForm(),
            "section": "recibidas",
        },
        status=status,
    )


@acting_view(side=RESPONDER)
def recibida(request, current, pk: int):
    return _recibida(request, current, selectors.recibida_for(current, pk))


@acting_view(RESPONDER, side=RESPONDER, methods=("POST",))
def responder(request, current, pk: int):
    invitacion = selectors.recibida_for(current, pk)
    form = RespuestaForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.respuesta_send(
                invitacion=invitacion,
                actor=request.user,
                mensaje=form.cleaned_data["mensaje"],
                archivos=form.cleaned_data["archivos"],
            )
        except ApplicationError as exc:
            _show(form, exc)
        else:
            messages.success(request, _("Respuesta enviada a %(e)s.") % {"e": invitacion.solicitud.entidad.nombre})
            return redirect("information_requests:recibida", pk=pk)
    return _recibida(request, current, invitacion, form=form, status=400 if form.errors else 409)


@acting_view(RESPONDER, side=RESPONDER, methods=("POST",))
def no_interesado(request, current, pk: int):
    invitacion = selectors.recibida_for(current, pk)
    try:
        services.no_interesado(invitacion=invitacion, actor=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Se registró que su cuenta no está interesada."))
    return redirect("information_requests:recibida", pk=pk)


# --- Downloads ------------------------------------------------------------------------------


@login_required
@require_GET
def adjunto_solicitud(request, pk: int):
    try:
        return selectors.adjunto_solicitud_for(request.user, pk).response()
    except ApplicationError as exc:
        raise _http(exc) from None


@login_required
@require_GET
def adjunto_respuesta(request, pk: int):
    try:
        return selectors.adjunto_respuesta_for(request.user, pk).response()
    except ApplicationError as exc:
        raise _http(exc) from None
