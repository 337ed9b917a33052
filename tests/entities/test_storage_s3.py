"""Documents through an S3-compatible store, configured by DOCUMENT_STORAGE=s3 (moto stands in for
the store, in process)."""

import os
import subprocess
import sys

import boto3
import pytest
from moto import mock_aws

from registro.entities.registration import services
from registro.entities.registration.models import RegistroEntidad
from tests.entities.conftest import pdf_bytes, pdf_upload

pytestmark = pytest.mark.django_db

S3_STORAGE = {
    "BACKEND": "storages.backends.s3.S3Storage",
    "OPTIONS": {"bucket_name": "documentos-secop", "region_name": "us-east-1", "file_overwrite": False},
}


@pytest.fixture
def s3(settings, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket="documentos-secop")
        settings.STORAGES = {**settings.STORAGES, "default": S3_STORAGE}
        yield client


def test_an_attached_document_is_stored_in_the_bucket_and_read_back(s3, user):
    registro = RegistroEntidad.objects.create(usuario=user, datos={})
    documento = services.documento_attach(registro=registro, tipo="rut", uploaded=pdf_upload("rut.pdf"), user=user)
    [obj] = s3.list_objects_v2(Bucket="documentos-secop")["Contents"]
    assert obj["Key"] == documento.archivo.name and obj["Size"] == documento.tamano
    with documento.archivo.open("rb") as handle:
        assert handle.read() == pdf_bytes()


def test_settings_choose_s3_from_the_environment(tmp_path):
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "x",
        "VAR_DIR": str(tmp_path),
        "DOCUMENT_STORAGE": "s3",
        "AWS_STORAGE_BUCKET_NAME": "documentos",
        "AWS_S3_ENDPOINT_URL": "http://127.0.0.1:9000",
    }
    code = "from config import settings as s; o = s.STORAGES['default']; print(o['BACKEND'], o['OPTIONS']['bucket_name'], o['OPTIONS']['endpoint_url'])"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert out.split() == ["storages.backends.s3.S3Storage", "documentos", "http://127.0.0.1:9000"]
    env["DOCUMENT_STORAGE"] = "ftp"
    refused = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert refused.returncode != 0 and "DOCUMENT_STORAGE" in refused.stderr
