import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from registro.core import countries, unspsc
from registro.core.errors import ApplicationError
from registro.core.files import previews
from registro.core.forms import add_application_error
from registro.core.http import or_404
from registro.core.models import Municipio, TipoEmpresa
from registro.entities.account import selectors as account_selectors
from registro.entities.account.models import AreaNegocio, Entidad, TipoCuenta
from registro.entities.membership import access, acting, invitations
from registro.entities.membership import permissions as membership_permissions
from registro.entities.membership import selectors as membership_selectors
from registro.entities.membership.models import SolicitudAcceso
from registro.entities.registration import permissions as registration_permissions
from registro.entities.registration import rules, services
from registro.entities.registration import selectors as registration_selectors
from registro.entities.registration.forms import (
    EntidadForm,
    PreRegistroForm,
    PreRegistroProveedorForm,
    TipoCuentaForm,
)
from registro.entities.registration.models import Documento, RegistroEntidad


@login_required
@require_GET
def landing(request):
    """Section 3, "Crear o solicitar acceso a una Entidad" (R3.1, R5.4, R9.1): "Validar" searches the
    registered accounts of both kinds; with no match, "Registrar Entidad" or "Registrar Proveedor"
    opens the pre-form."""
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
            "registrar_proveedor_url": f"{reverse('entities:registro_nuevo')}?"
            f"{urlencode({'tipo_cuenta': TipoCuenta.PROVEEDOR, **nuevo})}",
            "registros": registration_selectors.registros_en_curso(user=request.user),
            "membresias": membership_selectors.membresias_del_usuario(user=request.user),
            "invitaciones": invitations.invitaciones_del_usuario(request.user),
        },
    )


def entidad_search_or_none(query: str):
    return account_selectors.entidad_search(query=query) if query else []


PROVEEDOR_PREFIX = "proveedor"


@login_required
@require_http_methods(["GET", "POST"])
def registro_nuevo(request):
    """R3.2, R9.1: the questions before "Generar formulario", for a State entity or a supplier.
    Both kinds' questions are on the page and the kind chosen decides which are read; without
    JavaScript, "Mostrar las preguntas de este tipo" shows the chosen kind's."""
    source = request.POST if request.method == "POST" else request.GET
    tipo = source.get("tipo_cuenta")
    tipo = tipo if tipo in TipoCuenta.values else TipoCuenta.ENTIDAD_ESTATAL
    tipo_form = TipoCuentaForm(initial={"tipo_cuenta": tipo})
    # "Mostrar las preguntas de este tipo" shows the other kind's questions and keeps the answers.
    typed = request.POST.dict() if request.method == "POST" else {}
    form = PreRegistroForm(initial={"pais": "CO", **typed, "tipo_cuenta": TipoCuenta.ENTIDAD_ESTATAL})
    form_proveedor = PreRegistroProveedorForm(
        initial={
            "pais": countries.COLOMBIA,
            "area_negocio": AreaNegocio.PRIVADO,
            **{k.removeprefix(f"{PROVEEDOR_PREFIX}-"): v for k, v in typed.items() if k.startswith(PROVEEDOR_PREFIX)},
        },
        prefix=PROVEEDOR_PREFIX,
    )
    hidden = {k: request.GET.get(k) or request.POST.get(k) or "" for k in ("nombre", "nit")}
    if request.method == "POST" and request.POST.get("accion") != "tipo":
        if tipo == TipoCuenta.PROVEEDOR:
            form_proveedor = PreRegistroProveedorForm(request.POST, prefix=PROVEEDOR_PREFIX)
            if form_proveedor.is_valid():
                data = {name: request.POST.get(form_proveedor.add_prefix(name), "") for name in form_proveedor.fields}
                registro = services.registro_proveedor_create(user=request.user, data={**data, **hidden})
                return redirect("entities:registro", pk=registro.pk)
        else:
            form = PreRegistroForm(request.POST)
            if form.is_valid():
                registro = services.registro_create(user=request.user, data=request.POST)
                return redirect("entities:registro", pk=registro.pk)
    return render(
        request,
        "entities/registro_nuevo.html",
        {
            "tipo": tipo,
            "tipo_form": tipo_form,
            "form": form,
            "form_proveedor": form_proveedor,
            "activo": form_proveedor if tipo == TipoCuenta.PROVEEDOR else form,
            "hidden": hidden,
        },
    )


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
    if services.es_proveedor(registro):
        return _registro_proveedor(request, registro)
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


