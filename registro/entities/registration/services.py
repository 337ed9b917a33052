"""Writes for the registration of an account (R2, R3, R9): drafts that never lose what was typed,
documents with versions, and "Finalizar", which creates the account in one transaction. A State
entity's account waits for the Mesa de Servicio; a supplier's is active at once (R9.5). The
draft's kind (`datos["tipo_cuenta"]`) is set by "Generar formulario" and never changes."""

from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from registro.core import countries
from registro.core.errors import ApplicationError, ErrorCode
from registro.core.files.stored import stored
from registro.core.models import CodigoUNSPSC, TipoEmpresa
from registro.core.transitions import StateMachine
from registro.entities.account import workflow
from registro.entities.account.models import AreaInteres, Entidad, EventoEntidad, PerfilComercial, TipoCuenta
from registro.entities.membership.models import Membresia
from registro.entities.registration import rules
from registro.entities.registration.forms import (
    EntidadForm,
    PreRegistroForm,
    PreRegistroProveedorForm,
    ProveedorForm,
    proveedor_tipo,
)
from registro.entities.registration.models import Documento, RegistroEntidad
from registro.notifications.services import email_queue_template

PRE_FIELDS = tuple(PreRegistroForm.base_fields)


FORM_FIELDS = tuple(EntidadForm.base_fields)


PROVEEDOR_PRE_FIELDS = tuple(PreRegistroProveedorForm.base_fields)


PROVEEDOR_FIELDS = tuple(ProveedorForm.base_fields)


MAX_VALUE_LENGTH = 1000
# The areas of interest are one value, the codes separated by commas: room for hundreds of codes.
MAX_LENGTHS = {"areas": 10000}


def es_proveedor(registro: RegistroEntidad) -> bool:
    """A supplier's registration (R9.1); every other one, older drafts included, is a State entity's."""
    return registro.datos.get("tipo_cuenta") == TipoCuenta.PROVEEDOR


def editable_fields(registro: RegistroEntidad) -> tuple[str, ...]:
    """What a draft keeps from a save: its kind's form and pre-form, never the kind itself."""
    fields = PROVEEDOR_FIELDS + PROVEEDOR_PRE_FIELDS if es_proveedor(registro) else FORM_FIELDS + PRE_FIELDS
    return tuple(field for field in fields if field != "tipo_cuenta")


def form_errors(form) -> dict[str, list[str]]:
    """A form's errors as an ApplicationError's `detail.fields`."""
    return {field: [str(m) for m in messages] for field, messages in form.errors.items()}


def documentos_faltantes(documentos, *, ordenador_delegado: bool, area_negocio: str) -> list[str]:
    """The mandatory documents (R2) for these data with no current version among `documentos`."""
    requeridos = rules.documentos_requeridos(ordenador_delegado=ordenador_delegado, area_negocio=area_negocio)
    presentes = set(documentos.filter(vigente=True).values_list("tipo", flat=True))
    return [tipo for tipo in requeridos if tipo not in presentes]


def _only_known(data: dict, fields: tuple[str, ...]) -> dict:
    # The draft keeps what was typed, as text, capped: never more than the form's own fields.
    kept = {}
    for field in fields:
        if field in data and data[field] is not None:
            kept[field] = str(data[field])[: MAX_LENGTHS.get(field, MAX_VALUE_LENGTH)]
    return kept


@transaction.atomic
def registro_create(*, user, data: dict) -> RegistroEntidad:
    """ "Generar formulario": the pre-form's answers (R3.2) must be valid to open the form."""
    form = PreRegistroForm(data)
    if not form.is_valid():
        raise ApplicationError(ErrorCode.VALIDATION, _("Revise los datos marcados."), {"fields": form_errors(form)})
    datos = {field: str(value) for field, value in form.cleaned_data.items()}
    datos.update(_only_known(data, ("nombre", "nit")))
    return RegistroEntidad.objects.create(usuario=user, datos=datos)


