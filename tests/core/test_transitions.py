"""The one way to change state (registro/core/transitions.py, ADR 0011): the helper itself, the
tables the stateful models declare, and a check that no other code under registro/ assigns
`estado`."""

import ast
from pathlib import Path

import pytest
from django.db import transaction

from registro.core.errors import ApplicationError, ErrorCode
from registro.core.transitions import StateMachine, Transition
from registro.entities.account.models import Entidad, EventoEntidad
from registro.entities.registration.models import RegistroEntidad
from registro.notifications.models import OutboundEmail
from registro.notifications.services import email_queue
from tests.factories import EntidadFactory, UserFactory

E = Entidad.Estado
ROOT = Path(__file__).resolve().parents[2] / "registro"
HELPER = ROOT / "core" / "transitions.py"


def record(entidad, *, event, anterior, nuevo, actor=None, motivo=""):
    return EventoEntidad.objects.create(
        entidad=entidad, tipo=event, actor=actor, motivo=motivo, estado_anterior=anterior, estado_nuevo=nuevo
    )


MACHINE = StateMachine(
    {
        (E.PENDIENTE, E.ACTIVA): Transition(EventoEntidad.Tipo.ACTIVADA, stamps=("activada_at",)),
        (E.PENDIENTE, E.RECHAZADA): EventoEntidad.Tipo.RECHAZADA,
        (E.REQUIERE_CORRECCION, E.PENDIENTE): "",
    },
    record=record,
    message=lambda entidad, to: f"«{entidad.get_estado_display()}» no pasa a «{to}».",
)


def locked(entidad: Entidad) -> Entidad:
    return Entidad.objects.select_for_update().get(pk=entidad.pk)


# --- The helper -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_allowed_move_sets_the_state_and_its_timestamps_saves_and_records_the_event():
    entidad = EntidadFactory(estado=E.PENDIENTE)
    actor = UserFactory()
    with transaction.atomic():
        moved = MACHINE.apply(locked(entidad), E.ACTIVA, actor=actor, motivo="Todo en orden.")
    assert moved.estado == E.ACTIVA and moved.activada_at is not None
    entidad.refresh_from_db()
    assert (entidad.estado, entidad.activada_at) == (E.ACTIVA, moved.activada_at)
    evento = EventoEntidad.objects.get(entidad=entidad)
    assert (evento.tipo, evento.estado_anterior, evento.estado_nuevo) == ("activada", "pendiente", "activa")
    assert (evento.actor, evento.motivo) == (actor, "Todo en orden.")
    # A move without timestamps leaves them alone.
    other = EntidadFactory(estado=E.PENDIENTE)
    with transaction.atomic():
        MACHINE.apply(locked(other), E.RECHAZADA)
    other.refresh_from_db()
    assert other.estado == E.RECHAZADA and other.activada_at is None


@pytest.mark.django_db
def test_a_move_outside_the_table_is_a_409_with_the_models_message_and_changes_nothing():
    entidad = EntidadFactory(estado=E.ACTIVA)
    with pytest.raises(ApplicationError) as refused, transaction.atomic():
        MACHINE.apply(locked(entidad), E.RECHAZADA)
    error = refused.value
    assert error.status_code == 409 and error.code == ErrorCode.INVALID_TRANSITION
    assert error.message == "«Activa» no pasa a «rechazada»."
    assert error.detail == {"estado": "activa", "permitidos": []}
    entidad.refresh_from_db()
    assert entidad.estado == E.ACTIVA and not EventoEntidad.objects.exists()
    assert MACHINE.allowed(E.PENDIENTE) == [E.ACTIVA, E.RECHAZADA]
    assert MACHINE.refusal(EntidadFactory.build(estado=E.PENDIENTE)).detail["permitidos"] == ["activa", "rechazada"]


@pytest.mark.django_db
def test_a_machine_may_refuse_with_its_own_code_and_require_a_state():
    strict = StateMachine({}, record=record, message=lambda e, to: "Ya no.", code=ErrorCode.CONFLICT)
    entidad = EntidadFactory(estado=E.ACTIVA)
    strict.require(entidad, E.PENDIENTE, E.ACTIVA)
    with pytest.raises(ApplicationError) as refused:
        strict.require(entidad, E.PENDIENTE)
    assert (refused.value.code, refused.value.status_code, refused.value.message) == (ErrorCode.CONFLICT, 409, "Ya no.")
    assert not MACHINE.can(entidad, E.PENDIENTE) and MACHINE.can(EntidadFactory.build(), E.ACTIVA)


@pytest.mark.django_db
def test_the_change_and_its_event_are_one_transaction_a_rollback_removes_both_and_the_e_mail(
    django_capture_on_commit_callbacks,
):
    entidad = EntidadFactory(estado=E.PENDIENTE)
    with django_capture_on_commit_callbacks() as callbacks:
        with pytest.raises(RuntimeError, match="later failure"), transaction.atomic():
            MACHINE.apply(locked(entidad), E.ACTIVA)
            email_queue(to=["a@b.co"], subject="Activada", text_body="Activada")
            assert EventoEntidad.objects.filter(entidad=entidad).count() == 1
            raise RuntimeError("a later failure in the same service")
    entidad.refresh_from_db()
    assert (entidad.estado, entidad.activada_at) == (E.PENDIENTE, None)
    assert not EventoEntidad.objects.exists() and not OutboundEmail.objects.exists()
    assert callbacks == []  # the e-mail was never handed to the worker


