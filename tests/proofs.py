"""Test helpers for the proof of identity that sensitive actions need (ADR 0018): allauth records
how the session signed in (`record_authentication`), which Django's `Client.force_login` skips."""

import time

from allauth.account.internal.flows.login import (
    _AUTHENTICATION_METHODS_USER_SESSION_KEY,
    AUTHENTICATION_METHODS_SESSION_KEY,
)
from allauth.account.internal.userkit import user_id_to_str
from django.conf import settings


def mark_signed_in(client, user, *, method: str = "password", seconds_ago: float = 0, **extra) -> None:
    """Records in the client's session a sign-in (or, with `reauthenticated=True`, a
    reauthentication) `seconds_ago`, as allauth's login page would."""
    session = client.session
    records = list(session.get(AUTHENTICATION_METHODS_SESSION_KEY) or [])
    records.append({"method": method, "at": time.time() - seconds_ago, **extra})
    session[AUTHENTICATION_METHODS_SESSION_KEY] = records
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = user_id_to_str(user)
    session.save()


def expire_proofs(client) -> None:
    """Moves every recorded sign-in and reauthentication of the client's session back past the
    reauthentication window: the next sensitive action asks again."""
    session = client.session
    past = settings.ACCOUNT_REAUTHENTICATION_TIMEOUT + 1
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {**record, "at": record["at"] - past} for record in session.get(AUTHENTICATION_METHODS_SESSION_KEY) or []
    ]
    session.save()
