"""The account's document library (R9.3): further documents (experience, financial statements,
others), each with a title and a visibility, visible to users of active accounts through the
directory (R2.4) or private to the account. Uploads take the registration's one code path
(`documento_stored` checks and stores the file, `documento_make_current` keeps the versions of the
same type and title); nothing is ever deleted: a replaced version and a retired document stay as
history."""

from django.db import transaction
from django.utils.translation import gettext as _

from registro.core.errors import ApplicationError, ErrorCode, refusal
from registro.entities.account import workflow
from registro.entities.account.models import Entidad, EventoEntidad
from registro.entities.membership.catalogue import Permiso
from registro.entities.registration.models import Documento
from registro.entities.registration.services import documento_make_current, documento_stored, form_errors
from registro.entities.supplier.forms import BibliotecaDocumentoForm
from registro.entities.supplier.guards import require_can

PERMISO = Permiso.GESTIONAR_BIBLIOTECA


def _fresh(entidad: Entidad) -> Entidad:
    return Entidad.objects.get(pk=entidad.pk)


def _lock(entidad: Entidad, user) -> Entidad:
    locked = Entidad.objects.select_for_update().get(pk=entidad.pk)
    require_can(user, locked, PERMISO)
    return locked


def _no_file() -> ApplicationError:
    return refusal(_("Elija el archivo que va a subir."), "archivo")


def _duplicate(entidad: Entidad, tipo: str, titulo: str) -> Documento | None:
    return entidad.documentos.filter(tipo=tipo, titulo__iexact=titulo, vigente=True).first()


def _duplicate_error(documento: Documento) -> ApplicationError:
    return refusal(
        _(
            "Ya hay un documento «%(tipo)s» con el título «%(titulo)s» en la biblioteca. Para reemplazarlo, suba una "
            "nueva versión desde la lista; si es otro documento, use otro título."
        )
        % {"tipo": documento.get_tipo_display(), "titulo": documento.titulo},
        "titulo",
    )


def _current(locked: Entidad, documento: Documento) -> Documento:
    current = locked.documentos.filter(pk=documento.pk, tipo__in=Documento.BIBLIOTECA, vigente=True).first()
    if current is None:
        raise refusal(_("Ese documento ya fue reemplazado o retirado; vuelva a cargar la biblioteca."), status=409)
    return current


def documento_add(*, entidad: Entidad, user, data, uploaded) -> Documento:
    """A new document of the library: type (experience, financial statements, other), title (unique
    per type among the current ones), visibility, file. Every problem with what was typed is listed
    at once; then the file passes the upload checks (R2.5) and is stored before the transaction."""
    require_can(user, _fresh(entidad), PERMISO)
    form = BibliotecaDocumentoForm(
        {name: data.get(name) for name in ("tipo", "titulo", "visibilidad") if data.get(name) is not None}
    )
    errors = {} if form.is_valid() else form_errors(form)
    if uploaded is None:
        errors.update(_no_file().detail["fields"])
    titulo = " ".join((form.cleaned_data.get("titulo") or "").split())
    tipo = form.cleaned_data.get("tipo")
    if tipo and titulo and "titulo" not in errors and (duplicate := _duplicate(entidad, tipo, titulo)):
        errors.update(_duplicate_error(duplicate).detail["fields"])
    if errors:
        raise ApplicationError(ErrorCode.VALIDATION, _("Revise los datos marcados."), {"fields": errors})
    with documento_stored(tipo=tipo, uploaded=uploaded, user=user) as documento, transaction.atomic():
        locked = _lock(entidad, user)
        if duplicate := _duplicate(locked, tipo, titulo):  # added meanwhile by someone else
            raise _duplicate_error(duplicate)
        documento.entidad = locked
        documento.titulo = titulo
        documento.visibilidad = form.cleaned_data["visibilidad"]
        documento_make_current(documento=documento, siblings=locked.documentos)
        workflow.event_record(
            entidad=locked,
            tipo=EventoEntidad.Tipo.DOCUMENTO_AGREGADO,
            actor=user,
            detalle={
                "documento": documento.etiqueta,
                "version": documento.version,
                "visibilidad": documento.get_visibilidad_display(),
            },
        )
    return documento


def documento_new_version(*, entidad: Entidad, documento: Documento, user, uploaded) -> Documento:
    """A new version of a current library document: same type, title and visibility, version + 1;
    the earlier one is kept."""
    require_can(user, _fresh(entidad), PERMISO)
    if uploaded is None:
        raise _no_file()
    with documento_stored(tipo=documento.tipo, uploaded=uploaded, user=user) as nuevo, transaction.atomic():
        locked = _lock(entidad, user)
        current = _current(locked, documento)
        nuevo.entidad = locked
        nuevo.titulo = current.titulo
        nuevo.visibilidad = current.visibilidad
        documento_make_current(documento=nuevo, siblings=locked.documentos)
        workflow.event_record(
            entidad=locked,
            tipo=EventoEntidad.Tipo.DOCUMENTO_ACTUALIZADO,
            actor=user,
            detalle={"documento": nuevo.etiqueta, "version": nuevo.version},
        )
    return nuevo


def documento_visibility(*, entidad: Entidad, documento: Documento, user, visibilidad: str) -> Documento:
    """Who sees a library document: users of active accounts through the directory, or only the
    account's own users. Its earlier versions follow."""
    if visibilidad not in Documento.Visibilidad.values:
        raise refusal(_("Elija la visibilidad del documento."), "visibilidad")
    with transaction.atomic():
        locked = _lock(entidad, user)
        current = _current(locked, documento)
        if current.visibilidad == visibilidad:
            return current
        antes = current.get_visibilidad_display()
        locked.documentos.filter(tipo=current.tipo, titulo=current.titulo).update(visibilidad=visibilidad)
        current.visibilidad = visibilidad
        workflow.event_record(
            entidad=locked,
            tipo=EventoEntidad.Tipo.DOCUMENTO_ACTUALIZADO,
            actor=user,
            detalle={
                "documento": current.etiqueta,
                "cambios": {"visibilidad": {"antes": antes, "despues": current.get_visibilidad_display()}},
            },
        )
    return current


def documento_retire(*, entidad: Entidad, documento: Documento, user) -> Documento:
    """Retires a library document: no longer current (nor shown in the directory), kept as history
    with its versions. Its title is free again."""
    with transaction.atomic():
        locked = _lock(entidad, user)
        current = _current(locked, documento)
        current.vigente = False
        current.save(update_fields=["vigente"])
        workflow.event_record(
            entidad=locked,
            tipo=EventoEntidad.Tipo.DOCUMENTO_RETIRADO,
            actor=user,
            detalle={"documento": current.etiqueta, "version": current.version},
        )
    return current
