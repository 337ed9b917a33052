"""Downloads from S3-compatible storage go through short-lived signed URLs: the access checks and
the download record happen first, then a redirect to a presigned URL (DOCUMENT_URL_EXPIRY_SECONDS)
whose response is an attachment with the document's name and type. moto stands in for the store."""

import json
import subprocess
import sys
from urllib.parse import parse_qs, urlsplit

import boto3
import pytest
import requests
from django.test import Client
from moto import mock_aws

from registro.entities.directory.models import DescargaDocumento
from tests.entities.directory_data import cuenta, documento
from tests.factories import MembresiaFactory

pytestmark = pytest.mark.django_db

BUCKET = "documentos-secop"
S3_STORAGE = {
    "BACKEND": "storages.backends.s3.S3Storage",
    "OPTIONS": {
        "bucket_name": BUCKET,
        "region_name": "us-east-1",
        "file_overwrite": False,
        "querystring_auth": True,
        "signature_version": "s3v4",
    },
}


@pytest.fixture
def s3(settings, monkeypatch, reference_data):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket=BUCKET)
        settings.STORAGES = {**settings.STORAGES, "default": S3_STORAGE}
        settings.DOCUMENT_SIGNED_URLS = True
        settings.DOCUMENT_URL_EXPIRY_SECONDS = 60
        yield client


@pytest.fixture
def reader():
    client = Client()
    entidad = cuenta("ALCALDIA DE MEDELLIN", tipo="entidad_estatal", municipio="05001")
    client.force_login(MembresiaFactory(entidad=entidad, rol="comprador").usuario)
    return client


@pytest.fixture
def perfil():
    return cuenta("COMPUTADORES DEL SUR SAS", nit="900123456", municipio="05001")


def signed(response) -> dict:
    assert response.status_code == 302, response
    assert response["Cache-Control"] == "private, no-store"
    url = urlsplit(response["Location"])
    query = {key: values[0] for key, values in parse_qs(url.query).items()}
    assert BUCKET in url.netloc + url.path
    return query


@pytest.mark.parametrize("path", ["/directorio/documentos/{pk}/", "/api/v1/directorio/documentos/{pk}/archivo"])
def test_a_download_is_recorded_then_redirected_to_a_short_lived_signed_url(s3, reader, perfil, path):
    doc = documento(perfil, "rut")
    response = reader.get(path.format(pk=doc.pk))
    query = signed(response)
    assert query["X-Amz-Expires"] == "60" and "X-Amz-Signature" in query
    assert query["response-content-disposition"] == 'attachment; filename="rut-v1.pdf"'
    assert query["response-content-type"] == "application/pdf"
    assert DescargaDocumento.objects.filter(documento=doc).count() == 1
    fetched = requests.get(response["Location"], timeout=10)
    assert fetched.status_code == 200 and fetched.content.startswith(b"%PDF")
    assert fetched.headers["Content-Disposition"] == query["response-content-disposition"]


def test_the_expiry_is_configurable(s3, reader, perfil, settings):
    settings.DOCUMENT_URL_EXPIRY_SECONDS = 15
    doc = documento(perfil, "rut")
    assert signed(reader.get(f"/directorio/documentos/{doc.pk}/"))["X-Amz-Expires"] == "15"


def test_no_signed_url_for_a_document_the_reader_may_not_see(s3, reader, perfil):
    privado = documento(perfil, "estados_financieros", visibilidad="privado")
    assert reader.get(f"/directorio/documentos/{privado.pk}/").status_code == 404
    assert reader.get(f"/api/v1/directorio/documentos/{privado.pk}/archivo").status_code == 404
    assert not DescargaDocumento.objects.exists()


def test_a_missing_file_is_not_signed_nor_recorded(s3, reader, perfil):
    doc = documento(perfil, "rut")
    s3.delete_object(Bucket=BUCKET, Key=doc.archivo.name)
    with pytest.raises(FileNotFoundError):
        reader.get(f"/directorio/documentos/{doc.pk}/")
    assert not DescargaDocumento.objects.exists()


def test_with_signed_urls_off_the_file_streams_through_the_app(s3, reader, perfil, settings):
    settings.DOCUMENT_SIGNED_URLS = False
    doc = documento(perfil, "rut")
    response = reader.get(f"/directorio/documentos/{doc.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")


def test_signed_urls_are_on_by_default_with_s3_storage(tmp_path):
    code = (
        "import json, config.settings as s; o = s.STORAGES['default'].get('OPTIONS', {}); "
        "print(json.dumps([s.DOCUMENT_SIGNED_URLS, s.DOCUMENT_URL_EXPIRY_SECONDS, o.get('signature_version')]))"
    )
    base = {"DEBUG": "0", "SECRET_KEY": "x", "VAR_DIR": str(tmp_path), "PATH": "/usr/bin:/bin"}

    def read(**env):
        out = subprocess.run([sys.executable, "-c", code], env={**base, **env}, capture_output=True, text=True)
        return json.loads(out.stdout)

    assert read(DOCUMENT_STORAGE="s3", AWS_STORAGE_BUCKET_NAME="d") == [True, 60, "s3v4"]
    assert read(DOCUMENT_STORAGE="s3", DOCUMENT_URL_EXPIRY_SECONDS="30") == [True, 30, "s3v4"]
    assert read(DOCUMENT_STORAGE="filesystem") == [False, 60, None]