@transaction.atomic
def registro_proveedor_create(*, user, data: dict) -> RegistroEntidad:
    """ "Generar formulario" for a supplier (R9.1): country, business area and type of
    organisation must be valid to open the form. A natural person registering their own account
    finds their names and document already written (from their user), as a start."""
    form = PreRegistroProveedorForm(data)
    if not form.is_valid():
        raise ApplicationError(ErrorCode.VALIDATION, _("Revise los datos marcados."), {"fields": form_errors(form)})
    tipo: TipoEmpresa = form.cleaned_data["tipo_empresa"]
    datos = {
        "tipo_cuenta": str(TipoCuenta.PROVEEDOR),
        "pais": form.cleaned_data["pais"],
        "area_negocio": form.cleaned_data["area_negocio"],
        "tipo_empresa": tipo.codigo,
    }
    datos.update(_only_known(data, ("nombre", "nit")))
    if tipo.persona == TipoEmpresa.Persona.NATURAL:
        datos.update(
            _only_known(
                {
                    "nombres": user.first_name,
                    "apellidos": user.last_name,
                    "tipo_documento": user.document_type,
                    "numero_documento": user.document_number,
                },
                PROVEEDOR_FIELDS,
            )
        )
    return RegistroEntidad.objects.create(usuario=user, datos=datos)


@transaction.atomic
def registro_update(*, registro: RegistroEntidad, data: dict) -> RegistroEntidad:
    """Keeps every value as typed, valid or not (R3.8 "Beyond"); checks happen at "Finalizar"."""
    registro = _lock_draft(registro)
    registro.datos = {**registro.datos, **_only_known(data, editable_fields(registro))}
    registro.save(update_fields=["datos", "updated_at"])
    return registro


def _record(registro: RegistroEntidad, *, event: str, anterior: str, nuevo: str, actor) -> None:
    # Finalising is the entity's registration: its history starts with it, in the entity's state.
    workflow.event_record(entidad=registro.entidad, tipo=event, actor=actor, estado_nuevo=registro.entidad.estado)


# A draft's life is one step: "Finalizar" creates the entity (set on the draft before the move).
MACHINE = StateMachine(
    {(RegistroEntidad.Estado.BORRADOR, RegistroEntidad.Estado.FINALIZADO): EventoEntidad.Tipo.REGISTRADA},
    record=_record,
    message=lambda registro, to: _("Este registro ya fue finalizado; no se puede modificar."),
    code=ErrorCode.VALIDATION,
)


def _lock_draft(registro: RegistroEntidad) -> RegistroEntidad:
    locked = RegistroEntidad.objects.select_for_update().get(pk=registro.pk)
    MACHINE.require(locked, RegistroEntidad.Estado.BORRADOR)
    return locked


@contextmanager
def documento_stored(*, tipo: str, uploaded, user):
    """Checks the file (R2.5) and streams it to storage before any transaction, so no lock is held
    while a large file is written. The caller saves the row inside the block; if anything fails
    there, the stored file is removed."""
    if tipo not in Documento.Tipo.values:
        raise ApplicationError(
            ErrorCode.VALIDATION,
            _("Elija el tipo de documento que va a anexar."),
            {"fields": {"tipo": [_("Elija el tipo de documento que va a anexar.")]}},
        )
    with stored(Documento(tipo=tipo, subido_por=user), uploaded) as documento:
        yield documento


def documento_make_current(*, documento: Documento, siblings) -> Documento:
    """Saves `documento` as the current version of its type and title (a library document's; the
    legal documents have none); the one it replaces is kept."""
    previous = siblings.filter(tipo=documento.tipo, titulo=documento.titulo, vigente=True).first()
    if previous:
        previous.vigente = False
        previous.save(update_fields=["vigente"])
    documento.version = (previous.version + 1) if previous else 1
    documento.save()
    return documento


def documento_attach(*, registro: RegistroEntidad, tipo: str, uploaded, user) -> Documento:
    """ "Anexar documento" on a registration in progress. A supplier's registration takes its own
    documents only (R9.3); refused before anything is stored."""
    if es_proveedor(registro) and tipo in Documento.Tipo.values and tipo not in rules.DOCUMENTOS_PROVEEDOR:
        message = _(
            "El registro de un Proveedor lleva el RUT, el certificado de existencia y representación legal (o el "
            "documento de identidad de la persona natural) y, si quiere, el RUP. Los demás documentos se agregan a "
            "la biblioteca de la cuenta después del registro."
        )
        raise ApplicationError(ErrorCode.VALIDATION, message, {"fields": {"tipo": [message]}})
    with documento_stored(tipo=tipo, uploaded=uploaded, user=user) as documento, transaction.atomic():
        registro = _lock_draft(registro)
        documento.registro = registro
        documento_make_current(documento=documento, siblings=registro.documentos)
        RegistroEntidad.objects.filter(pk=registro.pk).update(updated_at=timezone.now())
    return documento


