"""The desk ends every session of a user as part of a security incident (a stolen session or
device), always with a reason: recorded in the user's access history with the reason and the
desk member, and the user is told by e-mail after commit (ADR 0018)."""

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from registro.accounts import services as account_services
from registro.accounts import sessions as account_sessions
from registro.accounts.models import AccessEvent
from registro.notifications.services import email_queue_template
from registro.servicedesk.services.accounts import _motivo


def usuario_sessions_end(*, usuario, staff, motivo: str, client: account_services.ClientInfo) -> int:
    """Ends all of `usuario`'s sessions; returns how many were open. Without a reason it is 400
    `validation_error` on `motivo`, and nothing changes."""
    motivo = _motivo(motivo, _("Escriba el motivo por el que cierra las sesiones del usuario."))
    with transaction.atomic():
        ended = account_sessions.sessions_end_all(user=usuario)
        account_services.access_event_record(
            user=usuario,
            kind=AccessEvent.Kind.SESSIONS_ENDED_BY_DESK,
            client=client,
            detail={"motivo": motivo, "staff": staff.username, "staff_id": staff.pk, "sessions": ended},
        )
        if usuario.email:
            email_queue_template(
                to=[usuario.email],
                template="servicedesk/email/sesiones_cerradas",
                context={"usuario": usuario, "motivo": motivo, "sesiones": ended, "site_url": settings.SITE_URL},
            )
    return ended
