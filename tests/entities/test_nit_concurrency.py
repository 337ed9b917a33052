"""Two people finalising two different registrations of the same NIT at the same moment: the
database's unique NIT lets exactly one entity through, and the other registration gets a clear
error and keeps nothing half-saved (no entity, no membership, no e-mail; its draft and documents are
still its own).

To make the race real, both "Finalizar" calls pass validation (the NIT is free for both) before
either inserts: the verification waits on a barrier once both threads have validated. On
PostgreSQL both inserts then really run concurrently and the unique index decides; on SQLite
writes serialise (IMMEDIATE transactions), so the second insert runs after the first commits and
meets the same constraint.

Also here: the same draft finalised twice at once (a double click), which must not end in a 500."""

import threading

import pytest
from django.core import mail
from django.db import close_old_connections, connection
from django.test import Client

from registro.entities.account.models import Entidad
from registro.entities.membership.models import Membresia
from registro.entities.registration import services
from registro.entities.registration.models import Documento, RegistroEntidad
from registro.notifications.models import OutboundEmail
from tests.entities.conftest import MANDATORY, pdf_upload
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

NIT = "890905211"


def draft(user, pre_data, entidad_data, correo) -> RegistroEntidad:
    registro = services.registro_create(user=user, data=pre_data)
    services.registro_update(registro=registro, data={**entidad_data, "correo_notificaciones": correo})
    for tipo in MANDATORY:
        services.documento_attach(registro=registro, tipo=tipo, uploaded=pdf_upload(f"{tipo}.pdf"), user=user)
    return registro


def finalize_api(client: Client, registro: RegistroEntidad):
    response = client.post(f"/api/v1/entidades/registros/{registro.pk}/finalizar")
    return response.status_code, response.json()


def finalize_web(client: Client, registro: RegistroEntidad):
    # The browser sends the whole form again with "Finalizar".
    response = client.post(f"/entidades/registro/{registro.pk}/", {**registro.datos, "accion": "finalizar"})
    return response.status_code, response.content.decode()


@pytest.mark.parametrize("finalize", [finalize_api, finalize_web], ids=["api", "web"])
def test_simultaneous_finalizar_of_the_same_nit_creates_exactly_one_entity(
    monkeypatch, reference_data, pre_data, entidad_data, finalize
):
    users = [UserFactory(), UserFactory()]
    drafts = [
        draft(user, pre_data, entidad_data, correo=f"contratacion{i}@medellin.gov.co") for i, user in enumerate(users)
    ]
    barrier = threading.Barrier(2)
    validated = set()
    original = services.registro_verify

    def verify_then_wait(**kwargs):
        result = original(**kwargs)
        me = threading.get_ident()
        if me not in validated:  # only "Finalizar"'s own check; the web page re-verifies to show errors
            validated.add(me)
            assert result.ok, result.errors  # the NIT is still free for both
            barrier.wait(timeout=15)
        return result

    monkeypatch.setattr(services, "registro_verify", verify_then_wait)
    results: dict[int, tuple] = {}
    failures: list[BaseException] = []

    def run(i):
        try:
            client = Client()
            client.force_login(users[i])
            results[i] = finalize(client, drafts[i])
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)
            barrier.abort()
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a finalize call hung"
    assert not failures, failures
    assert len(validated) == 2 and not barrier.broken  # both validated before either inserted

    entidad = Entidad.objects.get(nit=NIT)
    assert Entidad.objects.count() == 1
    winner = [registro.pk for registro in drafts].index(entidad.registro.pk)
    loser = 1 - winner
    status, body = results[loser]
    if finalize is finalize_api:
        assert results[winner][0] == 201, results[winner]
        assert status == 409, body
        assert body["code"] == "entidad_nit_registrado"
        assert "NIT 890905211" in body["message"] and "solicite acceso" in body["message"]
        assert body["detail"]["fields"]["nit"] == [body["message"]]
    else:
        assert results[winner][0] == 302, results[winner][1][:2000]
        assert status == 400
        assert "NIT" in body and "890905211" in body and "solicite acceso" in body
        assert "Falta información o hay datos por corregir" in body

    # The winner's entity and administrator.
    assert (
        entidad.creada_por == users[winner] and entidad.correo_notificaciones == f"contratacion{winner}@medellin.gov.co"
    )
    assert list(Membresia.objects.values_list("usuario_id", "entidad_id", "rol")) == [
        (users[winner].pk, entidad.pk, Membresia.Rol.ADMINISTRADOR)
    ]
    # The loser's draft is untouched and still its own, documents included.
    lost = RegistroEntidad.objects.get(pk=drafts[loser].pk)
    assert (lost.estado, lost.entidad_id) == (RegistroEntidad.Estado.BORRADOR, None)
    lost_documents = Documento.objects.filter(registro=lost)
    assert sorted(lost_documents.values_list("tipo", flat=True)) == sorted(MANDATORY)
    assert not lost_documents.filter(entidad__isnull=False).exists()
    assert all(d.archivo.storage.exists(d.archivo.name) for d in lost_documents)
    assert Documento.objects.filter(entidad=entidad).count() == len(MANDATORY)
    # Only the winner's two e-mails were queued and sent.
    queued = sorted(recipient for e in OutboundEmail.objects.all() for recipient in e.to)
    assert queued == sorted([users[winner].email, f"contratacion{winner}@medellin.gov.co"])
    assert sorted(m.to[0] for m in mail.outbox) == queued


def test_a_double_click_on_finalizar_creates_one_entity_and_both_clicks_land_on_it(
    monkeypatch, reference_data, pre_data, entidad_data
):
    """The same draft, "Finalizar" sent twice at once (a double click): both requests read a draft
    in progress; the second saves what was typed only after the first has finalised it."""
    user = UserFactory()
    registro = draft(user, pre_data, entidad_data, correo="contratacion@medellin.gov.co")
    barrier = threading.Barrier(2)
    first_done = threading.Event()
    original = services.registro_update

    def update_in_turn(**kwargs):
        if barrier.wait(timeout=15) != 0:  # both requests got past "is it still a draft?"
            first_done.wait(timeout=15)
        return original(**kwargs)

    monkeypatch.setattr(services, "registro_update", update_in_turn)
    results: list[tuple[int, str]] = []
    failures: list[BaseException] = []

    def click():
        try:
            client = Client()
            client.force_login(user)
            response = client.post(f"/entidades/registro/{registro.pk}/", {**registro.datos, "accion": "finalizar"})
            results.append((response.status_code, response.get("Location", "")))
        except BaseException as exc:
            failures.append(exc)
            barrier.abort()
        finally:
            first_done.set()
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures, failures
    entidad = Entidad.objects.get()
    assert results == [(302, f"/entidades/{entidad.pk}/registrada/")] * 2
    assert Membresia.objects.count() == 1 and OutboundEmail.objects.count() == 2