@pytest.mark.django_db
def test_the_caller_names_the_event_other_columns_and_auto_now_fields_are_saved():
    entidad = EntidadFactory(estado=E.REQUIERE_CORRECCION)
    with pytest.raises(ValueError, match="No event"), transaction.atomic():
        MACHINE.apply(locked(entidad), E.PENDIENTE)
    with transaction.atomic():
        row = locked(entidad)
        row.nombre = "ALCALDIA CORREGIDA"
        MACHINE.apply(row, E.PENDIENTE, event=EventoEntidad.Tipo.REENVIADA, fields=["nombre"])
    entidad.refresh_from_db()
    assert (entidad.estado, entidad.nombre) == (E.PENDIENTE, "ALCALDIA CORREGIDA")
    assert EventoEntidad.objects.get().tipo == "reenviada"

    drafts = StateMachine(
        {(RegistroEntidad.Estado.BORRADOR, RegistroEntidad.Estado.FINALIZADO): "x"},
        record=lambda *a, **k: None,
        message=lambda r, to: "",
    )
    registro = RegistroEntidad.objects.create(usuario=UserFactory())
    before = registro.updated_at
    with transaction.atomic():
        drafts.apply(registro, RegistroEntidad.Estado.FINALIZADO)
    registro.refresh_from_db()
    assert registro.estado == RegistroEntidad.Estado.FINALIZADO and registro.updated_at > before


@pytest.mark.django_db(transaction=True)
def test_a_transition_needs_the_transaction_that_locked_the_row():
    entidad = EntidadFactory(estado=E.PENDIENTE)
    with pytest.raises(RuntimeError, match="inside the transaction"):
        MACHINE.apply(entidad, E.ACTIVA)
    entidad.refresh_from_db()
    assert entidad.estado == E.PENDIENTE


def test_every_stateful_model_declares_its_table():
    from registro.entities.account import workflow as account
    from registro.entities.membership import access, invitations
    from registro.entities.registration import services as registration
    from registro.servicedesk import workflow as servicedesk

    tables = {
        "entidad": account.MACHINE,
        "registro": registration.MACHINE,
        "caso": servicedesk.MACHINE,
        "solicitud": access.MACHINE,
        "invitacion": invitations.MACHINE,
    }
    assert {name: len(m.table) for name, m in tables.items()} == {
        "entidad": 7,
        "registro": 1,
        "caso": 8,
        "solicitud": 3,
        "invitacion": 2,
    }
    assert account.MACHINE.table[(E.PENDIENTE, E.ACTIVA)].stamps == ("activada_at",)
    assert servicedesk.MACHINE.table[("en_revision", "resuelto")].stamps == ("resuelto_at",)
    assert all(t.stamps == ("decided_at",) for t in access.MACHINE.table.values())
    assert all(t.stamps == ("decidida_at",) for t in invitations.MACHINE.table.values())


# --- Nothing else assigns `estado` -------------------------------------------------------------------

FIELD = "estado"


def estado_writes(source: str, filename: str = "<string>") -> list[str]:
    """file:line of every write of `estado` outside a transition: `x.estado = ...` (in any
    assignment target, augmented or annotated), `setattr(x, "estado", ...)` and
    `.update(estado=...)` / `.update(**{"estado": ...})`."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.Attribute) and node.attr == FIELD and isinstance(node.ctx, ast.Store):
            found.append(f"{filename}:{node.lineno}")
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Name) and func.id == "setattr" and len(node.args) >= 2:
            name = node.args[1]
            if isinstance(name, ast.Constant) and name.value == FIELD:
                found.append(f"{filename}:{node.lineno}")
        if isinstance(func, ast.Attribute) and func.attr == "update":
            for keyword in node.keywords:
                spread = keyword.arg is None and isinstance(keyword.value, ast.Dict)
                keys = [k.value for k in keyword.value.keys if isinstance(k, ast.Constant)] if spread else []
                if keyword.arg == FIELD or FIELD in keys:
                    found.append(f"{filename}:{node.lineno}")
    return found


@pytest.mark.parametrize(
    "snippet",
    [
        "solicitud.estado = 'aprobada'",
        "a.b.estado = x",
        "caso.estado += '!'",
        "caso.estado: str = 'x'",
        "caso.estado, caso.numero = 'x', 'y'",
        "for caso.estado in estados: pass",
        "setattr(caso, 'estado', 'cerrado')",
        "Caso.objects.filter(pk=1).update(estado='cerrado', resuelto_at=now)",
        "qs.update(**{'estado': 'cerrado'})",
    ],
)
def test_the_check_finds_every_kind_of_write(snippet):
    assert estado_writes(f"x = 1\n{snippet}\n", "m.py") == ["m.py:2"]


def test_the_check_lets_reads_filters_creation_and_other_fields_through():
    source = "\n".join(
        [
            "if caso.estado == 'abierto': pass",
            "Caso.objects.filter(estado='abierto').exclude(estado='x')",
            "Caso.objects.create(estado='abierto')",
            "caso.status = 'x'",
            "setattr(caso, field, 'x')",
            "qs.update(status='x')",
            "detail = {'estado': caso.estado}",
        ]
    )
    assert estado_writes(source) == []


def test_no_code_under_registro_assigns_estado_outside_the_transitions_helper():
    files = [p for p in sorted(ROOT.rglob("*.py")) if "migrations" not in p.parts and p != HELPER]
    assert len(files) > 50
    found = [hit for p in files for hit in estado_writes(p.read_text(), str(p.relative_to(ROOT.parent)))]
    assert found == [], "estado changes only through registro/core/transitions.py:\n" + "\n".join(found)
    assert estado_writes(HELPER.read_text()) == []  # it uses setattr with the machine's field name
