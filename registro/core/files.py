"""Checks on the legal documents an entity attaches when it registers (guide rule R2.5): "Any file
type may be attached except .psd .gif .jar .bat .rtf .thmx .exe .odt .dot .7z .bmp .emf .eml
.gsheet .gz .isz .jpe .oxps .p7z .ppsx .ppt .dll .txt .xlsb .pptx"; PDF is preferred.

`check_uploaded_file` never reads an upload whole into memory: it streams it in chunks to count
and hash it, sniffs the first bytes for the real type, and lets pypdf (or zipfile) seek inside
the file object. Each refusal is an `ApplicationError` with its own code and a Spanish message
naming the file.

Decisions worth knowing:
- Double extensions: a name is refused when ANY dotted part after the first is forbidden
  (`acta.pdf.exe` and `acta.exe.pdf` alike). See `_forbidden_part`.
- Extensions with no known signature (.csv, .ods, .xml, ...) are accepted unless the content is
  an executable; their content type is then what the bytes show, or "application/octet-stream".
- Besides the guide's list, programs and scripts that Windows runs on double click (.msi, .vbs,
  .scr, ...) are refused as executables when they are the last extension (`EXECUTABLE_EXTENSIONS`)."""

import hashlib
import logging
import re
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pypdf import PdfReader
from pypdf.errors import DependencyError

from registro.core.errors import ApplicationError, ErrorCode

logger = logging.getLogger(__name__)


# R2.5, in the guide's order.
# fmt: off
_FORBIDDEN_IN_GUIDE_ORDER = (
    "psd", "gif", "jar", "bat", "rtf", "thmx", "exe", "odt", "dot", "7z", "bmp", "emf", "eml",
    "gsheet", "gz", "isz", "jpe", "oxps", "p7z", "ppsx", "ppt", "dll", "txt", "xlsb", "pptx",
)


# fmt: on
FORBIDDEN_EXTENSIONS = frozenset(_FORBIDDEN_IN_GUIDE_ORDER)


# Not in the guide's list, but programs and scripts all the same: nobody attaches a legal document
# as one of these, and a reviewer who opens it on Windows runs it. Checked on the last extension
# only, because some of them ("com", "js", "app") also show up as ordinary words between dots
# ("factura empresa.com.pdf").
# fmt: off
EXECUTABLE_EXTENSIONS = frozenset({
    "apk", "app", "cmd", "com", "cpl", "hta", "js", "jse", "lnk", "msi", "msp", "pif", "ps1",
    "reg", "scr", "sh", "vbe", "vbs", "wsf", "wsh",
})


MAX_NAME_LENGTH = 150


FALLBACK_NAME = "documento"


MAX_EXTENSION_LENGTH = 16


CHUNK_SIZE = 64 * 1024  # bytes read at a time while hashing


HEAD_SIZE = 8 * 1024  # bytes kept from the start of the file to recognise its type


PDF_JUNK_ALLOWED = 1024  # readers accept up to this much before "%PDF-", so do we


OCTET_STREAM = "application/octet-stream"


DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@dataclass(frozen=True)
class CheckedFile:
    name: str  # sanitised original name, safe to show and to pass to storage
    size: int  # bytes actually read
    sha256: str  # hex digest of the content
    content_type: str  # from the content, never from the browser's declaration
    extension: str  # lowercase, without the dot


def _clean_name(name: str) -> str:
    """`sanitize_filename` without the fallback: "" when nothing usable is left."""
    name = unicodedata.normalize("NFC", str(name or ""))
    # Only the last path component, whichever separator the client's system uses.
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    kept = []
    for char in name:
        category = unicodedata.category(char)
        if char.isspace() or category.startswith("Z"):
            kept.append(" ")
        elif category[0] in "LNM" or char in "-_.()":
            kept.append(char)
        elif category[0] == "C":
            # Control characters, NUL, format characters (the right-to-left override U+202E that makes
            # "acta<U+202E>fdp.exe" show as "actaexe.pdf") and unassigned code points: dropped.
            continue
        elif category == "Pd":
            kept.append("-")  # "–", "—" and other dashes
        else:
            kept.append("_")  # / : * ? " < > | and the like
    name = "".join(kept)
    name = re.sub(r" {2,}", " ", name)
    name = re.sub(r"_{2,}", "_", name)
    # No hidden files, no "..", and no trailing dots or spaces (Windows drops them, which would
    # turn "acta.exe." into "acta.exe").
    name = name.lstrip(". ").rstrip(". ")
    name = unicodedata.normalize("NFC", name)
    if len(name) > MAX_NAME_LENGTH:
        stem, dot, extension = name.rpartition(".")
        if dot and _is_extension(extension):
            stem = stem[: MAX_NAME_LENGTH - len(extension) - 1].rstrip(". ")
            name = f"{stem}.{extension}"
        else:
            name = name[:MAX_NAME_LENGTH].rstrip(". ")
    return name


