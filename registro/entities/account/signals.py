"""Signals the account sends to the layers above it, which it may not import.

`identity_change_requested`: an account asks to change what identifies it (its NIT, its foreign
tax identifier or its legal name). The change does not apply at once: the Mesa de Servicio
(registro.servicedesk, a layer above) opens a case for it. Sent inside the requester's
transaction, so a receiver that fails undoes the whole request; every receiver returns the
reference it opened (the case's number). The sender refuses to go on without a receiver, so a
request is never silently lost.

Arguments: `entidad` (locked), `user` (who asks), `cambios` ({field: {"antes", "despues"}})."""

from django.dispatch import Signal

identity_change_requested = Signal()