def _proveedor_page(
    request, registro, *, pre_form, form, upload_errors=None, faltantes=(), cuenta_registrada=None, status=200
):
    datos = registro.datos
    requeridos = rules.documentos_requeridos_proveedor(persona=form.persona)
    vigentes = registration_selectors.documentos_vigentes(registro=registro)
    etiquetas = dict(Documento.Tipo.choices)
    # The RUP is optional and always offered; a document of the other kind of person stays listed
    # while it is attached (after a change of the type of organisation).
    opcionales = [t for t in rules.DOCUMENTOS_PROVEEDOR if t not in requeridos and (t == "rup" or t in vigentes)]
    documentos = [
        {
            "tipo": tipo,
            "label": etiquetas[tipo],
            "requerido": tipo in requeridos,
            "actual": vigentes.get(tipo),
            "error": (upload_errors or {}).get(tipo),
            "falta": tipo in faltantes,
        }
        for tipo in requeridos + opcionales
    ]
    seleccion = unspsc.parse_selection([datos.get("areas", "")], datos.get("categoria_principal", ""))
    # The picker where the person left it: in the address after its own buttons, in the form
    # after any other submit.
    posted = request.method == "POST"
    picker = unspsc.picker_context(
        codigos=seleccion.codigos,
        principal=seleccion.principal,
        query=((request.POST if posted else request.GET).get("unspsc_q") or "").strip()[:100],
        padre=(request.POST.get("unspsc_ubicacion") if posted else request.GET.get("unspsc_padre")) or "",
        desconocidos=seleccion.desconocidos,
    )
    area_errors = form.errors.get("areas") or form.errors.get("categoria_principal") if form.is_bound else None
    nit = rules.split_nit(datos.get("nit", ""))[0]
    derivado = rules.nit_de_documento(
        datos.get("tipo_documento", ""), re.sub(r"[.\s]", "", datos.get("numero_documento", ""))
    )
    return render(
        request,
        "entities/registro_proveedor_form.html",
        {
            "registro": registro,
            "pre_form": pre_form,
            "form": form,
            "juridica": form.persona == TipoEmpresa.Persona.JURIDICA,
            "extranjero": form.extranjero,
            "pais_nombre": countries.pais_nombre(form.pais),
            "tipo_empresa": form.tipo,
            "documentos": documentos,
            "faltantes": [etiquetas[t] for t in faltantes],
            "anteriores": registration_selectors.documentos_anteriores(registro=registro),
            "upload_errors": upload_errors or {},
            "municipios": Municipio.objects.select_related("departamento").order_by("nombre"),
            "dv": rules.nit_check_digit(nit) if nit.isdigit() and 6 <= len(nit) <= 10 else "",
            "nit_derivado": derivado if derivado and len(derivado) >= 5 and not nit else "",
            "dv_derivado": rules.nit_check_digit(derivado) if derivado and len(derivado) >= 5 and not nit else "",
            "nombre_normalizado": rules.normalize_legal_name(datos.get("nombre", "")),
            "unspsc": picker,
            "unspsc_error": area_errors[0] if area_errors else "",
            "cuenta_registrada": cuenta_registrada,
            "certificado_dias": rules.proveedor_certificado_max_dias(),
        },
        status=status,
    )


PICKER_ACTIONS = ("buscar_unspsc", "agregar_unspsc")


def _registro_proveedor(request, registro):
    """The supplier's form (R9.2–R9.4) on the same rules as the entity's: every POST keeps what
    was typed and attached first. The picker's buttons (search, add, browse) submit the whole form,
    which is saved, then come back to the picker (redirect, so that reloading repeats nothing)."""
    if request.method == "GET":
        pre_form, form = services.proveedor_forms(registro.datos, bound=False)
        return _proveedor_page(request, registro, pre_form=pre_form, form=form)

    data = request.POST.dict()
    # Every chosen code is one "areas" value; none chosen, or no main one, is a choice too.
    data["areas"] = ",".join(request.POST.getlist("areas"))
    data.setdefault("categoria_principal", "")
    try:
        registro = services.registro_update(registro=registro, data=data)
    except ApplicationError:
        registro.refresh_from_db()  # finalised meanwhile (a double click): go to the account
        return redirect("entities:registrada", pk=registro.entidad_id)
    upload_errors = {}
    for tipo in rules.DOCUMENTOS_PROVEEDOR:
        uploaded = request.FILES.get(f"archivo_{tipo}")
        if uploaded is None:
            continue
        try:
            services.documento_attach(registro=registro, tipo=tipo, uploaded=uploaded, user=request.user)
        except ApplicationError as exc:
            upload_errors[tipo] = exc.message
    accion = request.POST.get("accion", "guardar")
    url = reverse("entities:registro", kwargs={"pk": registro.pk})
    if upload_errors:
        pre_form, form = services.proveedor_forms(registro.datos, bound=False)
        return _proveedor_page(request, registro, pre_form=pre_form, form=form, upload_errors=upload_errors, status=400)
    if "unspsc_padre" in request.POST or accion in PICKER_ACTIONS:
        params = {"unspsc_q": (request.POST.get("unspsc_q") or "").strip()[:100]}
        params["unspsc_padre"] = request.POST.get("unspsc_padre", request.POST.get("unspsc_ubicacion", ""))
        query = urlencode({k: v for k, v in params.items() if v})
        return redirect(f"{url}?{query}#areas-interes" if query else f"{url}#areas-interes")
    if accion == "finalizar":
        try:
            entidad = services.registro_finalize(registro=registro, user=request.user)
        except ApplicationError as exc:
            verificacion = services.registro_verify(registro=registro)
            pre_form, form = services.proveedor_forms(registro.datos)
            pre_form.is_valid()
            form.is_valid()
            cuenta = verificacion.cuenta_registrada
            if exc.status_code == 409 and exc.detail.get("fields"):
                add_application_error(form, exc)  # another registration of the same NIT won the race
                cuenta = Entidad.objects.filter(pk=exc.detail.get("cuenta_registrada", {}).get("id")).first()
            return _proveedor_page(
                request,
                registro,
                pre_form=pre_form,
                form=form,
                faltantes=verificacion.faltantes,
                cuenta_registrada=cuenta,
                status=400,
            )
        messages.success(
            request,
            _("La cuenta de Proveedor %(nombre)s quedó registrada y activa: ya puede usarla.")
            % {"nombre": entidad.nombre},
        )
        return redirect("entities:escritorio", pk=entidad.pk)
    messages.success(request, _("Guardamos su avance. Puede volver a este registro cuando quiera."))
    return redirect(f"{url}#documentos")


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