def sanitize_filename(name: str) -> str:
    """A name safe to show and to store: no directory part or path traversal, no control or format
    characters, NFC-normalised, non-ASCII letters kept ("Resolución_ñ.pdf" stays readable), other
    symbols replaced by "_", whitespace collapsed, at most 150 characters with the extension kept,
    and "documento" when nothing is left."""
    return _clean_name(name) or FALLBACK_NAME


def _is_extension(part: str) -> bool:
    return 0 < len(part) <= MAX_EXTENSION_LENGTH and all(char.isalnum() for char in part)


def _extension(name: str) -> str:
    """The last extension, lowercase, or "" ("Acta No. 5 de 2020" has none: " 5 de 2020" isn't one)."""
    stem, dot, extension = name.rpartition(".")
    return extension.lower() if dot and stem and _is_extension(extension) else ""


def _forbidden_part(name: str) -> str | None:
    """The first forbidden extension among ALL the dotted parts after the first one.

    Double extensions are a classic trick: "acta.pdf.exe" shows as "acta.pdf" where extensions are
    hidden, and "acta.exe.pdf" is run as a program by servers and tools that honour any of a file's
    extensions (Apache's mod_mime, some unzip and mail tools). The guide forbids the types, not just
    the last suffix, so both are refused; the cost is that a harmless "notas.txt.pdf" (as some
    print-to-PDF tools name files) must be renamed, which the message asks for."""
    for part in name.lower().split(".")[1:]:
        if part in FORBIDDEN_EXTENSIONS:
            return part
    return None


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


def _is_control_bytes(data: bytes) -> bool:
    return any(byte < 0x20 and byte not in b"\t\n\x0c\r" for byte in data)


def _executable_kind(head: bytes) -> str | None:
    """What kind of program the content is, whatever the file is called; None if it isn't one."""
    if head.startswith((b"\x7fELF",)):
        return "ELF"
    if head.startswith((b"\xfe\xed\xfa\xce", b"\xfe\xed\xfa\xcf", b"\xce\xfa\xed\xfe", b"\xcf\xfa\xed\xfe")):
        return "Mach-O"
    if head.startswith(b"\xca\xfe\xba\xbe"):
        return "Java/Mach-O"  # a Java class and a Mach-O universal binary share the magic
    if head.removeprefix(b"\xef\xbb\xbf").startswith(b"#!"):
        return "script"
    # A DOS/Windows header is "MZ" followed by binary fields (its 64 bytes always hold NULs or other
    # control bytes). Requiring them keeps text such as a CSV of addresses starting "MZ 5 CASA 3"
    # ("manzana") from being taken for a program.
    if head.startswith((b"MZ", b"ZM")) and _is_control_bytes(head[2:64]):
        return "PE"
    return None


def _refuse(code: ErrorCode, message: str, name: str, **detail) -> ApplicationError:
    return ApplicationError(code, message, detail={"file": name, **detail})


