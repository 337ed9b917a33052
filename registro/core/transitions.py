"""One way to change the state of a stateful model (ADR 0011).

Each model that has a life (the entity account, the registration draft, the support case, the
access request, the invitation) declares a `StateMachine`: its transition table, how a refused move
reads, and how its event row is written. A service then:

1. opens a transaction and locks the rows it changes (`select_for_update`), in the global order
   below;
2. calls `machine.apply(locked, to, ...)`, which checks the table, sets `estado` and the
   transition's timestamps, saves them with `update_fields` and writes the event row, all within
   that transaction, so a rollback removes the change and its event together;
3. queues its e-mails with `registro.notifications.services.email_queue_template`, which sends them
   only once the transaction commits.

This module is the only code that assigns `estado`; tests/core/test_transitions.py fails on any
other assignment under `registro/`. Creating a row in its initial state is not a transition.

Lock order. Every transaction that locks several rows takes them in this order, so two of them can
only ever wait for each other, never deadlock:

    Caso → Entidad → the account's rows (Membresia, SolicitudAcceso, Invitacion) → anything else

A service that changes an entity from a case locks the case first; a service that changes an
account's members, requests or invitations locks the entity first. Rows created in the transaction
need no place in the order: nobody else can hold them.

Domain-free: models, messages and event writers come from the packages that declare machines.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Model
from django.utils import timezone

from registro.core.errors import ApplicationError, ErrorCode


@dataclass(frozen=True)
class Transition:
    """One row of a table: the event it records (unless the caller names a more precise one) and
    the datetime fields set to the moment of the change."""

    event: str = ""
    stamps: tuple[str, ...] = ()


# record(instance, event=..., anterior=..., nuevo=..., **context): writes the event row.
Recorder = Callable[..., object]
# message(instance, to): the Spanish sentence of a refusal; `to` is None when a state was required.
Message = Callable[[Model, str | None], str]


class StateMachine:
    def __init__(
        self,
        table: dict[tuple[str, str], Transition | str],
        *,
        record: Recorder,
        message: Message,
        code: ErrorCode = ErrorCode.INVALID_TRANSITION,
        field: str = "estado",
    ):
        self.table = {key: t if isinstance(t, Transition) else Transition(event=t) for key, t in table.items()}
        self.record = record
        self.message = message
        self.code = code
        self.field = field

    def allowed(self, estado: str) -> list[str]:
        return [to for (frm, to) in self.table if frm == estado]

    def can(self, instance: Model, to: str) -> bool:
        return (getattr(instance, self.field), to) in self.table

    def refusal(self, instance: Model, to: str | None = None) -> ApplicationError:
        estado = getattr(instance, self.field)
        return ApplicationError(
            self.code,
            self.message(instance, to),
            {"estado": estado, "permitidos": self.allowed(estado)},
            status=409,
        )

    def check(self, instance: Model, to: str) -> Transition:
        """The transition from the instance's state to `to`, or the model's 409."""
        transition = self.table.get((getattr(instance, self.field), to))
        if transition is None:
            raise self.refusal(instance, to)
        return transition

    def require(self, instance: Model, *estados: str) -> None:
        """For actions that keep the state but need one of these (re-sending a pending invitation)."""
        if getattr(instance, self.field) not in estados:
            raise self.refusal(instance)

    def apply(self, instance: Model, to: str, *, event: str = "", fields: Iterable[str] = (), **context) -> Model:
        """Moves the locked `instance` to `to` and records the event in the caller's transaction.
        `fields` are other columns the caller set on the instance, saved with the state; `context`
        goes to the event writer (actor, motivo, detalle...)."""
        if not transaction.get_connection().in_atomic_block:
            raise RuntimeError("A state transition runs inside the transaction that locked the row.")
        transition = self.check(instance, to)
        event = event or transition.event
        if not event:
            raise ValueError(f"No event for {instance._meta.label} → {to}: name one.")
        anterior = getattr(instance, self.field)
        setattr(instance, self.field, to)
        now = timezone.now()
        for stamp in transition.stamps:
            setattr(instance, stamp, now)
        auto_now = [f.name for f in instance._meta.concrete_fields if getattr(f, "auto_now", False)]
        update_fields = dict.fromkeys([self.field, *transition.stamps, *fields, *auto_now])
        instance.save(update_fields=list(update_fields))
        self.record(instance, event=event, anterior=anterior, nuevo=to, **context)
        return instance
