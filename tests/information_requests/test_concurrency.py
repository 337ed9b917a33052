"""Races on PostgreSQL, with real connections: an answer arriving while the entity cancels, and
two runs of the invitation task for the same request at once. Each change locks the request's row
first (services._lock), so the second waits, then sees what the first committed: the late answer
is refused, and no supplier is invited or e-mailed twice (backed by the unique constraint)."""

import threading
import time

import pytest
from django.core import mail
from django.db import close_old_connections, connection, transaction

from registro.core.errors import ApplicationError
from registro.core.services import unspsc_load
from registro.entities.information_requests import services
from registro.entities.information_requests.models import EnvioInvitaciones, InvitacionSolicitud
from registro.notifications.models import OutboundEmail
from tests.information_requests.conftest import crear, supplier

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]
TIMEOUT = 20


@pytest.fixture(autouse=True)
def _unspsc():
    unspsc_load()


def _wait_for_a_blocked_backend():
    deadline = time.monotonic() + TIMEOUT
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.05)
    raise AssertionError("the second transaction never waited for the lock")


def _thread(target, results, key):
    def run():
        try:
            results[key] = target()
        except Exception as exc:  # noqa: BLE001 - reported to the main thread
            results[key] = exc
        finally:
            close_old_connections()
            connection.close()

    return threading.Thread(target=run)


def test_an_answer_waiting_behind_a_cancellation_is_refused(entidad, admin, proveedor, proveedor_admin):
    solicitud = crear(entidad, admin)
    services.invitar_manual(solicitud=solicitud, actor=admin, cuentas=[proveedor.pk])  # runs on commit
    invitacion = InvitacionSolicitud.objects.get()
    cancelled = threading.Event()
    release = threading.Event()
    results = {}

    def cancel():
        with transaction.atomic():
            services.solicitud_cancel(solicitud=solicitud, actor=admin, motivo="Sin presupuesto")
            cancelled.set()
            release.wait(TIMEOUT)  # the row stays locked until the answer is waiting for it
        return "cancelada"

    def answer():
        cancelled.wait(TIMEOUT)
        return services.respuesta_send(invitacion=invitacion, actor=proveedor_admin, mensaje="Oferta")

    threads = [_thread(cancel, results, "cancel"), _thread(answer, results, "answer")]
    for t in threads:
        t.start()
    cancelled.wait(TIMEOUT)
    _wait_for_a_blocked_backend()
    release.set()
    for t in threads:
        t.join(TIMEOUT)
    assert results["cancel"] == "cancelada"
    assert isinstance(results["answer"], ApplicationError)
    assert results["answer"].message == "La Entidad canceló esta solicitud de información."
    invitacion.refresh_from_db()
    assert invitacion.estado == "pendiente" and invitacion.respondida_at is None


def test_two_runs_at_once_invite_and_email_each_supplier_once(entidad, admin, settings):
    settings.SOLICITUD_INVITACIONES_LOTE = 3
    suppliers = [supplier("43211500") for _ in range(10)]
    solicitud = crear(entidad, admin)
    mail.outbox.clear()
    envios = [
        EnvioInvitaciones.objects.create(solicitud=solicitud, origen="automatica", creado_por=admin) for _ in range(2)
    ]
    barrier = threading.Barrier(2)
    results = {}

    def run(envio):
        def go():
            barrier.wait(TIMEOUT)
            return services.envio_run(envio_id=envio.pk)

        return go

    threads = [_thread(run(e), results, e.pk) for e in envios]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIMEOUT)
    finished = [results[e.pk] for e in envios]
    assert all(isinstance(f, EnvioInvitaciones) and f.estado == "terminado" for f in finished), finished
    assert sum(f.invitados for f in finished) == 10
    assert InvitacionSolicitud.objects.filter(solicitud=solicitud).count() == 10
    to = sorted(address for e in OutboundEmail.objects.filter(template__endswith="_invitacion") for address in e.to)
    assert to == sorted(s.correo_notificaciones for s in suppliers)
