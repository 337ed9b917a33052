"""File names: the guide's forbidden extensions (R2.5), executables, and the sanitised name that is
safe to show and to hand to storage."""

import re
import unicodedata

from django.utils.translation import gettext as _

from registro.core.errors import ApplicationError, ErrorCode


def _refuse(code: ErrorCode, message: str, name: str, **detail) -> ApplicationError:
    return ApplicationError(code, message, detail={"file": name, **detail})


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


# Not in the guide's list either, and refused each with its own message: Office files that carry
# macros, compiled Windows help (it runs scripts), and disk images (Windows mounts them on double
# click, and what is inside escapes the checks).
MACRO_OFFICE_EXTENSIONS = frozenset({"docm", "dotm", "xlsm", "xltm", "xlam", "pptm", "potm", "ppsm"})
COMPILED_HELP_EXTENSIONS = frozenset({"chm"})
DISK_IMAGE_EXTENSIONS = frozenset({"iso", "img", "vhd", "vhdx"})


MAX_NAME_LENGTH = 150


FALLBACK_NAME = "documento"


MAX_EXTENSION_LENGTH = 16



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
    if extension in MACRO_OFFICE_EXTENSIONS:
        raise _refuse(
            ErrorCode.FILE_OFFICE_MACROS,
            _(
                "No se aceptan documentos de Office con macros («%(file)s»). Guárdelo como PDF (o como "
                ".docx/.xlsx sin macros) y adjúntelo."
            )
            % {"file": name},
            name,
        )
    if extension in COMPILED_HELP_EXTENSIONS:
        raise _refuse(
            ErrorCode.FILE_COMPILED_HELP,
            _(
                "No se aceptan archivos de ayuda de Windows («%(file)s», .%(ext)s): pueden ejecutar programas. "
                "Adjunte el documento en PDF."
            )
            % {"file": name, "ext": extension},
            name,
        )
    if extension in DISK_IMAGE_EXTENSIONS:
        raise _refuse(
            ErrorCode.FILE_DISK_IMAGE,
            _(
                "No se aceptan imágenes de disco («%(file)s», .%(ext)s). Adjunte cada documento por separado, "
                "preferiblemente en PDF."
            )
            % {"file": name, "ext": extension},
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
