"""Writes for the entity registration (R2, R3): drafts that never lose what was typed, documents
with versions, and "Finalizar", which creates the entity in one transaction."""

from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from registro.core.errors import ApplicationError, ErrorCode
from registro.core.files.stored import stored
from registro.core.transitions import StateMachine
from registro.entities.account import workflow
from registro.entities.account.models import Entidad, EventoEntidad
from registro.entities.membership.models import Membresia
from registro.entities.registration import rules
from registro.entities.registration.forms import EntidadForm, PreRegistroForm
from registro.entities.registration.models import Documento, RegistroEntidad
from registro.notifications.services import email_queue_template

PRE_FIELDS = tuple(PreRegistroForm.base_fields)


FORM_FIELDS = tuple(EntidadForm.base_fields)


MAX_VALUE_LENGTH = 1000


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
            kept[field] = str(data[field])[:MAX_VALUE_LENGTH]
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
def registro_update(*, registro: RegistroEntidad, data: dict) -> RegistroEntidad:
    """Keeps every value as typed, valid or not (R3.8 "Beyond"); checks happen at "Finalizar"."""
    registro = _lock_draft(registro)
    registro.datos = {**registro.datos, **_only_known(data, FORM_FIELDS + PRE_FIELDS)}
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
    """ "Anexar documento" on a registration in progress."""
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

    @property
    def ok(self) -> bool:
        return not self.errors and not self.faltantes


def registro_verify(*, registro: RegistroEntidad) -> Verificacion:
    """Everything "Finalizar" checks, all at once: data and mandatory documents (R3.8)."""
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
    return Verificacion(cleaned=cleaned, errors=errors, faltantes=faltantes)


def verification_error(verificacion: Verificacion) -> ApplicationError:
    etiquetas = dict(Documento.Tipo.choices)
    faltantes = [str(etiquetas[t]) for t in verificacion.faltantes]
    return ApplicationError(
        ErrorCode.VALIDATION,
        _("No se pudo finalizar: corrija los datos marcados y anexe los documentos que faltan."),
        {"fields": verificacion.errors, "missing_documents": verificacion.faltantes, "missing_labels": faltantes},
    )


def registro_finalize(*, registro: RegistroEntidad, user) -> Entidad:
    """ "Finalizar" (R3.8, R3.9): the entity, pending activation, with the registering user as its
    first Administrador and the documents moved over; e-mails to the user and the notification
    address. The NIT's uniqueness is the database's: a simultaneous registration of the same NIT
    gets a clear error and leaves nothing behind."""
    # Checked before verifying: once finalised, its own NIT is "already registered" (a 400 that
    # would tell the author to request access to the entity they have just created).
    registro = RegistroEntidad.objects.get(pk=registro.pk)  # what is stored, not a caller's stale copy
    MACHINE.require(registro, RegistroEntidad.Estado.BORRADOR)
    verificacion = registro_verify(registro=registro)
    if not verificacion.ok:
        raise verification_error(verificacion)
    data = verificacion.cleaned
    try:
        with transaction.atomic():
            registro = _lock_draft(registro)
            entidad = Entidad.objects.create(
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
            registro.documentos.update(entidad=entidad)
            if data.get("certificado_fecha_expedicion"):
                registro.documentos.filter(tipo=Documento.Tipo.CERTIFICADO_EXISTENCIA, vigente=True).update(
                    fecha_expedicion=data["certificado_fecha_expedicion"]
                )
            Membresia.objects.create(usuario=user, entidad=entidad, rol=Membresia.Rol.ADMINISTRADOR)
            registro.entidad = entidad
            MACHINE.apply(registro, RegistroEntidad.Estado.FINALIZADO, fields=["entidad"], actor=user)
            context = {"entidad": entidad, "usuario": user, "site_url": settings.SITE_URL}
            email_queue_template(to=[user.email], template="entities/email/entidad_registrada_usuario", context=context)
            email_queue_template(
                to=[entidad.correo_notificaciones],
                template="entities/email/entidad_registrada_notificaciones",
                context=context,
            )
    except IntegrityError:
        message = _(
            "Otra persona acaba de registrar una Entidad con el NIT %(nit)s. No se puede registrar de nuevo: "
            "solicite acceso a ella."
        ) % {"nit": data["nit"]}
        raise ApplicationError(
            ErrorCode.ENTIDAD_NIT_REGISTRADO, message, {"fields": {"nit": [message]}}, status=409
        ) from None
    return entidad


@transaction.atomic
def registro_delete(*, registro: RegistroEntidad) -> None:
    registro = _lock_draft(registro)
    for documento in registro.documentos.all():
        name = documento.archivo.name
        storage = documento.archivo.storage
        transaction.on_commit(lambda n=name, s=storage: s.delete(n))
    registro.delete()
