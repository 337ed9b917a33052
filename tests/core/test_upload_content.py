"""Uploads whose shape or content is risky: huge tails on PDFs (accepted, at bounded cost), PDFs
that run code, macro-enabled Office files, compiled help, disk images, archives with programs, and
the sandbox that opens them. Pure unit tests: no database."""

import io
import time
import tracemalloc
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from pypdf import PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, NumberObject, TextStringObject

from registro.core.errors import ApplicationError, ErrorCode
from registro.core.files import check_uploaded_file, isolation
from tests.entities.conftest import pdf_bytes

MIB = 1024 * 1024


def refusal(uploaded) -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        check_uploaded_file(uploaded)
    error = caught.value
    assert error.detail["file"] in error.message
    return error


def on_disk(name: str, parts) -> TemporaryUploadedFile:
    """An upload the way Django keeps a large one: in a temporary file, written piece by piece."""
    uploaded = TemporaryUploadedFile(name, "application/octet-stream", 0, None)
    for part in parts:
        uploaded.write(part)
    uploaded.size = uploaded.tell()
    uploaded.seek(0)
    return uploaded


def padding(total: int, piece: bytes = b"\x00" * MIB):
    for _ in range(total // len(piece)):
        yield piece


def pdf_with(build) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)
    build(writer)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


# --- Big tails: lenient as readers, bounded in memory -------------------------------------------


def test_enorme_pdf_with_60_mb_after_startxref_is_accepted():
    # As some scanners write it: the document, its `startxref`, then 60 MB of data, then %%EOF.
    document = pdf_bytes(pages=2)
    body = document[: document.rindex(b"%%EOF")]
    uploaded = on_disk("enorme.pdf", [body, *padding(60 * MIB), b"\n%%EOF\n"])
    try:
        started = time.monotonic()
        checked = check_uploaded_file(uploaded, max_bytes=64 * MIB)
        assert checked.content_type == "application/pdf"
        assert checked.size > 60 * MIB
        assert time.monotonic() - started < 10
    finally:
        uploaded.close()


def test_checking_a_pdf_with_a_60_mb_trailing_comment_costs_bounded_memory():
    comment = b"%" + b"c" * (MIB - 2) + b"\n"
    uploaded = on_disk("escaneo.pdf", [pdf_bytes(), *padding(60 * MIB, comment)])
    try:
        tracemalloc.start()
        check_uploaded_file(uploaded, max_bytes=64 * MIB)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
        uploaded.close()
    assert peak < 4 * MIB, peak


def test_a_check_that_needs_too_much_memory_is_a_refusal_not_a_dead_worker():
    with pytest.raises(isolation.IsolationFailed):
        isolation.run(bytearray, 1024 * MIB, memory_bytes=512 * MIB)


def test_a_check_that_takes_too_long_is_stopped():
    started = time.monotonic()
    with pytest.raises(isolation.IsolationFailed):
        isolation.run(time.sleep, 30, timeout=1)
    assert time.monotonic() - started < 5


# --- PDFs that run things -----------------------------------------------------------------------


def _document_javascript(writer):
    action = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert('hola')")}
    )
    tree = DictionaryObject({NameObject("/Names"): ArrayObject([TextStringObject("js"), writer._add_object(action)])})
    writer._root_object[NameObject("/Names")] = DictionaryObject({NameObject("/JavaScript"): writer._add_object(tree)})


def _javascript_open_action(writer):
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject("app.alert('hola')")}
    )


def _launch_link(writer):
    action = DictionaryObject({NameObject("/S"): NameObject("/Launch"), NameObject("/F"): TextStringObject("calc.exe")})
    link = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Link"),
            NameObject("/Rect"): ArrayObject([NumberObject(0), NumberObject(0), NumberObject(100), NumberObject(100)]),
            NameObject("/A"): action,
        }
    )
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(link)])


def _uri_open_action(writer):
    writer._root_object[NameObject("/OpenAction")] = DictionaryObject(
        {NameObject("/S"): NameObject("/URI"), NameObject("/URI"): TextStringObject("https://example.com/")}
    )


def _page_open_action(writer):
    page_actions = DictionaryObject(
        {
            NameObject("/O"): DictionaryObject(
                {NameObject("/S"): NameObject("/SubmitForm"), NameObject("/F"): TextStringObject("https://x.example/")}
            )
        }
    )
    writer.pages[0][NameObject("/AA")] = page_actions


