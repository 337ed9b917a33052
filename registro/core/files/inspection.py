"""What runs inside the sandbox (`isolation.run`): opening PDFs with pypdf, listing archive members,
rendering pages with PDFium. Plain functions of a file path, with no Django in them, so a child
process with a memory limit can run them and a hostile file costs that child, not the server.

Everything here reads the file through bounded windows: a PDF is shown to pypdf cut just after its
last `startxref <offset>`, so megabytes of scanner padding, comments or junk at the end are never
read (pypdf otherwise walks them backwards a byte at a time, holding the "line" in memory)."""

import logging
import os
import struct
import zipfile
import zlib

from pypdf import PdfReader
from pypdf.errors import DependencyError
from pypdf.generic import ArrayObject, DictionaryObject

logger = logging.getLogger(__name__)

SCAN_CHUNK = 1024 * 1024  # bytes read at a time when scanning a whole file

PDF_JUNK_ALLOWED = 1024  # readers accept up to this much before "%PDF-", so do we

MAX_ARCHIVE_MEMBERS = 5000  # members whose first bytes are read; every name is checked

MAX_ACTION_CHAIN = 50  # /Next actions followed from one trigger

# Raw tokens that back up the object walk (they may hide in places the walk doesn't visit). Long
# enough never to occur by chance in compressed data.
RAW_RISKS = {b"/JavaScript": "javascript", b"/Launch": "launch"}

RISK_ORDER = ("launch", "javascript", "auto_action", "embedded_program")

EXECUTABLE_MEMBER_EXTENSIONS = frozenset(
    {"exe", "dll", "jar", "bat", "chm", "msi", "msp", "scr", "com", "cmd", "cpl", "hta", "js", "jse", "lnk"}
    | {"pif", "ps1", "reg", "sh", "vbe", "vbs", "wsf", "wsh", "apk", "app"}
)


def _is_program_name(filename: str) -> bool:
    return "." in filename and filename.rsplit(".", 1)[-1].lower() in EXECUTABLE_MEMBER_EXTENSIONS


def _is_control_bytes(data: bytes) -> bool:
    return any(byte < 0x20 and byte not in b"\t\n\x0c\r" for byte in data)


def executable_kind(head: bytes) -> str | None:
    """What kind of program the content is, whatever the file is called; None if it isn't one."""
    if head.startswith(b"\x7fELF"):
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


# --- PDFs ---------------------------------------------------------------------------------------


class _Window:
    """A read-only view of `file` from `start` to `end`, followed by `suffix`: PDF offsets count
    from the "%PDF-" header, and whatever follows the last `startxref` is replaced by "%%EOF"."""

    def __init__(self, file, start: int, end: int, suffix: bytes = b""):
        self._file, self._start, self._suffix = file, start, suffix
        self._body = end - start
        self._length = self._body + len(suffix)
        self._position = 0

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = 0) -> int:
        base = {0: 0, 1: self._position, 2: self._length}[whence]
        self._position = min(max(base + offset, 0), self._length)
        return self._position

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            size = self._length - self._position
        size = min(size, self._length - self._position)
        data = b""
        if self._position < self._body:
            self._file.seek(self._start + self._position)
            data = self._file.read(min(size, self._body - self._position))
        if len(data) < size:
            at = self._position + len(data) - self._body
            data += self._suffix[at : at + size - len(data)]
        self._position += len(data)
        return data


def _scan(file) -> tuple[int | None, set[str]]:
    """One pass over the file in `SCAN_CHUNK` pieces: where the last `startxref` keyword is, and
    which raw risk tokens occur (followed by a delimiter, so "/Launcher" doesn't count)."""
    overlap = 32
    last_startxref, risks, tail, offset = None, set(), b"", 0
    file.seek(0)
    while chunk := file.read(SCAN_CHUNK):
        window = tail + chunk
        base = offset - len(tail)
        found = window.rfind(b"startxref")
        if found >= 0:
            last_startxref = base + found
        for token, risk in RAW_RISKS.items():
            at = window.find(token)
            while at >= 0:
                after = window[at + len(token) : at + len(token) + 1]
                if after and not after.isalnum():
                    risks.add(risk)
                at = window.find(token, at + 1)
        offset += len(chunk)
        tail = window[-overlap:]
    return last_startxref, risks