def _check_name(raw_name: str) -> tuple[str, str]:
    name = _clean_name(raw_name)
    stem = name.rpartition(".")[0] if _extension(name) else name
    if not any(char.isalnum() for char in stem):
        shown = name or FALLBACK_NAME
        raise _refuse(
            ErrorCode.FILE_NAME_INVALID,
            _(
                "El nombre del archivo «%(file)s» no es válido: debe tener letras o números. Cámbielo y adjúntelo de nuevo."
            )
            % {"file": shown},
            shown,
        )
    forbidden = _forbidden_part(name)
    if forbidden:
        extension = _extension(name)
        if forbidden == extension:
            message = _(
                "No se permiten archivos «.%(ext)s» («%(file)s»). Adjunte el documento en otro formato, "
                "preferiblemente PDF."
            )
        else:
            message = _(
                "El nombre «%(file)s» contiene la extensión no permitida «.%(ext)s». Los nombres con varias "
                "extensiones se rechazan; cámbielo (por ejemplo, «acta.%(last)s») y adjúntelo de nuevo."
            )
        raise _refuse(
            ErrorCode.FILE_EXTENSION_FORBIDDEN,
            message % {"ext": forbidden, "file": name, "last": extension or "pdf"},
            name,
        )
    extension = _extension(name)
    if not extension:
        raise _refuse(
            ErrorCode.FILE_NO_EXTENSION,
            _(
                "El archivo «%(file)s» no tiene extensión (por ejemplo «.pdf»), así que no se sabe qué tipo de "
                "documento es. Cámbiele el nombre y adjúntelo de nuevo."
            )
            % {"file": name},
            name,
        )
    if extension in EXECUTABLE_EXTENSIONS:
        raise _refuse(
            ErrorCode.FILE_EXECUTABLE,
            _("El archivo «%(file)s» es un programa o script («.%(ext)s»); no se permiten programas.")
            % {"file": name, "ext": extension},
            name,
        )
    return name, extension


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


class _PdfWindow:
    """The file seen from its "%PDF-" header on: PDF offsets count from the header, so a file with
    junk before it (as mail gateways and some scanners leave) opens as it does in Acrobat."""

    def __init__(self, file, start: int):
        self._file = file
        self._start = start
        file.seek(start)

    def read(self, size: int = -1) -> bytes:
        return self._file.read(size)

    def tell(self) -> int:
        return self._file.tell() - self._start

    def seek(self, offset: int, whence: int = 0) -> int:
        self._file.seek(self._start + offset if whence == 0 else offset, whence)
        if self._file.tell() < self._start:
            self._file.seek(self._start)
        return self.tell()


def _pdf_state(uploaded, head: bytes) -> tuple[bool, int]:
    """(encrypted?, pages); pages is 0 when pypdf cannot open the file."""
    start = head.find(b"%PDF-")
    candidates = [_PdfWindow(uploaded, start)] if start > 0 else []
    candidates.append(uploaded)  # junk before the header may also be counted in the offsets
    for stream in candidates:
        try:
            stream.seek(0)
            reader = PdfReader(stream, strict=False)
            if reader.is_encrypted:
                return True, 0
            pages = len(reader.pages)
        except DependencyError:
            # Raised while pypdf tries the empty password of an AES-encrypted PDF without a crypto
            # library installed: the file is encrypted either way.
            return True, 0
        except Exception as error:  # any pypdf error (and the odd ValueError/RecursionError on broken files)
            logger.info("pypdf could not open an uploaded PDF: %s: %s", type(error).__name__, error)
            continue
        if pages:
            return False, pages
    return False, 0


def _check_pdf(uploaded, name: str, head: bytes) -> None:
    """Refuses PDFs that don't open, have no pages, or are encrypted (even with an empty user
    password: the reviewers must be able to open, print and copy from it)."""
    encrypted, pages = _pdf_state(uploaded, head)
    if encrypted:
        raise _refuse(
            ErrorCode.FILE_PDF_ENCRYPTED,
            _("El PDF «%(file)s» está protegido con contraseña; adjunte una copia sin contraseña.") % {"file": name},
            name,
        )
    if pages == 0:
        raise _refuse(
            ErrorCode.FILE_PDF_CORRUPT,
            _(
                "El PDF «%(file)s» está dañado o no se puede abrir (o no tiene páginas). Genere el PDF de nuevo "
                "y adjúntelo."
            )
            % {"file": name},
            name,
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

        if extension == "pdf":
            _check_pdf(uploaded, name, head)
    finally:
        uploaded.seek(0)

    return CheckedFile(name=name, size=size, sha256=digest.hexdigest(), content_type=content_type, extension=extension)
