from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from registro.core.errors import ApplicationError
from registro.core.files import previews
from registro.core.http import or_404
from registro.core.models import Municipio
from registro.entities.account import selectors as account_selectors
from registro.entities.account.models import AreaNegocio, Entidad
from registro.entities.membership import access, acting, invitations
from registro.entities.membership import permissions as membership_permissions
from registro.entities.membership import selectors as membership_selectors
from registro.entities.membership.models import SolicitudAcceso
from registro.entities.registration import permissions as registration_permissions
from registro.entities.registration import rules, services
from registro.entities.registration import selectors as registration_selectors
from registro.entities.registration.forms import EntidadForm, PreRegistroForm
from registro.entities.registration.models import Documento, RegistroEntidad


@login_required
@require_GET
def landing(request):
    """Section 3, "Crear o solicitar acceso a una Entidad" (R3.1, R5.4): "Validar" searches the
    registered entities; with no match, "Registrar Entidad" opens the form."""
    query = request.GET.get("q")
    if query is None:
        query = request.user.entity_nit or request.user.entity_name
    query = (query or "").strip()[:255]
    results = list(entidad_search_or_none(query))
    nit, _dv = rules.split_nit(query)
    nit_registrada = account_selectors.entidad_get_by_nit(nit=nit) if nit.isdigit() else None
    nuevo = {"nombre": "" if nit.isdigit() else query, "nit": nit if nit.isdigit() else ""}
    return render(
        request,
        "entities/landing.html",
        {
            "query": query,
            "searched": bool(query),
            "results": results,
            "nit_registrada": nit_registrada,
            "registrar_url": f"{reverse('entities:registro_nuevo')}?{urlencode(nuevo)}",
            "registros": registration_selectors.registros_en_curso(user=request.user),
            "membresias": membership_selectors.membresias_del_usuario(user=request.user),
            "invitaciones": invitations.invitaciones_del_usuario(request.user),
        },
    )


def entidad_search_or_none(query: str):
    return account_selectors.entidad_search(query=query) if query else []


@login_required
@require_http_methods(["GET", "POST"])
def registro_nuevo(request):
    """R3.2: the questions before "Generar formulario"."""
    if request.method == "POST":
        form = PreRegistroForm(request.POST)
        if form.is_valid():
            registro = services.registro_create(user=request.user, data=request.POST)
            return redirect("entities:registro", pk=registro.pk)
    else:
        form = PreRegistroForm(initial={"pais": "CO", "tipo_cuenta": "entidad_estatal"})
    hidden = {k: request.GET.get(k) or request.POST.get(k) or "" for k in ("nombre", "nit")}
    return render(request, "entities/registro_nuevo.html", {"form": form, "hidden": hidden})


def _registro_or_404(request, pk) -> RegistroEntidad:
    return or_404(registration_permissions.editable_registro, request.user, pk)