def _startxref_end(file, position: int) -> int | None:
    """Where the offset after the `startxref` keyword at `position` ends, if one is there."""
    file.seek(position + len(b"startxref"))
    data = file.read(64)
    stripped = data.lstrip(b" \t\r\n\x0c\x00")
    digits = len(stripped) - len(stripped.lstrip(b"0123456789"))
    if not digits:
        return None
    return position + len(b"startxref") + (len(data) - len(stripped)) + digits


def _names(value) -> list:
    value = value.get_object() if value is not None else None
    return list(value) if isinstance(value, (ArrayObject, list)) else []


def _action_risks(action, *, automatic: bool) -> set[str]:
    risks, seen = set(), 0
    pending = [action]
    while pending and seen < MAX_ACTION_CHAIN:
        current = pending.pop().get_object()
        seen += 1
        if not isinstance(current, DictionaryObject):
            continue  # a destination ("open at page 1, fit width") is harmless
        kind = current.get("/S")
        if kind == "/JavaScript" or "/JS" in current:
            risks.add("javascript")
        elif kind == "/Launch":
            risks.add("launch")
        elif automatic and kind != "/GoTo":
            risks.add("auto_action")
        pending.extend(_names(current.get("/Next")) or ([current["/Next"]] if "/Next" in current else []))
    return risks


def _additional_actions(holder: DictionaryObject) -> set[str]:
    """/AA: actions run on their own (opening a page, focusing a field, closing the document)."""
    aa = holder.get("/AA")
    aa = aa.get_object() if aa is not None else None
    if not isinstance(aa, DictionaryObject):
        return set()
    risks = {"auto_action"}
    for trigger in aa.values():
        risks |= _action_risks(trigger, automatic=True)
    return risks


def _object_risks(reader: PdfReader) -> set[str]:
    root = reader.root_object
    risks = set()
    if "/OpenAction" in root:
        risks |= _action_risks(root["/OpenAction"], automatic=True)
    risks |= _additional_actions(root)
    names = root.get("/Names")
    names = names.get_object() if names is not None else None
    if isinstance(names, DictionaryObject) and "/JavaScript" in names:
        risks.add("javascript")
    # Attached files are common (PDF/A-3 invoices carry their XML, scanners their OCR data); a
    # program among them is not.
    for filename, contents in reader.attachments.items():
        if _is_program_name(filename) or any(executable_kind(data[:64]) for data in contents):
            risks.add("embedded_program")
    for page in reader.pages:
        risks |= _additional_actions(page)
        for annotation in _names(page.get("/Annots")):
            annotation = annotation.get_object()
            if not isinstance(annotation, DictionaryObject):
                continue
            if annotation.get("/Subtype") == "/FileAttachment":
                spec = annotation.get("/FS")
                spec = spec.get_object() if spec is not None else None
                if isinstance(spec, DictionaryObject) and any(
                    _is_program_name(str(spec.get(key, ""))) for key in ("/F", "/UF")
                ):
                    risks.add("embedded_program")
            if "/A" in annotation:
                risks |= _action_risks(annotation["/A"], automatic=False)
            risks |= _additional_actions(annotation)
    return risks


def _open(stream) -> dict:
    reader = PdfReader(stream, strict=False)
    if reader.is_encrypted:
        return {"encrypted": True, "pages": 0, "risks": []}
    pages = len(reader.pages)
    risks = _object_risks(reader) if pages else set()
    return {"encrypted": False, "pages": pages, "risks": sorted(risks)}


def _readers(file, last: int | None):
    """pypdf readers of the file, most likely first: cut after the last `startxref` (when there is
    one), then whole; junk before the header counted in the offsets or not, as readers do."""
    file.seek(0)
    head = file.read(PDF_JUNK_ALLOWED + len(b"%PDF-"))
    header = max(head.find(b"%PDF-"), 0)
    size = os.fstat(file.fileno()).st_size
    end = _startxref_end(file, last) if last is not None else None
    for start in dict.fromkeys((header, 0)):
        if end is not None and end > start:
            yield _Window(file, start, end, b"\n%%EOF\n")
        yield _Window(file, start, size)


