"""Active sessions ("Sesiones activas", ADR 0018), kept by allauth.usersessions: one row per
session with its browser, IP address and last activity. Ending a session deletes it from the
session store, so the browser or the API client holding it is logged out at its next request.
Every ending is recorded in the access history; the desk's, with its reason, in servicedesk."""

import hashlib
import re
import time
from dataclasses import dataclass
from datetime import datetime
from importlib import import_module

from allauth.core import context as allauth_context
from allauth.usersessions.adapter import DefaultUserSessionsAdapter
from allauth.usersessions.middleware import UserSessionsMiddleware
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from registro.core.errors import ApplicationError, ErrorCode
from registro.core.network import client_ip

from . import services
from .models import AccessEvent, User

# --- A readable name for the browser --------------------------------------------------------------

# Order matters: Edge and Opera also say "Chrome", Chrome also says "Safari".
_BROWSERS = (
    ("Edge", r"Edg(?:e|A|iOS)?/(\d+)"),
    ("Opera", r"(?:OPR|Opera)/(\d+)"),
    ("Samsung Internet", r"SamsungBrowser/(\d+)"),
    ("Firefox", r"(?:Firefox|FxiOS)/(\d+)"),
    ("Chrome", r"(?:HeadlessChrome|Chrome|CriOS)/(\d+)"),
    ("Safari", r"Version/(\d+)[.\d]* (?:Mobile/\S+ )?Safari/"),
    ("curl", r"curl/(\d+)"),
    ("Python", r"python-(?:requests|httpx|urllib\d?)/(\d+)"),
)
_SYSTEMS = (
    ("Android", r"Android"),
    ("iOS", r"iPhone|iPad|iPod"),
    ("Windows", r"Windows"),
    ("ChromeOS", r"CrOS"),
    ("macOS", r"Mac OS X|Macintosh"),
    ("Linux", r"Linux|X11"),
)


def browser_name(user_agent: str) -> str:
    """ "Firefox 128 en Windows" from a User-Agent header; "Navegador desconocido" otherwise.
    A few patterns, not a full parser: enough to recognise one's own sessions."""
    user_agent = user_agent or ""
    browser = next(
        (f"{name} {m.group(1)}" for name, pattern in _BROWSERS if (m := re.search(pattern, user_agent))), None
    )
    system = next((name for name, pattern in _SYSTEMS if re.search(pattern, user_agent)), None)
    if browser and system:
        return _("%(browser)s en %(system)s") % {"browser": browser, "system": system}
    if browser or system:
        return browser or system
    return _("Navegador desconocido")


# --- Reads ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ActiveSession:
    id: int
    browser: str
    user_agent: str
    ip: str
    created_at: datetime
    last_seen_at: datetime
    is_current: bool


def current_session_key(request: HttpRequest | None) -> str | None:
    """The caller's session: the X-Session-Token's in the API (api_auth.py), else the cookie's."""
    if request is None:
        return None
    session = getattr(request, "auth_session", None) or getattr(request, "session", None)
    return getattr(session, "session_key", None)


def session_list(*, user: User, current_key: str | None) -> list[ActiveSession]:
    """The user's sessions, most recently active first (the caller's own first of all); rows of
    sessions that expired or were logged out are dropped on the way."""
    rows = UserSession.objects.purge_and_list(user)
    sessions = [
        ActiveSession(
            id=row.pk,
            browser=browser_name(row.user_agent),
            user_agent=row.user_agent,
            ip=row.ip,
            created_at=row.created_at,
            last_seen_at=row.last_seen_at,
            is_current=bool(current_key) and row.session_key == current_key,
        )
        for row in rows
    ]
    return sorted(sessions, key=lambda s: (not s.is_current, -s.last_seen_at.timestamp()))


def activity_due(request: HttpRequest, session_key: str) -> bool:
    """Whether this request should write the session's last activity: at most once every
    USERSESSIONS_ACTIVITY_INTERVAL_SECONDS per session, address and browser, so that a busy user does
    not cost a write transaction per request; a new address or browser is written at once."""
    interval = settings.USERSESSIONS_ACTIVITY_INTERVAL_SECONDS
    if interval <= 0:
        return True
    client = f"{client_ip(request)}|{request.META.get('HTTP_USER_AGENT', '')}"
    digest = hashlib.blake2b(f"{session_key}|{client}".encode(), digest_size=16).hexdigest()
    # This process's own memory first: a session it saw within the interval is not due, without
    # asking the shared cache (one round trip to Redis; five queries with the database cache).
    now = time.monotonic()
    if _recent.get(digest, 0.0) > now:
        return False
    if len(_recent) >= RECENT_MAX:
        _recent.clear()
    _recent[digest] = now + interval
    return cache.add(f"usersession-activity:{digest}", 1, timeout=interval)


