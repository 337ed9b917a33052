"""What a file's bytes say it is: signatures by extension, executables whatever the name, PDFs
that open and run nothing, archives without programs inside. pypdf and zipfile run in a bounded
child process (`isolation`) on the upload's file on disk."""

import logging
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from registro.core.errors import ApplicationError, ErrorCode
from registro.core.files import inspection, isolation
from registro.core.files.inspection import PDF_JUNK_ALLOWED, executable_kind
from registro.core.files.names import _refuse

logger = logging.getLogger(__name__)

CHUNK_SIZE = 64 * 1024  # bytes read at a time while hashing


HEAD_SIZE = 8 * 1024  # bytes kept from the start of the file to recognise its type


OCTET_STREAM = "application/octet-stream"


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


Matcher = Callable[[bytes, Any], bool]  # (first bytes, seekable file object) -> matches?


OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


ZIP_MAGIC = b"PK\x03\x04"


def _starts_with(*magics: bytes) -> Matcher:
    return lambda head, _file: head.startswith(magics)


def _is_pdf(head: bytes, _file) -> bool:
    return b"%PDF-" in head[: PDF_JUNK_ALLOWED + len(b"%PDF-")]


def _zip_names(file) -> set[str] | None:
    # zipfile seeks to the central directory at the end; it doesn't read the members.
    try:
        file.seek(0)
        with zipfile.ZipFile(file) as archive:
            return set(archive.namelist())
    except Exception:  # BadZipFile, truncated or inconsistent archives: not a valid container
        return None


def _office_open_xml(folder: str) -> Matcher:
    """A .docx/.xlsx is a ZIP with "[Content_Types].xml" and its main folder (word/ or xl/)."""

    def matches(head: bytes, file) -> bool:
        if not head.startswith(ZIP_MAGIC):
            return False
        names = _zip_names(file)
        return names is not None and "[Content_Types].xml" in names and any(n.startswith(folder) for n in names)

    return matches


@dataclass(frozen=True)
class _Signature:
    content_type: str
    label: str  # (lazy) what the extension promises, for messages: "un documento PDF"
    matches: Matcher


_PDF = _Signature("application/pdf", gettext_lazy("un documento PDF"), _is_pdf)


_PNG = _Signature("image/png", gettext_lazy("una imagen PNG"), _starts_with(b"\x89PNG\r\n\x1a\n"))


_JPEG = _Signature("image/jpeg", gettext_lazy("una imagen JPEG"), _starts_with(b"\xff\xd8\xff"))


_TIFF = _Signature(
    "image/tiff", gettext_lazy("una imagen TIFF"), _starts_with(b"II*\x00", b"MM\x00*", b"II+\x00", b"MM\x00+")
)


_ZIP = _Signature(
    "application/zip", gettext_lazy("un archivo ZIP"), _starts_with(ZIP_MAGIC, b"PK\x05\x06", b"PK\x07\x08")
)


_OLE2 = _Signature(
    "application/x-ole-storage", gettext_lazy("un documento de Office 97-2003"), _starts_with(OLE2_MAGIC)
)


# The one table of allowed extensions whose content must match. Any other allowed extension is
# accepted whatever it holds, as long as it isn't an executable.
SIGNATURES: dict[str, _Signature] = {
    "pdf": _PDF,
    "png": _PNG,
    "jpg": _JPEG,
    "jpeg": _JPEG,
    "tif": _TIFF,
    "tiff": _TIFF,
    "zip": _ZIP,
    "docx": _Signature(DOCX, gettext_lazy("un documento de Word (.docx)"), _office_open_xml("word/")),
    "xlsx": _Signature(XLSX, gettext_lazy("un libro de Excel (.xlsx)"), _office_open_xml("xl/")),
    # Word and Excel 97-2003 share the OLE2 container; telling them apart would mean parsing it.
    "doc": _Signature("application/msword", gettext_lazy("un documento de Word 97-2003 (.doc)"), _OLE2.matches),
    "xls": _Signature("application/vnd.ms-excel", gettext_lazy("un libro de Excel 97-2003 (.xls)"), _OLE2.matches),
}


# What the content of a file with an unlisted extension is reported as, when recognisable.
_RECOGNISABLE = (_PDF, _PNG, _JPEG, _TIFF, _ZIP, _OLE2)


_executable_kind = executable_kind


@contextmanager
def local_path(uploaded):
    """A path to the upload's bytes for the sandbox: the temporary file Django streamed a large
    upload to, or (small in-memory uploads, storage files) a temporary copy made in chunks."""
    path = getattr(uploaded, "temporary_file_path", None)
    if path is not None:
        uploaded.file.flush()
        yield path()
        return
    with tempfile.NamedTemporaryFile(prefix="registro-check-", suffix=".bin") as copy:
        uploaded.seek(0)
        shutil.copyfileobj(uploaded, copy, CHUNK_SIZE)
        copy.flush()
        yield copy.name


