"""Upload size limits while the request arrives: a declared Content-Length over the limit is
answered 413 before the body is read, and a file that passes the limit while streaming stops the
upload there, with nothing stored. Through the API (JSON envelope) and the registration page."""

import os

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from registro.entities.registration.models import Documento
from tests.entities.conftest import pdf_bytes

pytestmark = pytest.mark.django_db

MIB = 1024 * 1024
API = "/api/v1/entidades/registros"


class GuardedInput:
    """wsgi.input that serves `body` and counts what is read; fails past `allowed` bytes."""

    def __init__(self, body: bytes = b"", allowed: int = 0):
        self.body, self.allowed, self.read_bytes = body, allowed, 0

    def read(self, size=-1):
        size = len(self.body) - self.read_bytes if size is None or size < 0 else size
        data = self.body[self.read_bytes : self.read_bytes + size]
        self.read_bytes += len(data)
        assert self.read_bytes <= self.allowed, f"read {self.read_bytes} bytes of the body"
        return data

    def readline(self, size=-1):
        return self.read(size)


@pytest.fixture
def client(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def registro_id(client, pre_data):
    response = client.post(API, pre_data, content_type="application/json")
    assert response.status_code == 201
    return response.json()["id"]


def stored_files(settings) -> list[str]:
    return [os.path.join(root, f) for root, _dirs, files in os.walk(settings.MEDIA_ROOT) for f in files]


def post_raw(client, path, body: bytes, wsgi_input, declared: int | None = None):
    return client.generic(
        "POST",
        path,
        CONTENT_TYPE=MULTIPART_CONTENT,
        CONTENT_LENGTH=str(len(body) if declared is None else declared),
        **{"wsgi.input": wsgi_input},
    )


def test_api_refuses_a_declared_20_gib_upload_before_reading_it(client, registro_id, settings):
    guard = GuardedInput(allowed=0)
    response = post_raw(client, f"{API}/{registro_id}/documentos", b"", guard, declared=20 * 1024 * MIB)
    assert response.status_code == 413
    body = response.json()
    assert body["code"] == "file_too_large"
    assert "supera el tamaño máximo permitido" in body["message"]
    assert body["detail"]["max_bytes"] == settings.UPLOAD_REQUEST_MAX_BYTES
    assert guard.read_bytes == 0
    assert not Documento.objects.exists()


def test_page_refuses_a_declared_20_gib_upload_with_a_readable_page(client, registro_id):
    guard = GuardedInput(allowed=0)
    response = post_raw(client, f"/entidades/registro/{registro_id}/", b"", guard, declared=20 * 1024 * MIB)
    assert response.status_code == 413
    assert response["Content-Type"].startswith("text/html")
    text = response.content.decode()
    assert "Archivo demasiado grande" in text
    assert "supera el tamaño máximo permitido" in text
    assert guard.read_bytes == 0


def big_upload_body(name: str, size: int) -> bytes:
    content = pdf_bytes() + b"\x00" * size
    return encode_multipart(BOUNDARY, {"tipo": "rut", "archivo": SimpleUploadedFile(name, content)})


def test_api_stops_reading_a_file_as_soon_as_it_passes_the_limit(client, registro_id, settings):
    settings.DOCUMENT_MAX_BYTES = 1 * MIB
    body = big_upload_body("escaneo enorme.pdf", 8 * MIB)
    guard = GuardedInput(body, allowed=2 * MIB)  # fails the test if the parser reads on
    response = post_raw(client, f"{API}/{registro_id}/documentos", body, guard)
    assert response.status_code == 413
    payload = response.json()
    assert payload["code"] == "file_too_large"
    assert payload["detail"] == {"file": "escaneo enorme.pdf", "max_bytes": MIB}
    assert "«escaneo enorme.pdf» supera el tamaño máximo permitido de 1,0\xa0MB" in payload["message"]
    assert guard.read_bytes < 2 * MIB
    assert not Documento.objects.exists()
    assert stored_files(settings) == []


def test_page_stops_reading_a_file_as_soon_as_it_passes_the_limit(client, registro_id, settings):
    settings.DOCUMENT_MAX_BYTES = 1 * MIB
    content = pdf_bytes() + b"\x00" * (8 * MIB)
    body = encode_multipart(BOUNDARY, {"accion": "guardar", "archivo_rut": SimpleUploadedFile("rut.pdf", content)})
    guard = GuardedInput(body, allowed=2 * MIB)
    response = post_raw(client, f"/entidades/registro/{registro_id}/", body, guard)
    assert response.status_code == 413
    assert "«rut.pdf» supera el tamaño máximo permitido" in response.content.decode()
    assert not Documento.objects.exists()
    assert stored_files(settings) == []


def test_a_file_within_the_limit_still_goes_through(client, registro_id, settings):
    settings.DOCUMENT_MAX_BYTES = 1 * MIB
    body = encode_multipart(BOUNDARY, {"tipo": "rut", "archivo": _pdf_file("rut.pdf")})
    response = post_raw(client, f"{API}/{registro_id}/documentos", body, GuardedInput(body, allowed=len(body)))
    assert response.status_code == 201, response.content
    assert Documento.objects.count() == 1


def _pdf_file(name):
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")
