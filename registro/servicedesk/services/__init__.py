"""Writes of the Mesa de Servicio (R4), one module per part of its work: desk accounts, case
intake and messages, document review, decisions, the entity's corrections seen from a case, and
the suspension of accounts.
Each one locks what it changes (the case, then the entity: ADR 0008), follows the transition
tables, records its events in the same transaction and queues its e-mails after commit."""

from .accounts import cuenta_reactivate, cuenta_suspend
from .cases import case_initial, caso_create, mensaje_add
from .corrections import documentos_faltantes, entidad_data_update, entidad_documento_replace, entidad_resubmit
from .decisions import (
    caso_activate,
    caso_appoint_admin,
    caso_close,
    caso_enable_supplier,
    caso_reject,
    caso_resolve,
)
from .identity import caso_apply_identity_change, caso_identity_change_open
from .review import caso_request_corrections, caso_take, checklist, documento_review
from .sessions import usuario_sessions_end
from .staff import staff_create

__all__ = [
    "usuario_sessions_end",
    "case_initial",
    "caso_activate",
    "caso_apply_identity_change",
    "caso_appoint_admin",
    "caso_close",
    "caso_create",
    "caso_enable_supplier",
    "caso_identity_change_open",
    "caso_reject",
    "caso_request_corrections",
    "caso_resolve",
    "caso_take",
    "checklist",
    "cuenta_reactivate",
    "cuenta_suspend",
    "documento_review",
    "documentos_faltantes",
    "entidad_data_update",
    "entidad_documento_replace",
    "entidad_resubmit",
    "mensaje_add",
    "staff_create",
]
