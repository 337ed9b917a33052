"""Two Mesa de Servicio members suspending the same account at the same moment (PostgreSQL): one
transition, one event, one set of e-mails; the other gets a clear 409 `invalid_transition`.

How the race is made real: both requests find the account active and pass the desk's guard, then
call the service; the first takes the account's row lock (`services.accounts._lock`,
`select_for_update`) and holds it until the main thread sees the second backend waiting for that
lock in pg_stat_activity. Once the first commits, the second gets the lock, reads «Suspendida» and
is refused."""

import threading
import time

import pytest
from django.core import mail
from django.db import close_old_connections, connection
from django.test import Client

from registro.core.errors import ApplicationError
from registro.entities.account.models import Entidad, EventoEntidad
from registro.notifications.models import OutboundEmail
from registro.servicedesk import services
from registro.servicedesk.services import accounts
from tests.factories import ACCOUNT_KINDS, DeskUserFactory, MembresiaFactory, account_factory

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres_only]

TIMEOUT = 20


def suspend_api(user, entidad: Entidad, motivo: str):
    client = Client()
    client.force_login(user)
    response = client.post(
        f"/api/v1/mesa/cuentas/{entidad.pk}/suspender", {"motivo": motivo}, content_type="application/json"
    )
    return response.status_code, response.json()


def suspend_services(user, entidad: Entidad, motivo: str):
    try:
        services.cuenta_suspend(entidad=Entidad.objects.get(pk=entidad.pk), staff=user, motivo=motivo)
    except ApplicationError as exc:
        return exc.status_code, {"code": exc.code, "message": exc.message, "detail": exc.detail}
    return 200, {}


def waiting_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0] > 0


@pytest.fixture(params=ACCOUNT_KINDS)
def cuenta(request):
    entidad = account_factory(request.param, correo_notificaciones="avisos@cuenta.co")
    MembresiaFactory(entidad=entidad, usuario__email="admin@cuenta.co")
    return entidad


@pytest.mark.parametrize("suspend", [suspend_api, suspend_services], ids=["api", "services"])
def test_two_desk_members_suspending_at_once_make_one_transition(monkeypatch, cuenta, suspend):
    users = [DeskUserFactory(username="mesa1"), DeskUserFactory(username="mesa2")]
    first_locked, release = threading.Event(), threading.Event()
    read_under_lock: dict[str, str] = {}
    original_lock = accounts._lock

    def lock_and_hold(entidad):
        locked = original_lock(entidad)
        me = threading.current_thread().name
        read_under_lock[me] = locked.estado
        if me == "first":
            first_locked.set()
            assert release.wait(timeout=TIMEOUT)
        return locked

    monkeypatch.setattr(accounts, "_lock", lock_and_hold)
    results: dict[str, tuple[int, dict]] = {}
    failures: list[BaseException] = []

    def run(index: int, motivo: str):
        try:
            results[threading.current_thread().name] = suspend(users[index], cuenta, motivo)
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)
            first_locked.set()
            release.set()
        finally:
            close_old_connections()
            connection.close()

    first = threading.Thread(target=run, args=(0, "Motivo de la primera."), name="first")
    second = threading.Thread(target=run, args=(1, "Motivo de la segunda."), name="second")
    first.start()
    try:
        assert first_locked.wait(timeout=TIMEOUT), failures
        second.start()
        deadline = time.monotonic() + TIMEOUT
        while not waiting_on_a_lock():
            assert time.monotonic() < deadline, "the second suspension never waited for the lock"
            time.sleep(0.02)
        assert "second" not in results, "the second suspension finished while the first held the lock"
    finally:
        release.set()
        for thread in (first, second):
            thread.join(timeout=60)
    assert not failures, failures
    assert read_under_lock == {"first": Entidad.Estado.ACTIVA, "second": Entidad.Estado.SUSPENDIDA}
    assert results["first"][0] == 200, results["first"]
    status, body = results["second"]
    assert status == 409 and body["code"] == "invalid_transition", body
    assert body["message"] == f"La cuenta de {cuenta.nombre} ya está suspendida."
    assert body["detail"]["estado"] == Entidad.Estado.SUSPENDIDA

    cuenta.refresh_from_db()
    assert cuenta.estado == Entidad.Estado.SUSPENDIDA
    assert list(cuenta.eventos.filter(tipo=EventoEntidad.Tipo.SUSPENDIDA).values_list("actor_id", "motivo")) == [
        (users[0].pk, "Motivo de la primera.")
    ]
    assert list(OutboundEmail.objects.values_list("template", flat=True)) == ["servicedesk/email/cuenta_suspendida"]
    [sent] = mail.outbox
    assert sorted(sent.to) == ["admin@cuenta.co", "avisos@cuenta.co"] and "Motivo de la primera." in sent.body


def test_a_free_race_between_two_suspensions_ends_in_one(cuenta):
    """No order imposed: both start together and the database decides who locks first."""
    users = [DeskUserFactory(username="mesa1"), DeskUserFactory(username="mesa2")]
    barrier = threading.Barrier(2)
    results: dict[int, tuple[int, dict]] = {}
    failures: list[BaseException] = []

    def run(i: int):
        try:
            client = Client()
            client.force_login(users[i])
            barrier.wait(timeout=TIMEOUT)
            response = client.post(
                f"/api/v1/mesa/cuentas/{cuenta.pk}/suspender",
                {"motivo": f"Motivo {i}"},
                content_type="application/json",
            )
            results[i] = (response.status_code, response.json())
        except BaseException as exc:
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
    assert not failures, failures
    assert sorted(status for status, _body in results.values()) == [200, 409], results
    winner = next(i for i, (status, _body) in results.items() if status == 200)
    assert results[1 - winner][1]["code"] == "invalid_transition"
    cuenta.refresh_from_db()
    assert cuenta.estado == Entidad.Estado.SUSPENDIDA
    assert list(cuenta.eventos.filter(tipo=EventoEntidad.Tipo.SUSPENDIDA).values_list("motivo", flat=True)) == [
        f"Motivo {winner}"
    ]
    assert OutboundEmail.objects.count() == 1 and len(mail.outbox) == 1
