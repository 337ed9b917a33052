"""Log filters for the handlers in settings.LOGGING: the request's context on every record, and
secrets taken out of every record before any formatter (JSON or text) writes it."""

import logging
import re
from collections.abc import Mapping

from . import context

REDACTED = "[REDACTED]"
CONTEXT_FIELDS = ("request_id", "user_id", "account_id")

# A key whose name contains one of these is never written with its value.
_SENSITIVE = r"pass(?:word|wd)?|token|key|secret|session|cookie|authorization|csrf"
SENSITIVE_KEY = re.compile(_SENSITIVE, re.IGNORECASE)
_TEXT_PATTERNS = (
    # "Authorization: Bearer abc", "authorization=Basic abc"
    (
        re.compile(
            r"(?i)(\b(?:proxy-)?authorization\b[\"']?\s*[:=]\s*[\"']?)(?:(?:bearer|basic|token)\s+)?[^\s\"',;&}]+"
        ),
        r"\1" + REDACTED,
    ),
    (re.compile(r"(?i)\b(bearer|basic)\s+[A-Za-z0-9._~+/=-]{6,}"), r"\1 " + REDACTED),
    # password=..., "token": "...", 'x-session-token': '...', csrfmiddlewaretoken=...
    (
        re.compile(r"(?i)([\"']?[\w.-]*(?:" + _SENSITIVE + r")[\w.-]*[\"']?\s*[:=]\s*)([\"']?)[^\s\"',;&}\]]+"),
        r"\1\2" + REDACTED,
    ),
    # Credentials in a URL: postgres://user:secret@host, redis://:secret@host
    (re.compile(r"(\b[a-z][a-z0-9+.-]*://[^:/@\s]*:)[^@\s]+@"), r"\1" + REDACTED + "@"),
)

# The attributes every LogRecord has; anything else came in through `extra`.
_STANDARD = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime", "taskName"}


def redact_text(text: str) -> str:
    for pattern, replacement in _TEXT_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def redact(value, depth: int = 0):
    """A copy of `value` with sensitive keys' values replaced and secrets in text removed."""
    if depth > 6:
        return REDACTED
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, bytes):
        return redact_text(value.decode("utf-8", "replace"))
    if isinstance(value, Mapping):
        return {
            key: REDACTED if SENSITIVE_KEY.search(str(key)) else redact(item, depth + 1) for key, item in value.items()
        }
    if isinstance(value, list | tuple | set | frozenset):
        return [redact(item, depth + 1) for item in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    return redact_text(str(value))


def loggable_path(request) -> str:
    """The path with the values of its secret URL parts (an e-mail confirmation key, a password
    reset key, an invitation token) replaced; the query string is never logged."""
    path = getattr(request, "path", "")
    match = getattr(request, "resolver_match", None)
    if match is not None:
        for name, value in match.kwargs.items():
            if SENSITIVE_KEY.search(name) and value and str(value) in path:
                path = path.replace(str(value), REDACTED)
    return path


def redact_path(path: str) -> str:
    """`loggable_path` for a bare path (gunicorn's logs, written outside Django's request): the
    URL it resolves to names its secret parts. Never the query string."""
    path = path.split("?", 1)[0]
    try:
        from django.urls import resolve

        match = resolve(path)
    except Exception:  # not a URL of the site, or Django not set up: nothing to redact by name
        return path
    for name, value in match.kwargs.items():
        if SENSITIVE_KEY.search(name) and value and str(value) in path:
            path = path.replace(str(value), REDACTED)
    return path


def _request_summary(request) -> str:
    # Django's request loggers pass the request itself; its repr may hold a query string.
    return f"{getattr(request, 'method', '')} {loggable_path(request)}".strip()


class RequestContextFilter(logging.Filter):
    """Adds request_id, user_id and account_id (None outside a request) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        fields = context.current()
        request = fields.get("request")
        if fields.get("user_id") is None and request is not None:
            from .middleware import user_id

            fields["user_id"] = user_id(request, load=False)
        for name in CONTEXT_FIELDS:
            if getattr(record, name, None) is None:
                setattr(record, name, fields.get(name))
        return True


class RedactingFilter(logging.Filter):
    """Renders the message, removes passwords, tokens, keys, secrets, session ids, cookies,
    authorization headers and CSRF tokens from it, from `extra` fields and from the traceback,
    then hands the record on. Runs on the handler, so it covers every logger, ours and Django's."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed format string: keep what was given
            message = f"{record.msg} {record.args}"
        message = redact_text(str(message))
        request = context.current().get("request")
        if request is not None:
            # "Not Found: /invitaciones/<token>/" and the like.
            raw, safe = getattr(request, "path", ""), loggable_path(request)
            if raw and raw != safe:
                message = message.replace(raw, safe)
        record.msg, record.args = message, None
        for name, value in list(vars(record).items()):
            if name in _STANDARD or name in CONTEXT_FIELDS:
                continue
            if name == "request" and not isinstance(value, str | Mapping):
                setattr(record, name, _request_summary(value))
            elif SENSITIVE_KEY.search(name):
                setattr(record, name, REDACTED)
            else:
                setattr(record, name, redact(value))
        if record.exc_info:
            # Formatted once here, so the formatter writes the redacted text.
            record.exc_text = redact_text(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = redact_text(record.exc_text)
        if record.stack_info:
            record.stack_info = redact_text(record.stack_info)
        return True