def _unverifiable(name: str) -> ApplicationError:
    return _refuse(
        ErrorCode.FILE_UNVERIFIABLE,
        _(
            "No pudimos revisar el archivo «%(file)s»: es demasiado complejo o está dañado. Genérelo de nuevo "
            "(por ejemplo, imprimiéndolo a PDF) o divídalo en varios archivos."
        )
        % {"file": name},
        name,
    )


def _inspect(function, uploaded, name: str):
    try:
        with local_path(uploaded) as path:
            return isolation.run(function, path)
    except isolation.IsolationFailed as error:
        logger.warning("an uploaded file could not be checked: %s", error)
        raise _unverifiable(name) from error


_PDF_RISKS = {
    "launch": (
        ErrorCode.FILE_PDF_LAUNCH,
        gettext_lazy(
            "El PDF «%(file)s» contiene una acción que abre otros programas o archivos (/Launch); no se "
            "aceptan. Imprímalo a un PDF nuevo y adjúntelo."
        ),
    ),
    "javascript": (
        ErrorCode.FILE_PDF_JAVASCRIPT,
        gettext_lazy(
            "El PDF «%(file)s» contiene JavaScript; no se aceptan PDF con código. Imprímalo a un PDF nuevo "
            "(sin formularios interactivos) y adjúntelo."
        ),
    ),
    "auto_action": (
        ErrorCode.FILE_PDF_AUTO_ACTION,
        gettext_lazy(
            "El PDF «%(file)s» ejecuta acciones automáticas al abrirse (/OpenAction o /AA); no se aceptan. "
            "Imprímalo a un PDF nuevo y adjúntelo."
        ),
    ),
    "embedded_program": (
        ErrorCode.FILE_PDF_EMBEDDED_PROGRAM,
        gettext_lazy(
            "El PDF «%(file)s» lleva un programa incrustado como archivo adjunto; no se acepta. Quite el "
            "adjunto o imprima el documento a un PDF nuevo."
        ),
    ),
}


def _check_pdf(uploaded, name: str, head: bytes) -> None:
    """Refuses PDFs that don't open, have no pages, are encrypted (even with an empty user password:
    the reviewers must be able to open, print and copy from it), or carry code, actions that run by
    themselves, or other files."""
    report = _inspect(inspection.pdf_report, uploaded, name)
    if report["encrypted"]:
        raise _refuse(
            ErrorCode.FILE_PDF_ENCRYPTED,
            _("El PDF «%(file)s» está protegido con contraseña; adjunte una copia sin contraseña.") % {"file": name},
            name,
        )
    if report["pages"] == 0:
        raise _refuse(
            ErrorCode.FILE_PDF_CORRUPT,
            _(
                "El PDF «%(file)s» está dañado o no se puede abrir (o no tiene páginas). Genere el PDF de nuevo "
                "y adjúntelo."
            )
            % {"file": name},
            name,
        )
    for risk in inspection.RISK_ORDER:
        if risk in report["risks"]:
            code, message = _PDF_RISKS[risk]
            raise _refuse(code, str(message) % {"file": name}, name)


def _office_macros(name: str) -> ApplicationError:
    return _refuse(
        ErrorCode.FILE_OFFICE_MACROS,
        _(
            "El archivo «%(file)s» contiene macros de Office; no se aceptan documentos con macros. Guárdelo "
            "como PDF (o como .docx/.xlsx sin macros) y adjúntelo."
        )
        % {"file": name},
        name,
    )


# "_VBA_PROJECT" as an OLE2 directory entry (UTF-16LE): a Word or Excel 97-2003 file with macros.
OLE2_VBA_MARKER = "_VBA_PROJECT".encode("utf-16-le")


def _check_archive(uploaded, name: str) -> None:
    """ZIP containers (.zip and Office Open XML): no programs inside, no VBA macros."""
    report = _inspect(inspection.archive_report, uploaded, name)
    if report["macros"]:
        raise _office_macros(name)
    if report["executable"]:
        raise _refuse(
            ErrorCode.FILE_ARCHIVE_EXECUTABLE,
            _(
                "El archivo comprimido «%(file)s» contiene un programa («%(member)s»); no se aceptan archivos "
                "comprimidos con programas. Adjunte solo los documentos."
            )
            % {"file": name, "member": report["executable"]},
            name,
            member=report["executable"],
        )