@pytest.mark.parametrize(
    ("build", "code", "words"),
    [
        (_document_javascript, ErrorCode.FILE_PDF_JAVASCRIPT, "JavaScript"),
        (_javascript_open_action, ErrorCode.FILE_PDF_JAVASCRIPT, "JavaScript"),
        (_launch_link, ErrorCode.FILE_PDF_LAUNCH, "/Launch"),
        (_uri_open_action, ErrorCode.FILE_PDF_AUTO_ACTION, "/OpenAction"),
        (_page_open_action, ErrorCode.FILE_PDF_AUTO_ACTION, "automáticas"),
        (lambda w: w.add_attachment("factura.exe", b"MZ" + b"\x00" * 62), ErrorCode.FILE_PDF_EMBEDDED_PROGRAM, "programa"),
        (lambda w: w.add_attachment("datos.xml", b"MZ\x90\x00" + b"\x00" * 60), ErrorCode.FILE_PDF_EMBEDDED_PROGRAM, "programa"),
    ],
    ids=["names-javascript", "open-action-javascript", "launch", "open-action-uri", "page-aa", "exe-attached", "pe-attached"],
)  # fmt: skip
def test_pdf_that_runs_things_is_refused(build, code, words):
    error = refusal(upload("acta.pdf", pdf_with(build)))
    assert error.code == code
    assert words in error.message


def test_open_action_that_only_sets_the_first_view_is_fine():
    def first_page_fit(writer):
        writer.open_destination = writer.pages[0]

    content = pdf_with(first_page_fit)
    assert b"/OpenAction" in content
    assert check_uploaded_file(upload("acta.pdf", content)).content_type == "application/pdf"


def test_pdf_with_an_xml_attachment_is_fine():
    content = pdf_with(lambda w: w.add_attachment("factura.xml", b"<Invoice/>"))
    assert check_uploaded_file(upload("factura.pdf", content)).content_type == "application/pdf"


# --- Office macros, compiled help, disk images, archives ----------------------------------------


def zip_bytes(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


DOCM = zip_bytes({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>", "word/vbaProject.bin": b"\x00"})


@pytest.mark.parametrize("name", ["acta.docm", "presupuesto.xlsm", "presentacion.pptm", "ACTA.DOCM"])
def test_macro_enabled_office_files_are_refused_by_name(name):
    error = refusal(upload(name, DOCM))
    assert error.code == ErrorCode.FILE_OFFICE_MACROS
    assert "macros" in error.message


def test_macros_in_a_file_renamed_docx_are_refused():
    error = refusal(upload("acta.docx", DOCM))
    assert error.code == ErrorCode.FILE_OFFICE_MACROS


def test_macros_in_a_word_97_document_are_refused():
    ole2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "_VBA_PROJECT".encode("utf-16-le") + b"\x00" * 200
    error = refusal(upload("acta.doc", ole2))
    assert error.code == ErrorCode.FILE_OFFICE_MACROS


def test_compiled_help_is_refused():
    error = refusal(upload("manual.chm", b"ITSF\x03\x00\x00\x00" + b"\x00" * 100))
    assert error.code == ErrorCode.FILE_COMPILED_HELP
    assert "ayuda de Windows" in error.message


@pytest.mark.parametrize("name", ["anexos.iso", "anexos.img", "disco.vhdx"])
def test_disk_images_are_refused(name):
    error = refusal(upload(name, b"\x00" * 32768 + b"\x01CD001"))
    assert error.code == ErrorCode.FILE_DISK_IMAGE
    assert "imágenes de disco" in error.message


@pytest.mark.parametrize(
    ("members", "member"),
    [
        ({"acta.pdf": pdf_bytes(), "instalar.exe": b"MZ" + b"\x00" * 62}, "instalar.exe"),
        ({"anexos/leeme.vbs": b"MsgBox 1"}, "anexos/leeme.vbs"),
        ({"acta.pdf": b"MZ\x90\x00\x03" + b"\x00" * 59}, "acta.pdf"),  # a program named .pdf
        ({"bin/herramienta": b"\x7fELF\x02\x01\x01" + b"\x00" * 57}, "bin/herramienta"),
    ],
    ids=["exe", "script", "pe-named-pdf", "elf"],
)
def test_archive_with_a_program_inside_is_refused(members, member):
    error = refusal(upload("anexos.zip", zip_bytes(members)))
    assert error.code == ErrorCode.FILE_ARCHIVE_EXECUTABLE
    assert error.detail["member"] == member
    assert member in error.message


def test_archive_of_documents_is_fine():
    content = zip_bytes({"acta.pdf": pdf_bytes(), "datos/nomina.csv": b"a;b\n"})
    assert check_uploaded_file(upload("anexos.zip", content)).content_type == "application/zip"
