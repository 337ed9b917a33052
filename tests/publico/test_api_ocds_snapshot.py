"""The public API (visibility, 304, the anonymous rate limit), the OCDS parties validated offline
against the vendored 1.1.5 schema, and the daily snapshot on disk and on S3."""

import csv
import gzip
import hashlib
import io
import json

import boto3
import jsonschema
import pytest
from django.core.files.storage import storages
from django.core.management import call_command
from django.test import Client
from moto import mock_aws

from registro.publico import ocds, snapshots
from registro.publico.models import Instantanea
from tests.factories import DeskUserFactory, MembresiaFactory

pytestmark = pytest.mark.django_db


def api(entidad, client=None, **headers):
    return (client or Client()).get(f"/api/v1/publico/cuentas/{entidad.pk}", headers=headers)


def test_the_api_gives_one_account_with_its_public_fields(mundo):
    response = api(mundo.empresa)
    assert response.status_code == 200
    data = response.json()
    assert data["nombre"] == mundo.empresa.nombre and data["nit"] == mundo.empresa.nit
    assert data["codigo_categoria_principal"] == "43210000"
    assert [a["codigo"] for a in data["areas_interes"]] == ["43210000", "81110000"]
    assert [h["tipo"] for h in data["historial"]] == ["registrada", "activada"]
    for private in ("n_mero_doc_representante_legal", "telefono_representante_legal", "datos_financieros"):
        assert private not in data
    assert "public" in response["Cache-Control"]
    assert api(mundo.empresa, **{"If-None-Match": response["ETag"]}).status_code == 304


def test_the_api_answers_the_caller_at_their_level(mundo):
    desk = Client()
    desk.force_login(DeskUserFactory())
    data = api(mundo.persona, desk).json()
    assert data["documento_persona"] == "Cédula de ciudadanía 52987654"
    assert "private" in api(mundo.persona, desk)["Cache-Control"]
    buyer = Client()
    buyer.force_login(MembresiaFactory(entidad=mundo.alcaldia).usuario)
    data = api(mundo.persona, buyer).json()
    assert data["telefono"] == "3105550101" and "documento_persona" not in data and "nit" not in data


def test_an_unknown_or_malformed_account_is_a_404_in_the_envelope(mundo):
    for value in ("999999999", "abc", "99999999999999999999999"):
        response = Client().get(f"/api/v1/publico/cuentas/{value}")
        assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_anonymous_clients_are_limited_per_ip_with_retry_after(mundo, settings):
    settings.RATE_LIMIT_PUBLIC_API = "3/m/ip"
    client = Client(REMOTE_ADDR="203.0.113.7")
    assert [api(mundo.empresa, client).status_code for _ in range(3)] == [200, 200, 200]
    refused = api(mundo.empresa, client)
    assert refused.status_code == 429
    assert refused.json()["code"] == "too_many_attempts" and "Espere" in refused.json()["message"]
    assert 1 <= int(refused["Retry-After"]) <= 60
    # Another address has its own budget; a logged-in user is not counted.
    assert api(mundo.empresa, Client(REMOTE_ADDR="203.0.113.8")).status_code == 200
    client.force_login(MembresiaFactory(entidad=mundo.alcaldia).usuario)
    assert api(mundo.empresa, client).status_code == 200


def test_the_limit_can_be_turned_off(mundo, settings):
    settings.RATE_LIMIT_PUBLIC_API = ""
    client = Client(REMOTE_ADDR="203.0.113.9")
    assert {api(mundo.empresa, client).status_code for _ in range(5)} == {200}


# --- OCDS -----------------------------------------------------------------------------------------


def parties(**params):
    response = Client().get("/datos/ocds/parties.json", params)
    assert response.status_code == 200
    return json.loads(b"".join(response.streaming_content))