@dataclass(frozen=True)
class Verificacion:
    cleaned: dict
    errors: dict[str, list[str]]
    faltantes: list[str]
    # The account already registered under the NIT (or tax id) typed: request access to it (R5.1).
    cuenta_registrada: Entidad | None = None

    @property
    def ok(self) -> bool:
        return not self.errors and not self.faltantes


def proveedor_forms(datos: dict, *, bound: bool = True) -> tuple[PreRegistroProveedorForm, ProveedorForm]:
    """A supplier draft's two forms, the form built for the country and type the draft names (as
    typed, even when the pre-form's answers are wrong, so that the page shows the right fields)."""
    pre = PreRegistroProveedorForm(datos) if bound else PreRegistroProveedorForm(initial=datos)
    pais = str(datos.get("pais") or countries.COLOMBIA)
    tipo = proveedor_tipo(datos)
    form = ProveedorForm(datos, pais=pais, tipo=tipo) if bound else ProveedorForm(initial=datos, pais=pais, tipo=tipo)
    return pre, form


def proveedor_persona(datos: dict) -> str:
    tipo = proveedor_tipo(datos)
    return tipo.persona if tipo else TipoEmpresa.Persona.JURIDICA


def _proveedor_verify(registro: RegistroEntidad) -> Verificacion:
    pre, form = proveedor_forms(registro.datos)
    errors: dict[str, list[str]] = {}
    if not pre.is_valid():
        errors.update(form_errors(pre))
    if not form.is_valid():
        errors.update(form_errors(form))
    requeridos = rules.documentos_requeridos_proveedor(persona=form.persona)
    presentes = set(registro.documentos.filter(vigente=True).values_list("tipo", flat=True))
    faltantes = [tipo for tipo in requeridos if tipo not in presentes]
    cleaned = {**(pre.cleaned_data if pre.is_valid() else {}), **(form.cleaned_data if form.is_valid() else {})}
    return Verificacion(cleaned=cleaned, errors=errors, faltantes=faltantes, cuenta_registrada=form.cuenta_registrada)


def registro_verify(*, registro: RegistroEntidad) -> Verificacion:
    """Everything "Finalizar" checks, all at once: data and mandatory documents (R3.8)."""
    if es_proveedor(registro):
        return _proveedor_verify(registro)
    pre = PreRegistroForm(registro.datos)
    errors: dict[str, list[str]] = {}
    if not pre.is_valid():
        errors.update(form_errors(pre))
    pre_data = pre.cleaned_data if pre.is_valid() else registro.datos
    form = EntidadForm(registro.datos, pre=pre_data)
    if not form.is_valid():
        errors.update(form_errors(form))
    faltantes = documentos_faltantes(
        registro.documentos,
        ordenador_delegado=registro.datos.get("ordenador_delegado") == "si",
        area_negocio=registro.datos.get("area_negocio", ""),
    )
    cleaned = {**(pre.cleaned_data if pre.is_valid() else {}), **(form.cleaned_data if form.is_valid() else {})}
    nit = rules.split_nit(str(registro.datos.get("nit") or ""))[0]
    existente = Entidad.objects.filter(nit=nit).first() if "nit" in form.errors and nit.isdigit() else None
    return Verificacion(cleaned=cleaned, errors=errors, faltantes=faltantes, cuenta_registrada=existente)


def cuenta_registrada_detail(entidad: Entidad) -> dict:
    """Where the author of a duplicate registration goes instead: the account and its "Solicitud de
    acceso" (R3.1, R5.1)."""
    return {
        "id": entidad.pk,
        "nombre": entidad.nombre,
        "tipo_cuenta": entidad.tipo_cuenta,
        "tipo_label": entidad.tipo_label,
        "solicitud_acceso": reverse("entities:solicitar_acceso", kwargs={"pk": entidad.pk}),
    }