# Sessions this process found not due, until when (monotonic clock); cleared when full, which only
# costs a look at the shared cache again.
_recent: dict[str, float] = {}
RECENT_MAX = 50_000


def activity_memo_clear() -> None:
    """Forgets what this process saw (with the shared cache cleared: every session due again)."""
    _recent.clear()


class ThrottledUserSessionsMiddleware(UserSessionsMiddleware):
    """allauth's activity tracking (browser, address, last activity of each session), written only
    when `activity_due`."""

    def __call__(self, request: HttpRequest):
        session = getattr(request, "session", None)
        if session is not None and session.session_key and not activity_due(request, session.session_key):
            return self.get_response(request)
        return super().__call__(request)


def session_touch(request: HttpRequest, session_key: str) -> None:
    """Last activity and address of an API token's session (one UPDATE, like allauth's middleware
    does for the browser's), throttled the same way."""
    if not activity_due(request, session_key):
        return
    ip = client_ip(request)
    changes = {"last_seen_at": timezone.now(), **({"ip": ip} if ip else {})}
    UserSession.objects.filter(session_key=session_key).update(**changes)


# --- Writes --------------------------------------------------------------------------------------


def _store_exists(session_key: str) -> bool:
    return import_module(settings.SESSION_ENGINE).SessionStore().exists(session_key)


def _end(rows) -> int:
    """Ends each session (store and row); returns how many were still alive."""
    ended = 0
    for row in rows:
        if _store_exists(row.session_key):
            ended += 1
        row.end()
    return ended


def _describe(row: UserSession) -> dict:
    return {"browser": browser_name(row.user_agent), "ip": row.ip}


@transaction.atomic
def session_end(*, user: User, session_id: int, current_key: str | None, client: services.ClientInfo) -> None:
    """Ends one of the user's other sessions. Another user's session is not found (404); the
    caller's own is ended by logging out (409)."""
    row = UserSession.objects.select_for_update().filter(user=user, pk=session_id).first()
    if row is None:
        raise ApplicationError(ErrorCode.NOT_FOUND, _("No existe esa sesión, o ya terminó."), status=404)
    if current_key and row.session_key == current_key:
        raise ApplicationError(
            ErrorCode.CONFLICT,
            _("Esta es la sesión que está usando: para cerrarla, use «Salir»."),
            status=409,
        )
    detail = _describe(row)
    _end([row])
    services.access_event_record(user=user, kind=AccessEvent.Kind.SESSION_ENDED, client=client, detail=detail)


@transaction.atomic
def sessions_end_others(*, user: User, current_key: str | None, client: services.ClientInfo, cause: str = "") -> int:
    """Ends every session of the user but `current_key`. Asked for by the user, it is always
    recorded; as a consequence of `cause` (a password change or reset), only when some ended."""
    rows = list(UserSession.objects.select_for_update().filter(user=user).exclude(session_key=current_key or ""))
    ended = _end(rows)
    if ended or not cause:
        detail = {"sessions": ended, **({"cause": cause} if cause else {})}
        services.access_event_record(
            user=user, kind=AccessEvent.Kind.OTHER_SESSIONS_ENDED, client=client, detail=detail
        )
    return ended


def sessions_end_all(*, user: User) -> int:
    """Every session of the user, for the desk (which records its own event, with its reason).
    Runs in the caller's transaction."""
    return _end(list(UserSession.objects.select_for_update().filter(user=user)))


class UserSessionsAdapter(DefaultUserSessionsAdapter):
    """allauth's own ways to end sessions (its headless `DELETE /auth/sessions`) record them in the
    access history as ours do. The caller's own session is a logout, recorded as such."""

    def end_sessions(self, sessions) -> None:
        request = allauth_context.request
        current_key = current_session_key(request)
        client = services.ClientInfo.from_request(request)
        for row in sessions:
            if row.session_key != current_key:
                services.access_event_record(
                    user=row.user, kind=AccessEvent.Kind.SESSION_ENDED, client=client, detail=_describe(row)
                )
        super().end_sessions(sessions)
