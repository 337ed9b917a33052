"""Fields that every log record of the current request carries. A context variable, so each
thread of a gthread worker (and each task) has its own."""

import contextvars
from contextlib import contextmanager

_fields: contextvars.ContextVar[dict | None] = contextvars.ContextVar("registro_log_context", default=None)


def bind(**fields) -> None:
    """Adds fields (e.g. `account_id` once the acting account is known) to the current context.
    Outside a request (a command, a task) there is no context and nothing is kept."""
    current = _fields.get()
    if current is not None:
        current.update({key: value for key, value in fields.items() if value is not None})


def current() -> dict:
    return dict(_fields.get() or {})


def start(**fields) -> None:
    """The request's context, kept until `end()` (on `request_finished`, after Django has logged
    the response's status, which happens outside every middleware)."""
    _fields.set(dict(fields))


def end(**kwargs) -> None:
    _fields.set(None)


@contextmanager
def scope(**fields):
    token = _fields.set(dict(fields))
    try:
        yield
    finally:
        _fields.reset(token)
