"""Two Mesa de Servicio members deciding the same activation case at the same moment: one activates
while the other asks for corrections, or both activate. Exactly one decision goes through; the
other gets a clear 409 `invalid_transition`; the entity ends in one consistent state with one set
of events and e-mails.

How the race is made real: both requests load the case (under review, every document accepted)
and pass their permission checks, then wait on a barrier, so both decide on the same state. The
first then takes the case's row lock (`services._lock`, `select_for_update`) and holds it until the
main thread has seen the second one stuck behind it: on PostgreSQL the second backend shows up in
pg_stat_activity waiting on a lock; on SQLite the second waits for the database's write lock
(IMMEDIATE transactions). Once the first commits, the second gets the lock, reads the new state
and is refused. That is the intended behaviour: the lock serialises decisions, and each decision
checks the state it reads under the lock."""

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
from registro.servicedesk.models import Caso, EventoCaso, Mensaje
from tests.factories import DeskUserFactory

pytestmark = pytest.mark.django_db(transaction=True)

TIMEOUT = 20
MOTIVO = "Anexe el RUT actualizado."

# Each decision: the service it calls, what the case and the entity become, its events and e-mail.
DECISIONS = {
    "activar": {
        "service": "caso_activate",
        "caso": Caso.Estado.RESUELTO,
        "entidad": Entidad.Estado.ACTIVA,
        "evento_caso": "activada",
        "evento_entidad": EventoEntidad.Tipo.ACTIVADA,
        "template": "servicedesk/email/entidad_activada",
    },
    "corregir": {
        "service": "caso_request_corrections",
        "caso": Caso.Estado.ESPERANDO_SOLICITANTE,
        "entidad": Entidad.Estado.REQUIERE_CORRECCION,
        "evento_caso": "correccion_solicitada",
        "evento_entidad": EventoEntidad.Tipo.CORRECCION_SOLICITADA,
        "template": "servicedesk/email/correccion_solicitada",
    },
}
DECISION_EVENTS_CASO = {d["evento_caso"] for d in DECISIONS.values()}
DECISION_EVENTS_ENTIDAD = {d["evento_entidad"] for d in DECISIONS.values()}


@pytest.fixture
def case_ready(admin_user, desk_user, entidad):
    """An activation case under review with every document accepted: both decisions are open."""
    data = services.case_initial(user=admin_user, entidad=entidad)
    data.update(tipo_solicitud="solicitud", asunto="registro_entidad", tipo_usuario="comprador", descripcion="Activar")
    caso = services.caso_create(user=admin_user, data=data, entidad=entidad)
    services.caso_take(caso=caso, staff=desk_user)
    for documento in entidad.documentos.filter(vigente=True):
        services.documento_review(caso=caso, documento=documento, decision="aceptado", motivo="", staff=desk_user)
    mail.outbox.clear()
    OutboundEmail.objects.all().delete()
    return Caso.objects.get(pk=caso.pk)


def decide_api(user, caso: Caso, accion: str):
    client = Client()
    client.force_login(user)
    response = client.post(
        f"/api/v1/mesa/casos/{caso.numero}/acciones/{accion}", {"motivo": MOTIVO}, content_type="application/json"
    )
    return response.status_code, response.json()


def decide_services(user, caso: Caso, accion: str):
    caso = Caso.objects.get(pk=caso.pk)  # this thread's own read of the case
    try:
        getattr(services, DECISIONS[accion]["service"])(caso=caso, staff=user, motivo=MOTIVO)
    except ApplicationError as exc:
        return exc.status_code, {"code": exc.code, "message": exc.message, "detail": exc.detail}
    return 200, {}


