"""What a file's bytes say it is: signatures by extension, executables whatever the name, and
PDFs that open (pypdf seeks inside the upload; nothing is read whole)."""

import logging
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pypdf import PdfReader
from pypdf.errors import DependencyError

from registro.core.errors import ErrorCode
from registro.core.files.names import _refuse

logger = logging.getLogger(__name__)

CHUNK_SIZE = 64 * 1024  # bytes read at a time while hashing


HEAD_SIZE = 8 * 1024  # bytes kept from the start of the file to recognise its type


PDF_JUNK_ALLOWED = 1024  # readers accept up to this much before "%PDF-", so do we


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
