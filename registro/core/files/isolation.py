"""Runs a function of `inspection` in a child process with an address-space limit and a deadline,
so opening or rendering a hostile file costs a bounded amount of memory and time whatever its
shape, and a crash (or the kernel refusing memory) is a refusal, not a dead worker.

Children come from a multiprocessing fork server that has pypdf and PDFium loaded once: a check
then costs a fork (milliseconds), not a fresh interpreter (most of a second), and the server's
own threads (gunicorn's, Django's) are never forked."""

import multiprocessing
import os
import resource
import sys
import traceback
from multiprocessing import spawn

from django.conf import settings

# A multiprocessing child first re-runs the parent's main script (pytest's, manage.py) unless the
# process it is forked from has it as its own `__main__` (Python 3.11's fork server never imports
# it). The targets here live in modules, so the server only takes the script's name: children then
# skip re-running it, which would cost them most of a second.
_MAIN_VARIABLE = "REGISTRO_ISOLATION_MAIN"
_main_module = sys.modules["__main__"]
if getattr(_main_module, "__file__", None) is None and os.environ.get(_MAIN_VARIABLE):
    _main_module.__file__ = os.environ[_MAIN_VARIABLE]  # in the fork server
elif main_path := spawn.get_preparation_data("isolation").get("init_main_from_path"):
    os.environ[_MAIN_VARIABLE] = main_path  # in the parent: for the fork server it will start

_context = multiprocessing.get_context("forkserver")
_context.set_forkserver_preload(["registro.core.files.inspection", "pypdfium2"])


class IsolationFailed(Exception):
    """The child ran out of memory or time, or crashed; nothing is known about the file."""


def _child(connection, memory_bytes: int, function, args) -> None:
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    try:
        result = (True, function(*args))
    except BaseException as error:  # MemoryError included: reported, the parent decides
        result = (False, f"{type(error).__name__}: {error}\n{traceback.format_exc(limit=5)}")
    connection.send(result)
    connection.close()


def run(function, *args, memory_bytes: int | None = None, timeout: float | None = None):
    """`function(*args)` in a bounded child; its return value must pickle. Raises IsolationFailed."""
    memory_bytes = memory_bytes or settings.FILE_CHECK_MEMORY_BYTES
    timeout = timeout or settings.FILE_CHECK_TIMEOUT_SECONDS
    receiver, sender = _context.Pipe(duplex=False)
    process = _context.Process(target=_child, args=(sender, memory_bytes, function, args), daemon=True)
    process.start()
    sender.close()
    try:
        if not receiver.poll(timeout):
            raise IsolationFailed(f"{function.__name__} took longer than {timeout} s")
        ok, value = receiver.recv()
    except EOFError as error:
        process.join(1)
        raise IsolationFailed(f"{function.__name__} died (exit code {process.exitcode})") from error
    finally:
        receiver.close()
        if process.is_alive():
            process.kill()
        process.join()
    if not ok:
        raise IsolationFailed(value)
    return value
