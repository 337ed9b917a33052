"""Checks on the legal documents an entity attaches when it registers (guide rule R2.5): "Any file
type may be attached except .psd .gif .jar .bat .rtf .thmx .exe .odt .dot .7z .bmp .emf .eml
.gsheet .gz .isz .jpe .oxps .p7z .ppsx .ppt .dll .txt .xlsb .pptx"; PDF is preferred.

`check_uploaded_file` never reads an upload whole into memory: it streams it in chunks to count
and hash it, sniffs the first bytes for the real type, and opens PDFs and ZIP containers (pypdf,
zipfile) in a child process with a memory limit and a deadline (`isolation`). Each refusal is an
`ApplicationError` with its own code and a Spanish message naming the file.

Decisions worth knowing:
- Double extensions: a name is refused when ANY dotted part after the first is forbidden
  (`acta.pdf.exe` and `acta.exe.pdf` alike). See `_forbidden_part`.
- Extensions with no known signature (.csv, .ods, .xml, ...) are accepted unless the content is
  an executable; their content type is then what the bytes show, or "application/octet-stream".
- Besides the guide's list, programs and scripts that Windows runs on double click (.msi, .vbs,
  .scr, ...) are refused as executables when they are the last extension (`EXECUTABLE_EXTENSIONS`);
  so are, each with its own code, macro-enabled Office files, compiled help and disk images.
- PDFs that run code or actions by themselves, or carry programs, and archives holding programs
  are refused (docs/adr/0012)."""

import hashlib
from dataclasses import dataclass

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from registro.core.errors import ApplicationError, ErrorCode
from registro.core.files.content import (
    _RECOGNISABLE,
    CHUNK_SIZE,
    HEAD_SIZE,
    OCTET_STREAM,
    OLE2_MAGIC,
    OLE2_VBA_MARKER,
    SIGNATURES,
    ZIP_MAGIC,
    _check_archive,
    _check_pdf,
    _executable_kind,
    _office_macros,
)
from registro.core.files.names import _check_name, _refuse


@dataclass(frozen=True)
class CheckedFile:
    name: str  # sanitised original name, safe to show and to pass to storage
    size: int  # bytes actually read
    sha256: str  # hex digest of the content
    content_type: str  # from the content, never from the browser's declaration
    extension: str  # lowercase, without the dot


def _too_large(name: str, max_bytes: int) -> ApplicationError:
    return _refuse(
        ErrorCode.FILE_TOO_LARGE,
        _(
            "El archivo «%(file)s» supera el tamaño máximo permitido de %(max)s. Redúzcalo (por ejemplo, "
            "escaneando a menor resolución) o divídalo en varios archivos."
        )
        % {"file": name, "max": filesizeformat(max_bytes)},
        name,
        max_bytes=max_bytes,
    )


def check_uploaded_file(uploaded, *, max_bytes: int | None = None) -> CheckedFile:
    """Checks an uploaded legal document (R2.5) and describes it, or raises `ApplicationError`.

    `uploaded` is a Django UploadedFile (in memory or on disk). `max_bytes` defaults to
    `settings.DOCUMENT_MAX_BYTES` (64 MiB unless the environment says otherwise); the declared size
    is checked first and then the bytes really read, so a lying client can't get past it. The file
    is read in `CHUNK_SIZE` pieces, never whole, and is left at position 0 whatever the outcome.
    """
    if max_bytes is None:
        max_bytes = settings.DOCUMENT_MAX_BYTES
    name, extension = _check_name(getattr(uploaded, "name", "") or "")

    declared = getattr(uploaded, "size", None)
    if declared is not None and declared > max_bytes:
        raise _too_large(name, max_bytes)

    try:
        digest = hashlib.sha256()
        size = 0
        head = b""
        vba, tail = False, b""  # a VBA project's directory entry, looked for in OLE2 files
        # Our own loop rather than `uploaded.chunks()`: InMemoryUploadedFile.chunks() reads the
        # whole file in one go, and a caller may hand us a big in-memory file.
        uploaded.seek(0)
        while chunk := uploaded.read(CHUNK_SIZE):
            size += len(chunk)
            if size > max_bytes:
                raise _too_large(name, max_bytes)
            if len(head) < HEAD_SIZE:
                head += chunk[: HEAD_SIZE - len(head)]
            digest.update(chunk)
            if head.startswith(OLE2_MAGIC) and not vba:
                vba = OLE2_VBA_MARKER in tail + chunk
                tail = chunk[-len(OLE2_VBA_MARKER) :]

        if size == 0:
            raise _refuse(
                ErrorCode.FILE_EMPTY,
                _("El archivo «%(file)s» está vacío (0 bytes); adjunte el documento completo.") % {"file": name},
                name,
            )

        kind = _executable_kind(head)
        if kind:
            raise _refuse(
                ErrorCode.FILE_EXECUTABLE,
                _(
                    "El archivo «%(file)s» contiene un programa ejecutable (%(kind)s), no un documento; "
                    "no se permiten programas ni scripts."
                )
                % {"file": name, "kind": kind},
                name,
            )

        signature = SIGNATURES.get(extension)
        if signature is not None:
            if not signature.matches(head, uploaded):
                raise _refuse(
                    ErrorCode.FILE_CONTENT_MISMATCH,
                    _(
                        "El contenido del archivo «%(file)s» no corresponde a %(label)s, como indica su extensión "
                        "«.%(ext)s». Adjunte el archivo original."
                    )
                    % {"file": name, "label": signature.label, "ext": extension},
                    name,
                )
            content_type = signature.content_type
        else:
            content_type = next((s.content_type for s in _RECOGNISABLE if s.matches(head, uploaded)), OCTET_STREAM)

        if vba:
            raise _office_macros(name)
        if extension == "pdf":
            _check_pdf(uploaded, name, head)
        elif head.startswith(ZIP_MAGIC):
            _check_archive(uploaded, name)
    finally:
        uploaded.seek(0)

    return CheckedFile(name=name, size=size, sha256=digest.hexdigest(), content_type=content_type, extension=extension)