def verification_error(verificacion: Verificacion) -> ApplicationError:
    etiquetas = dict(Documento.Tipo.choices)
    faltantes = [str(etiquetas[t]) for t in verificacion.faltantes]
    detail = {"fields": verificacion.errors, "missing_documents": verificacion.faltantes, "missing_labels": faltantes}
    if verificacion.cuenta_registrada is not None:
        detail["cuenta_registrada"] = cuenta_registrada_detail(verificacion.cuenta_registrada)
    return ApplicationError(
        ErrorCode.VALIDATION,
        _("No se pudo finalizar: corrija los datos marcados y anexe los documentos que faltan."),
        detail,
    )


def registro_finalize(*, registro: RegistroEntidad, user) -> Entidad:
    """ "Finalizar" (R3.8, R3.9, R9.5): the account with the registering user as its first
    Administrador and the documents moved over, e-mails to the user and the notification address,
    all in one transaction. A State entity's account is pending activation; a supplier's is active,
    with its commercial profile and areas of interest. One account per NIT (and per country and
    tax id) is the database's rule: a simultaneous registration of the same one gets a clear error
    and leaves nothing behind."""
    # Checked before verifying: once finalised, its own NIT is "already registered" (a 400 that
    # would tell the author to request access to the entity they have just created).
    registro = RegistroEntidad.objects.get(pk=registro.pk)  # what is stored, not a caller's stale copy
    MACHINE.require(registro, RegistroEntidad.Estado.BORRADOR)
    verificacion = registro_verify(registro=registro)
    if not verificacion.ok:
        raise verification_error(verificacion)
    data = verificacion.cleaned
    proveedor = es_proveedor(registro)
    try:
        with transaction.atomic():
            registro = _lock_draft(registro)
            entidad = _proveedor_create(data, user) if proveedor else _entidad_create(data, user)
            registro.documentos.update(entidad=entidad)
            if data.get("certificado_fecha_expedicion"):
                registro.documentos.filter(tipo=Documento.Tipo.CERTIFICADO_EXISTENCIA, vigente=True).update(
                    fecha_expedicion=data["certificado_fecha_expedicion"]
                )
            if proveedor:
                # A natural person's identity document is personal data (Ley 1581 de 2012, R10.3):
                # never shown in the directory.
                registro.documentos.filter(tipo=Documento.Tipo.DOCUMENTO_IDENTIDAD).update(
                    visibilidad=Documento.Visibilidad.PRIVADO
                )
            Membresia.objects.create(usuario=user, entidad=entidad, rol=Membresia.Rol.ADMINISTRADOR)
            registro.entidad = entidad
            MACHINE.apply(registro, RegistroEntidad.Estado.FINALIZADO, fields=["entidad"], actor=user)
            _registration_emails(entidad, user)
    except IntegrityError:
        raise _duplicate_error(data, proveedor=proveedor) from None
    return entidad


def _entidad_create(data: dict, user) -> Entidad:
    return Entidad.objects.create(
        nombre=data["nombre"],
        nombre_abreviado=data["nombre_abreviado"],
        nit=data["nit"],
        dv=rules.nit_check_digit(data["nit"]),
        pais=data["pais"],
        registrada_siif=data["registrada_siif"] == "si",
        codigo_pci=data["codigo_pci"],
        area_negocio=data["area_negocio"],
        tipo_organizacion=data["tipo_organizacion"],
        orden=data["orden"],
        rama=data["rama"],
        sector=data["sector"],
        tipo_entidad=data["tipo_entidad"],
        entidad_superior=data["entidad_superior"],
        departamento=data["departamento"],
        municipio=data["municipio"],
        telefono=data["telefono"],
        correo_notificaciones=data["correo_notificaciones"],
        ordenador_delegado=data["ordenador_delegado"] == "si",
        creada_por=user,
    )