def _page(request, registro, *, pre_form, form, upload_errors=None, faltantes=(), status=200):
    datos = registro.datos
    requeridos = rules.documentos_requeridos(
        ordenador_delegado=datos.get("ordenador_delegado") == "si", area_negocio=datos.get("area_negocio", "")
    )
    vigentes = registration_selectors.documentos_vigentes(registro=registro)
    etiquetas = dict(Documento.Tipo.choices)
    tipos = requeridos + [t for t in Documento.Tipo.values if t not in requeridos and t in vigentes]
    documentos = [
        {
            "tipo": tipo,
            "label": etiquetas[tipo],
            "requerido": tipo in requeridos,
            "actual": vigentes.get(tipo),
            "error": (upload_errors or {}).get(tipo),
            "falta": tipo in faltantes,
        }
        for tipo in tipos
    ]
    nit = rules.split_nit(datos.get("nit", ""))[0]
    return render(
        request,
        "entities/registro_form.html",
        {
            "registro": registro,
            "pre_form": pre_form,
            "form": form,
            "documentos": documentos,
            "anteriores": registration_selectors.documentos_anteriores(registro=registro),
            "faltantes": [etiquetas[t] for t in faltantes],
            "upload_errors": upload_errors or {},
            "municipios": Municipio.objects.select_related("departamento").order_by("nombre"),
            "dv": rules.nit_check_digit(nit) if nit.isdigit() and 6 <= len(nit) <= 10 else "",
            "is_publico_privado": datos.get("area_negocio") == AreaNegocio.PUBLICO_PRIVADO,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def registro(request, pk: int):
    """The account form (R3.3–R3.8). Every POST first keeps what was typed and attached, then
    saves, attaches or finalises; nothing is lost when something is wrong."""
    registro = _registro_or_404(request, pk)
    if registro.estado == RegistroEntidad.Estado.FINALIZADO:
        return redirect("entities:registrada", pk=registro.entidad_id)
    if request.method == "GET":
        return _page(
            request,
            registro,
            pre_form=PreRegistroForm(initial=registro.datos),
            form=EntidadForm(initial=registro.datos),
        )

    try:
        registro = services.registro_update(registro=registro, data=request.POST)
    except ApplicationError:
        # Finalised by another request meanwhile (a double click on "Finalizar"): show the entity.
        registro.refresh_from_db()
        return redirect("entities:registrada", pk=registro.entidad_id)
    upload_errors = {}
    for tipo in Documento.Tipo.values:
        uploaded = request.FILES.get(f"archivo_{tipo}")
        if uploaded is None:
            continue
        try:
            services.documento_attach(registro=registro, tipo=tipo, uploaded=uploaded, user=request.user)
        except ApplicationError as exc:
            upload_errors[tipo] = exc.message
    accion = request.POST.get("accion", "guardar")
    if accion == "finalizar" and not upload_errors:
        try:
            entidad = services.registro_finalize(registro=registro, user=request.user)
        except ApplicationError as exc:
            verificacion = services.registro_verify(registro=registro)
            pre_form = PreRegistroForm(registro.datos)
            form = EntidadForm(registro.datos, pre=registro.datos)
            if exc.detail.get("fields", {}).get("nit") and not verificacion.errors.get("nit"):
                form.is_valid()
                form.add_error("nit", exc.detail["fields"]["nit"][0])
            return _page(request, registro, pre_form=pre_form, form=form, faltantes=verificacion.faltantes, status=400)
        return redirect("entities:registrada", pk=entidad.pk)
    if upload_errors:
        return _page(
            request,
            registro,
            pre_form=PreRegistroForm(initial=registro.datos),
            form=EntidadForm(initial=registro.datos),
            upload_errors=upload_errors,
            status=400,
        )
    messages.success(request, _("Guardamos su avance. Puede volver a este registro cuando quiera."))
    return redirect(f"{reverse('entities:registro', kwargs={'pk': registro.pk})}#documentos")


@login_required
@require_POST
def registro_eliminar(request, pk: int):
    registro = _registro_or_404(request, pk)
    services.registro_delete(registro=registro)
    messages.success(request, _("El registro en curso fue eliminado."))
    return redirect("entities:landing")


@login_required
@require_GET
def registrada(request, pk: int):
    """R3.9: the account exists, pending activation; what comes next."""
    entidad = Entidad.objects.filter(pk=pk).first()
    if entidad is None or not membership_permissions.can_view_entidad(request.user, entidad):
        raise Http404
    order = {tipo: i for i, tipo in enumerate(Documento.Tipo.values)}
    documentos = sorted(entidad.documentos.filter(vigente=True), key=lambda d: order[d.tipo])
    is_admin = membership_permissions.is_entity_admin(request.user, entidad)
    if entidad.estado == Entidad.Estado.ACTIVA and membership_permissions.is_member(request.user, entidad):
        return redirect("entities:escritorio", pk=entidad.pk)
    historial = (
        entidad.eventos.select_related("actor")[:50]
        if is_admin or membership_permissions.is_service_desk(request.user)
        else []
    )
    return render(
        request,
        "entities/registrada.html",
        {
            "entidad": entidad,
            "documentos": documentos,
            "is_admin": is_admin,
            "historial": historial,
            "suspension": account_selectors.suspension(entidad=entidad),
        },
    )


@login_required
@require_GET
def escritorio(request, pk: int):
    """An entity's own address (links in e-mails, "Mis registros"): its users start acting for it
    and land on the console's desktop (R1.2, R4.4); the desk sees its registration page."""
    entidad = Entidad.objects.filter(pk=pk).first()
    if entidad is None or not membership_permissions.can_view_entidad(request.user, entidad):
        raise Http404
    if entidad.estado != Entidad.Estado.ACTIVA or not membership_permissions.is_member(request.user, entidad):
        return redirect("entities:registrada", pk=entidad.pk)
    acting.acting_select(user=request.user, entidad_id=entidad.pk)
    return redirect("console:escritorio")


@login_required
@require_GET
def documento_descargar(request, pk: int):
    """Download, always as an attachment."""
    documento = or_404(registration_permissions.downloadable_documento, request.user, pk)
    return documento.response()


@login_required
@require_GET
def documento_paginas(request, pk: int):
    """Every page of a PDF as an image (rendered on the server), with the download link."""
    documento = or_404(registration_permissions.downloadable_documento, request.user, pk)
    try:
        paginas = range(1, previews.page_count(documento) + 1)
    except previews.PreviewUnavailable:
        paginas = None
    return render(request, "entities/documento_paginas.html", {"documento": documento, "paginas": paginas})


@login_required
@require_GET
def documento_pagina(request, pk: int, numero: int):
    """Page `numero` of a PDF as a PNG image, for whoever may download the document."""
    documento = or_404(registration_permissions.downloadable_documento, request.user, pk)
    try:
        return documento.page_response(numero)
    except previews.PreviewUnavailable as error:
        raise Http404(_("Esta página del documento no existe o no se pudo mostrar.")) from error


@login_required
@require_GET
def mis_registros(request):
    """ "Mis registros" (R5.3): every entity the user belongs to or asked for, with status and dates."""
    return render(
        request,
        "entities/mis_registros.html",
        {
            "membresias": membership_selectors.membresias_del_usuario(user=request.user),
            "solicitudes": request.user.solicitudes_acceso.select_related("entidad").order_by("-created_at"),
            "invitaciones": invitations.invitaciones_del_usuario(request.user),
        },
    )


@login_required
@require_GET
def nuevo_registro(request):
    """ "Nuevo registro": search by full name or NIT, "Buscar", then "Solicitar"."""
    query = (request.GET.get("q") or "").strip()[:255]
    results = list(account_selectors.entidad_search(query=query)) if query else []
    return render(request, "entities/nuevo_registro.html", {"query": query, "results": results})


@login_required
@require_http_methods(["GET", "POST"])
def solicitar_acceso(request, pk: int):
    """ "Solicitud de acceso" → "Finalizar" (R5.1)."""
    entidad = Entidad.objects.filter(pk=pk).first()
    if entidad is None:
        raise Http404
    error = None
    if request.method == "POST":
        try:
            access.solicitud_create(user=request.user, entidad=entidad, mensaje=request.POST.get("mensaje", ""))
        except ApplicationError as exc:
            error = exc.message
        else:
            messages.success(request, _("Su solicitud quedó «Esperando aprobación»."))
            return redirect("entities:mis_registros")
    return render(
        request,
        "entities/solicitar_acceso.html",
        {"entidad": entidad, "error": error, "mensaje": request.POST.get("mensaje", "")},
        status=400 if error else 200,
    )


def _solicitud_or_404(pk: int) -> SolicitudAcceso:
    return or_404(registration_permissions.solicitud_named, pk)


@login_required
@require_POST
def cancelar_solicitud(request, pk: int):
    solicitud = _solicitud_or_404(pk)
    if solicitud.usuario_id != request.user.pk:
        raise Http404
    try:
        access.solicitud_cancel(solicitud=solicitud, user=request.user)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("La solicitud fue cancelada."))
    return redirect("entities:mis_registros")
