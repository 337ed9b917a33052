"""Two members of a supplier account acting at the same moment: the account's row lock makes the
second one see what the first did. Two library uploads with the same type and title both pass the
first check (made before the file is stored, outside any transaction): exactly one document is
added, the other gets the duplicate-title refusal and its stored file is removed. Two requests to
change the NIT: exactly one case, the other refused with nothing saved (not even its other fields).
On PostgreSQL both really run at once; on SQLite writes serialise and meet the same rules."""

import os
import threading

import pytest
from django.db import close_old_connections, connection
from django.test import Client

from registro.entities.account.models import Entidad, EventoEntidad
from registro.entities.registration.models import Documento
from registro.entities.supplier import library
from registro.servicedesk.models import Caso
from tests.entities.conftest import pdf_upload
from tests.entities.supplier_world import API

pytestmark = pytest.mark.django_db(transaction=True)


def race(calls, barrier):
    results, failures = {}, []

    def run(i):
        try:
            results[i] = calls[i]()
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)
            barrier.abort()
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a call hung"
    assert not failures, failures
    return results


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_two_uploads_with_the_same_title_add_one_document(world, monkeypatch, settings):
    barrier = threading.Barrier(2)
    checked = set()
    original = library._duplicate

    def duplicate_then_wait(entidad, tipo, titulo):
        found = original(entidad, tipo, titulo)
        me = threading.get_ident()
        if me not in checked:  # the first check, before the file is stored
            checked.add(me)
            assert found is None
            barrier.wait(timeout=15)
        return found

    monkeypatch.setattr(library, "_duplicate", duplicate_then_wait)
    data = {"tipo": "experiencia", "titulo": "Contrato Metro 2024", "visibilidad": "directorio"}
    calls = [
        lambda user=user: client_of(user).post(f"{API}/entidad/biblioteca", {**data, "archivo": pdf_upload()})
        for user in (world.admin, world.bibliotecario)
    ]
    results = race(calls, barrier)
    assert len(checked) == 2 and not barrier.broken
    assert sorted(r.status_code for r in results.values()) == [201, 400]
    refused = next(r for r in results.values() if r.status_code == 400).json()
    assert "Ya hay un documento «Experiencia» con el título «Contrato Metro 2024»" in refused["message"]
    assert Documento.objects.filter(entidad=world.proveedor).count() == 1
    files = [os.path.join(root, f) for root, _dirs, names in os.walk(settings.MEDIA_ROOT) for f in names]
    assert len(files) == 1
    assert EventoEntidad.objects.filter(tipo=EventoEntidad.Tipo.DOCUMENTO_AGREGADO).count() == 1


def test_two_nit_change_requests_open_one_case(world):
    barrier = threading.Barrier(2)

    def ask(user, telefono):
        barrier.wait(timeout=15)
        return client_of(user).patch(
            f"{API}/entidad/perfil", {"nit": "900123457", "telefono": telefono}, content_type="application/json"
        )

    results = race([lambda: ask(world.admin, "3001111111"), lambda: ask(world.editor, "3002222222")], barrier)
    assert sorted(r.status_code for r in results.values()) == [202, 409]
    winner = next(i for i, r in results.items() if r.status_code == 202)
    caso = Caso.objects.get()
    assert results[winner].json()["caso"] == caso.numero
    entidad = Entidad.objects.get(pk=world.proveedor.pk)
    assert entidad.telefono == ("3001111111", "3002222222")[winner]  # only the winner's phone
    assert entidad.nit == "900123456"
    assert EventoEntidad.objects.filter(tipo=EventoEntidad.Tipo.PERFIL_EDITADO).count() == 1