def test_every_party_validates_against_the_ocds_1_1_5_organization_schema(mundo):
    document = parties()
    assert document["version"] == "1.1" and document["extensions"] == [ocds.SCALE_EXTENSION_URL]
    validator = jsonschema.Draft4Validator(ocds.organization_schema())
    assert len(document["parties"]) == len(mundo.publicas)
    for party in document["parties"]:
        errors = sorted(validator.iter_errors(party), key=str)
        assert errors == [], (party, errors)


def test_the_validation_can_fail(mundo):
    validator = jsonschema.Draft4Validator(ocds.organization_schema())
    assert not validator.is_valid({"id": "CO-NIT-1", "details": {"scale": "enorme"}})
    assert not validator.is_valid({"id": 5})
    assert not validator.is_valid({"id": "x", "address": {"locality": 3}})


def test_parties_have_the_ocds_identifiers_roles_and_scale(mundo):
    by_name = {p["name"]: p for p in parties()["parties"]}
    empresa = by_name[mundo.empresa.nombre]
    assert empresa["id"] == f"CO-NIT-{mundo.empresa.nit}"
    assert empresa["identifier"] == {"scheme": "CO-NIT", "id": mundo.empresa.nit, "legalName": mundo.empresa.nombre}
    assert empresa["roles"] == ["supplier"] and empresa["details"] == {"scale": "sme"}
    assert empresa["contactPoint"]["email"] == "notificaciones@andinas.com.co"
    assert empresa["address"]["countryName"] == "Colombia" and empresa["address"]["streetAddress"]
    assert by_name[mundo.alcaldia.nombre]["roles"] == ["buyer"] and "details" not in by_name[mundo.alcaldia.nombre]
    hospital = by_name[mundo.hospital.nombre]
    assert hospital["roles"] == ["buyer", "supplier"] and hospital["details"] == {"scale": "large"}
    persona = by_name[mundo.persona.nombre]
    # A natural person's NIT is their cédula: the party is named by the account number instead.
    assert persona["id"] == f"CO-RS-{mundo.persona.pk}" and persona["identifier"] == {"legalName": mundo.persona.nombre}
    assert "contactPoint" not in persona and "streetAddress" not in persona["address"]
    assert persona["details"] == {"scale": "micro"}


def test_the_vendored_schema_is_ocds_1_1_5_with_its_licence():
    schema = ocds.release_schema()
    assert schema["id"].endswith("/1__1__5/release-schema.json")
    assert "scale" in schema["definitions"]["Organization"]["properties"]["details"]["properties"]
    licence = (ocds.SCHEMA_DIR / "LICENSE-ocds-standard").read_text()
    assert "Apache License" in licence and "Open Contracting Partnership" in licence
    assert "Apache License" in (ocds.SCHEMA_DIR / "LICENSE-partyDetails_scale").read_text()


# --- Snapshot -------------------------------------------------------------------------------------


def live(path):
    return b"".join(Client().get(path).streaming_content)


def check_snapshot(storage, written):
    assert {i.archivo for i in written} == set(Instantanea.Archivo.values)
    for instantanea in written:
        with storage.open(instantanea.nombre, "rb") as handle:
            raw = handle.read()
        assert len(raw) == instantanea.tamano and hashlib.sha256(raw).hexdigest() == instantanea.sha256
        path = {"ocds-parties.json": "/datos/ocds/parties.json"}.get(
            instantanea.archivo, f"/datos/{instantanea.archivo}"
        )
        assert gzip.decompress(raw) == live(path)
    rows = {i.archivo: i.filas for i in written}
    assert rows["proveedores.csv"] == rows["proveedores.json"] == 4 and rows["entidades.csv"] == 2
    assert rows["ocds-parties.json"] == 5


