"""Two people finalising two supplier registrations of the same NIT (or, for foreign suppliers,
the same country and tax id) at the same moment, on PostgreSQL: the database's unique constraint
lets exactly one account through; the other registration gets a 409 that points to the account's
"Solicitud de acceso", and leaves nothing half-saved (no account, profile, areas, membership or
e-mail; its draft and documents are still its own).

Both "Finalizar" calls pass validation (the NIT is free for both) before either inserts: the
verification waits on a barrier once both threads have validated, so both inserts really race."""

import threading

import pytest
from django.core import mail
from django.db import close_old_connections, connection
from django.test import Client

from registro.core.services import unspsc_load
from registro.entities.account.models import AreaInteres, Entidad, PerfilComercial
from registro.entities.membership.models import Membresia
from registro.entities.registration import services
from registro.entities.registration.models import Documento, RegistroEntidad
from registro.notifications.models import OutboundEmail
from tests.entities.conftest import SUPPLIER_DOCS_JURIDICA, pdf_upload
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]

FOREIGN = {"nit": "", "id_tributario": "12-3456789", "telefono": "+1 212 555 0100"}


def draft(user, pre, data, correo) -> RegistroEntidad:
    registro = services.registro_proveedor_create(user=user, data=pre)
    services.registro_update(registro=registro, data={**data, "correo_notificaciones": correo})
    for tipo in SUPPLIER_DOCS_JURIDICA:
        services.documento_attach(registro=registro, tipo=tipo, uploaded=pdf_upload(f"{tipo}.pdf"), user=user)
    return registro


@pytest.mark.parametrize("foreign", [False, True], ids=["nit", "pais-id-tributario"])
def test_simultaneous_finalizar_of_one_supplier_creates_exactly_one_account(
    monkeypatch, proveedor_pre, juridica_data, foreign
):
    unspsc_load()  # transactional tests start from an empty classifier
    pre = {**proveedor_pre, "pais": "US", "tipo_empresa": "persona-juridica-extranjera"} if foreign else proveedor_pre
    data = {**juridica_data, **FOREIGN} if foreign else juridica_data
    users = [UserFactory(), UserFactory()]
    drafts = [draft(u, pre, data, correo=f"ventas{i}@soltec.com.co") for i, u in enumerate(users)]
    barrier = threading.Barrier(2)
    validated = set()
    original = services.registro_verify

    def verify_then_wait(**kwargs):
        result = original(**kwargs)
        me = threading.get_ident()
        if me not in validated:
            validated.add(me)
            assert result.ok, result.errors  # free for both
            barrier.wait(timeout=15)
        return result

    monkeypatch.setattr(services, "registro_verify", verify_then_wait)
    results: dict[int, tuple[int, dict]] = {}
    failures: list[BaseException] = []

    def run(i):
        try:
            client = Client()
            client.force_login(users[i])
            response = client.post(f"/api/v1/entidades/registros/{drafts[i].pk}/finalizar")
            results[i] = (response.status_code, response.json())
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
    assert len(validated) == 2 and not barrier.broken

    entidad = Entidad.objects.get()
    assert entidad.estado == Entidad.Estado.ACTIVA
    winner = [d.pk for d in drafts].index(entidad.registro.pk)
    loser = 1 - winner
    assert results[winner][0] == 201, results[winner]
    status, body = results[loser]
    assert status == 409, body
    assert body["code"] == "entidad_nit_registrado" and "Solicitud de acceso" in body["message"]
    field = "id_tributario" if foreign else "nit"
    assert body["detail"]["fields"][field] == [body["message"]]
    assert body["detail"]["cuenta_registrada"]["solicitud_acceso"] == f"/entidades/{entidad.pk}/solicitar/"

    # Only the winner's account, profile, areas, administrator and e-mails.
    assert PerfilComercial.objects.get().entidad == entidad
    assert set(AreaInteres.objects.values_list("entidad_id", flat=True)) == {entidad.pk}
    assert list(Membresia.objects.values_list("usuario_id", "rol")) == [(users[winner].pk, "administrador")]
    queued = sorted(r for e in OutboundEmail.objects.all() for r in e.to)
    assert queued == sorted([users[winner].email, f"ventas{winner}@soltec.com.co"])
    assert sorted(m.to[0] for m in mail.outbox) == queued
    # The loser's draft is untouched, documents included.
    lost = RegistroEntidad.objects.get(pk=drafts[loser].pk)
    assert (lost.estado, lost.entidad_id) == (RegistroEntidad.Estado.BORRADOR, None)
    lost_documents = Documento.objects.filter(registro=lost)
    assert sorted(lost_documents.values_list("tipo", flat=True)) == sorted(SUPPLIER_DOCS_JURIDICA)
    assert not lost_documents.filter(entidad__isnull=False).exists()
    assert all(d.archivo.storage.exists(d.archivo.name) for d in lost_documents)