def _proveedor_create(data: dict, user) -> Entidad:
    """The supplier's account, active from its creation (R9.5: no activation by the desk), its
    commercial profile and its areas of interest at the level chosen (R9.4)."""
    tipo: TipoEmpresa = data["tipo_empresa"]
    natural = tipo.persona == TipoEmpresa.Persona.NATURAL
    nombre = f"{data['nombres']} {data['apellidos']}" if natural else data["nombre"]
    if natural and data["pais"] == countries.COLOMBIA:
        nombre = rules.normalize_legal_name(nombre)
    entidad = Entidad.objects.create(
        tipo_cuenta=TipoCuenta.PROVEEDOR,
        estado=Entidad.Estado.ACTIVA,  # a supplier account's initial state (R9.5)
        activada_at=timezone.now(),
        nombre=nombre,
        nombre_abreviado="" if natural else data["nombre_abreviado"],
        nit=data["nit"] or None,
        dv=data["dv"],
        pais=data["pais"],
        id_tributario=data.get("id_tributario", ""),
        area_negocio=data["area_negocio"],
        tipo_organizacion="",
        departamento=data.get("departamento"),
        municipio=data.get("municipio"),
        telefono=data["telefono"],
        correo_notificaciones=data["correo_notificaciones"],
        creada_por=user,
    )
    PerfilComercial.objects.create(
        entidad=entidad,
        persona=tipo.persona,
        tipo_empresa=tipo,
        nombres=data.get("nombres", ""),
        apellidos=data.get("apellidos", ""),
        tipo_documento=data.get("tipo_documento", ""),
        numero_documento=data.get("numero_documento", ""),
        direccion=data["direccion"],
        sitio_web=data["sitio_web"],
        representante_nombre=data.get("representante_nombre", ""),
        representante_tipo_documento=data.get("representante_tipo_documento", ""),
        representante_numero_documento=data.get("representante_numero_documento", ""),
        representante_correo=data.get("representante_correo", ""),
        representante_telefono=data.get("representante_telefono", ""),
        tamano=data["tamano"],
        es_mipyme=data["es_mipyme"] == "si",
        anio_fiscal=data["anio_fiscal"],
        activos=data["activos"],
        pasivos=data["pasivos"],
        patrimonio=data["patrimonio"],
        ingresos_operacionales=data["ingresos_operacionales"],
    )
    seleccion = data["seleccion"]
    codigos = CodigoUNSPSC.objects.in_bulk(seleccion.codigos)
    AreaInteres.objects.bulk_create(
        [
            AreaInteres(
                entidad=entidad,
                codigo_id=codigo,
                prefijo=codigos[codigo].prefijo,
                principal=codigo == seleccion.principal,
            )
            for codigo in seleccion.codigos
        ]
    )
    return entidad


def _registration_emails(entidad: Entidad, user) -> None:
    context = {"entidad": entidad, "usuario": user, "site_url": settings.SITE_URL}
    prefix = "proveedor_registrado" if entidad.tipo_cuenta == TipoCuenta.PROVEEDOR else "entidad_registrada"
    email_queue_template(to=[user.email], template=f"entities/email/{prefix}_usuario", context=context)
    email_queue_template(
        to=[entidad.correo_notificaciones], template=f"entities/email/{prefix}_notificaciones", context=context
    )


def _duplicate_error(data: dict, *, proveedor: bool) -> ApplicationError:
    """Another registration of the same NIT (or country and tax id) committed first."""
    nit = data.get("nit") or ""
    existente = Entidad.objects.filter(nit=nit).first() if nit else None
    if not proveedor:
        message = _(
            "Otra persona acaba de registrar una Entidad con el NIT %(nit)s. No se puede registrar de nuevo: "
            "solicite acceso a ella."
        ) % {"nit": nit}
        field = "nit"
    elif existente is not None or not data.get("id_tributario"):
        message = _(
            "Otra persona acaba de registrar una cuenta con el NIT %(nit)s. No se puede registrar de nuevo: haga la "
            "«Solicitud de acceso» a ella."
        ) % {"nit": nit}
        field = "nit"
    else:
        existente = Entidad.objects.filter(pais=data["pais"], id_tributario=data["id_tributario"]).first()
        message = _(
            "Otra persona acaba de registrar una cuenta de %(pais)s con la identificación tributaria %(id)s. No se "
            "puede registrar de nuevo: haga la «Solicitud de acceso» a ella."
        ) % {"pais": countries.pais_nombre(data["pais"]), "id": data["id_tributario"]}
        field = "id_tributario"
    detail: dict = {"fields": {field: [message]}}
    if existente is not None:
        detail["cuenta_registrada"] = cuenta_registrada_detail(existente)
    return ApplicationError(ErrorCode.ENTIDAD_NIT_REGISTRADO, message, detail, status=409)


@transaction.atomic
def registro_delete(*, registro: RegistroEntidad) -> None:
    registro = _lock_draft(registro)
    for documento in registro.documentos.all():
        name = documento.archivo.name
        storage = documento.archivo.storage
        transaction.on_commit(lambda n=name, s=storage: s.delete(n))
    registro.delete()