def test_the_snapshot_on_disk_matches_the_live_files(mundo):
    written = snapshots.snapshot_write()
    storage = storages["open_data"]
    check_snapshot(storage, written)
    # The page offers it with its date, size and SHA-256, and serves it.
    html = Client().get("/datos/").content.decode()
    proveedores = Instantanea.objects.get(archivo="proveedores.csv")
    assert proveedores.sha256 in html and "/datos/instantaneas/proveedores.csv.gz" in html
    response = Client().get("/datos/instantaneas/proveedores.csv.gz")
    assert response.status_code == 200 and response["Content-Type"] == "application/gzip"
    header = next(csv.reader(io.StringIO(gzip.decompress(b"".join(response.streaming_content)).decode())))
    assert len(header) == 25
    assert Client().get("/datos/instantaneas/otro.csv.gz").status_code == 404


def test_a_second_run_the_same_day_replaces_the_files_and_old_ones_are_pruned(mundo):
    import datetime

    old_day = datetime.date(2026, 1, 1)
    old = snapshots.snapshot_write(fecha=old_day)
    storage = storages["open_data"]
    assert all(storage.exists(i.nombre) for i in old)
    first = snapshots.snapshot_write()
    again = snapshots.snapshot_write()
    assert [i.pk for i in first] == [i.pk for i in again]
    assert Instantanea.objects.count() == len(Instantanea.Archivo.values)
    assert not any(storage.exists(i.nombre) for i in old)


def test_the_command_writes_the_snapshot(mundo):
    out = io.StringIO()
    call_command("open_data_snapshot", stdout=out)
    assert "proveedores.csv.gz" in out.getvalue() and Instantanea.objects.count() == 5


def test_the_task_writes_the_snapshot(mundo):
    from registro.publico.tasks import open_data_snapshot

    result = open_data_snapshot.enqueue()  # the immediate backend in tests
    assert {r["archivo"] for r in result.return_value} == set(Instantanea.Archivo.values)


def test_a_failed_store_records_nothing(mundo, monkeypatch):
    storage = storages["open_data"]

    def broken(*args, **kwargs):
        raise OSError("disco lleno")

    monkeypatch.setattr(type(storage), "save", broken)
    with pytest.raises(OSError):
        snapshots.snapshot_write(storage=storage)
    assert Instantanea.objects.count() == 0


def test_the_snapshot_in_an_s3_bucket(mundo, settings, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    with mock_aws():
        client = boto3.client("s3", region_name="us-east-1")
        client.create_bucket(Bucket="datos-abiertos-secop")
        settings.STORAGES = {
            **settings.STORAGES,
            "open_data": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {
                    "bucket_name": "datos-abiertos-secop",
                    "region_name": "us-east-1",
                    "location": "datos-abiertos",
                    "file_overwrite": True,
                },
            },
        }
        written = snapshots.snapshot_write()
        keys = {o["Key"]: o["Size"] for o in client.list_objects_v2(Bucket="datos-abiertos-secop")["Contents"]}
        for instantanea in written:
            assert keys[f"datos-abiertos/{instantanea.nombre}"] == instantanea.tamano
        check_snapshot(storages["open_data"], written)
        response = Client().get("/datos/instantaneas/entidades.json.gz")
        assert response.status_code == 200
        assert len(json.loads(gzip.decompress(b"".join(response.streaming_content)))) == 2


def test_settings_choose_the_snapshot_storage_from_the_environment(tmp_path):
    import os
    import subprocess
    import sys

    env = {**os.environ, "DEBUG": "0", "SECRET_KEY": "x", "VAR_DIR": str(tmp_path), "OPEN_DATA_STORAGE": "s3"}
    env |= {"AWS_STORAGE_BUCKET_NAME": "documentos", "OPEN_DATA_BUCKET": "abiertos"}
    code = "from config import settings as s; o = s.STORAGES['open_data']; print(o['BACKEND'], o['OPTIONS']['bucket_name'], o['OPTIONS']['location'])"
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert out.split() == ["storages.backends.s3.S3Storage", "abiertos", "datos-abiertos"]
    env["OPEN_DATA_STORAGE"] = "ftp"
    refused = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert refused.returncode != 0 and "OPEN_DATA_STORAGE" in refused.stderr