def waiting_on_a_lock() -> bool:
    """PostgreSQL: another backend of this database is blocked waiting for a lock."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()"
        )
        return cursor.fetchone()[0] > 0


def race(monkeypatch, users, caso: Caso, acciones: tuple[str, str], decide):
    """Runs the two decisions in two threads: "first" takes the lock, "second" runs into it."""
    barrier = threading.Barrier(2)
    first_locked, second_started, release = threading.Event(), threading.Event(), threading.Event()
    read_before: dict[str, str] = {}
    read_under_lock: dict[str, str] = {}

    def gate(fn):
        def gated(**kwargs):
            me = threading.current_thread().name
            read_before[me] = kwargs["caso"].estado
            barrier.wait(timeout=TIMEOUT)  # both passed their checks on the same state
            if me == "second":
                assert first_locked.wait(timeout=TIMEOUT)
                second_started.set()
            return fn(**kwargs)

        return gated

    for decision in DECISIONS.values():
        monkeypatch.setattr(services, decision["service"], gate(getattr(services, decision["service"])))
    original_lock = services._common._lock

    def lock_and_hold(caso):
        locked = original_lock(caso)
        me = threading.current_thread().name
        read_under_lock[me] = locked.estado
        if me == "first":
            first_locked.set()
            assert release.wait(timeout=TIMEOUT)
        return locked

    monkeypatch.setattr(services._common, "_lock", lock_and_hold)

    results: dict[str, tuple[int, dict]] = {}
    failures: list[BaseException] = []

    def run(index: int):
        try:
            results[threading.current_thread().name] = decide(users[index], caso, acciones[index])
        except BaseException as exc:  # reported by the main thread
            failures.append(exc)
            barrier.abort()
            first_locked.set()
            release.set()
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=run, args=(i,), name=name) for i, name in enumerate(["first", "second"])]
    for thread in threads:
        thread.start()
    try:
        assert first_locked.wait(timeout=TIMEOUT), failures
        assert second_started.wait(timeout=TIMEOUT), failures
        if connection.vendor == "postgresql":
            deadline = time.monotonic() + TIMEOUT
            while not waiting_on_a_lock():
                assert time.monotonic() < deadline, "the second decision never waited for the lock"
                time.sleep(0.02)
        else:
            time.sleep(0.3)  # the second waits for SQLite's write lock meanwhile
        assert results == {}, "the second decision finished while the first held the lock"
    finally:
        release.set()
        for thread in threads:
            thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a decision hung"
    assert not failures, failures
    # Both decided on the case under review; the second, once it had the lock, saw the first's result.
    assert read_before == {"first": Caso.Estado.EN_REVISION, "second": Caso.Estado.EN_REVISION}
    assert read_under_lock["first"] == Caso.Estado.EN_REVISION
    assert read_under_lock["second"] == DECISIONS[acciones[0]]["caso"]
    return results


@pytest.mark.parametrize("decide", [decide_api, decide_services], ids=["api", "services"])
@pytest.mark.parametrize(
    "acciones",
    [("activar", "corregir"), ("corregir", "activar"), ("activar", "activar")],
    ids=["activate-then-corrections", "corrections-then-activate", "both-activate"],
)
def test_two_desk_members_deciding_at_once_one_wins(
    monkeypatch, case_ready, desk_user, admin_user, entidad, acciones, decide
):
    users = [desk_user, DeskUserFactory(username="mesa2", email="mesa2@cce.gov.co")]
    results = race(monkeypatch, users, case_ready, acciones, decide)
    winner = DECISIONS[acciones[0]]

    assert results["first"][0] == 200, results["first"]
    status, body = results["second"]
    assert status == 409, body
    assert body["code"] == "invalid_transition"
    assert case_ready.numero in body["message"] and "esa acción ya no es posible" in body["message"]
    assert body["detail"]["estado"] == winner["caso"]

    # One consistent state.
    caso = Caso.objects.get(pk=case_ready.pk)
    entidad.refresh_from_db()
    assert (caso.estado, entidad.estado) == (winner["caso"], winner["entidad"])
    if winner["entidad"] == Entidad.Estado.ACTIVA:
        assert entidad.activada_at is not None and caso.resuelto_at is not None
    else:
        assert entidad.activada_at is None and caso.resuelto_at is None
    # One set of events: the winner's, by the winner.
    eventos_caso = list(caso.eventos.filter(tipo__in=DECISION_EVENTS_CASO).values_list("tipo", "actor_id"))
    assert eventos_caso == [(winner["evento_caso"], users[0].pk)]
    eventos_entidad = list(
        entidad.eventos.filter(tipo__in=DECISION_EVENTS_ENTIDAD).values_list("tipo", "actor_id", "estado_nuevo")
    )
    assert eventos_entidad == [(winner["evento_entidad"], users[0].pk, winner["entidad"])]
    assert EventoCaso.objects.filter(caso=caso, actor=users[1]).count() == 0
    # Corrections write the reason into the thread; activation writes nothing there.
    assert Mensaje.objects.filter(caso=caso).count() == (1 if acciones[0] == "corregir" else 0)
    # One e-mail, the winner's, to the administrators (and, on activation, the notification address).
    assert list(OutboundEmail.objects.values_list("template", flat=True)) == [winner["template"]]
    [sent] = mail.outbox
    expected = [admin_user.email]
    if acciones[0] == "activar":
        expected.append(entidad.correo_notificaciones)
    assert sorted(sent.to) == sorted(expected)


def test_a_free_race_between_activation_and_corrections_ends_in_one_state(case_ready, desk_user, admin_user, entidad):
    """No ordering imposed: both start together and the database decides who locks first."""
    users = [desk_user, DeskUserFactory(username="mesa2", email="mesa2@cce.gov.co")]
    acciones = ["activar", "corregir"]
    barrier = threading.Barrier(2)
    results: dict[int, tuple[int, dict]] = {}
    failures: list[BaseException] = []

    def run(i):
        try:
            client = Client()
            client.force_login(users[i])
            barrier.wait(timeout=TIMEOUT)
            response = client.post(
                f"/api/v1/mesa/casos/{case_ready.numero}/acciones/{acciones[i]}",
                {"motivo": MOTIVO},
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
    statuses = sorted(status for status, _ in results.values())
    assert statuses == [200, 409], results
    winner = next(i for i, (status, _) in results.items() if status == 200)
    loser_body = results[1 - winner][1]
    assert loser_body["code"] == "invalid_transition"
    expected = DECISIONS[acciones[winner]]
    caso = Caso.objects.get(pk=case_ready.pk)
    entidad.refresh_from_db()
    assert (caso.estado, entidad.estado) == (expected["caso"], expected["entidad"])
    assert list(caso.eventos.filter(tipo__in=DECISION_EVENTS_CASO).values_list("tipo", flat=True)) == [
        expected["evento_caso"]
    ]
    assert list(entidad.eventos.filter(tipo__in=DECISION_EVENTS_ENTIDAD).values_list("tipo", flat=True)) == [
        expected["evento_entidad"]
    ]
    assert list(OutboundEmail.objects.values_list("template", flat=True)) == [expected["template"]]
    assert len(mail.outbox) == 1