def pdf_report(path: str) -> dict:
    """{"encrypted", "pages", "risks"} for the PDF at `path`; pages is 0 when it doesn't open."""
    with open(path, "rb") as file:
        last, raw_risks = _scan(file)
        for stream in _readers(file, last):
            try:
                report = _open(stream)
            except DependencyError:
                # Raised while pypdf tries the empty password of an AES-encrypted PDF without a
                # crypto library installed: the file is encrypted either way.
                return {"encrypted": True, "pages": 0, "risks": []}
            except Exception as error:  # any pypdf error (and the odd ValueError/RecursionError)
                logger.info("pypdf could not open an uploaded PDF: %s: %s", type(error).__name__, error)
                continue
            if report["encrypted"]:
                return report
            if report["pages"]:
                report["risks"] = sorted(set(report["risks"]) | raw_risks)
                return report
    return {"encrypted": False, "pages": 0, "risks": []}


def pdf_text(path: str, max_pages: int) -> str:
    """The text of the first `max_pages` pages; "" when the PDF doesn't open or has none."""
    with open(path, "rb") as file:
        for stream in _readers(file, _scan(file)[0]):
            try:
                reader = PdfReader(stream, strict=False)
                if reader.is_encrypted and not reader.decrypt(""):
                    return ""
                pages = reader.pages[:max_pages]
            except Exception as error:  # any pypdf error, and the odd ValueError/RecursionError
                logger.info("pypdf could not open a stored PDF: %s: %s", type(error).__name__, error)
                continue
            texts = []
            for number, page in enumerate(pages, start=1):
                try:
                    texts.append(page.extract_text() or "")
                except Exception as error:
                    logger.info("pypdf could not read page %s of a stored PDF: %s", number, error)
            return "\n".join(texts)
    return ""


def pdf_page_count(path: str) -> int:
    import pypdfium2

    document = pypdfium2.PdfDocument(path)
    try:
        return len(document)
    finally:
        document.close()


def _png(width: int, height: int, channels: int, rows) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    colour = {1: 0, 3: 2, 4: 6}[channels]
    header = struct.pack(">IIBBBBB", width, height, 8, colour, 0, 0, 0)
    compressor = zlib.compressobj(6)
    data = b"".join(compressor.compress(b"\x00" + row) for row in rows) + compressor.flush()
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")


def render_page(path: str, index: int, width: int, max_height: int, out_path: str) -> None:
    """Writes page `index` (from 0) of the PDF at `path` as a PNG `width` pixels wide (narrower if
    the page is so tall that it would pass `max_height`). PDFium runs no JavaScript here."""
    import pypdfium2

    document = pypdfium2.PdfDocument(path)
    try:
        page = document[index]
        page_width, page_height = page.get_size()
        scale = min(width / page_width, max_height / page_height)
        bitmap = page.render(scale=scale, may_draw_forms=False, rev_byteorder=True)
        channels = {"L": 1, "RGB": 3, "RGBA": 4, "RGBX": 4}[bitmap.mode]
        buffer = bitmap.buffer
        rows = (
            bytes(buffer[y * bitmap.stride : y * bitmap.stride + bitmap.width * channels]) for y in range(bitmap.height)
        )
        png = _png(bitmap.width, bitmap.height, channels, rows)
    finally:
        document.close()
    with open(out_path, "wb") as out:
        out.write(png)


# --- Archives -----------------------------------------------------------------------------------


def archive_report(path: str) -> dict:
    """{"executable": member or None, "macros"}: the first member that is a program (by its name or
    its first bytes), and whether an Office file carries a VBA project. An archive that doesn't
    list counts as holding neither (nobody can open it either)."""
    executable, macros = None, False
    try:
        with zipfile.ZipFile(path) as archive:
            members = [m for m in archive.infolist() if not m.is_dir()]
            macros = any(m.filename.lower().rsplit("/", 1)[-1] == "vbaproject.bin" for m in members)
            for number, member in enumerate(members):
                if _is_program_name(member.filename):
                    executable = member.filename
                    break
                if number >= MAX_ARCHIVE_MEMBERS or member.flag_bits & 0x1:
                    continue  # past the limit, or encrypted: only the name can be checked
                with archive.open(member) as opened:
                    if executable_kind(opened.read(64)):
                        executable = member.filename
                        break
    except Exception as error:  # BadZipFile, truncated or inconsistent archives, bad compression
        logger.info("an uploaded archive could not be listed: %s: %s", type(error).__name__, error)
    return {"executable": executable, "macros": macros}
