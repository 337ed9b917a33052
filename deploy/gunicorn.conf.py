"""gunicorn's configuration for production: `gunicorn -c deploy/gunicorn.conf.py config.wsgi:application`
(deploy/systemd/registro-secop-web.service). The same worker model as `manage.py serve`
(docs/adr/0012): threaded workers, so a slow upload holds a thread, not a worker, and `timeout`
means "the worker process hangs", not "a request is slow". Every value reads the same environment
variable as `serve`; the env file (deploy/registro-secop.env) sets them."""

import json
import logging
import os
import re
import shutil
from datetime import UTC, datetime
from pathlib import Path

from gunicorn.glogging import Logger
from pythonjsonlogger.json import JsonFormatter

bind = os.environ.get("WEB_BIND") or f"{os.environ.get('HOST', '127.0.0.1')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_WORKERS", "2"))
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "8"))
timeout = int(os.environ.get("WEB_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("WEB_GRACEFUL_TIMEOUT", "30"))
# Above nginx's keepalive to its upstream, so gunicorn never closes a connection nginx reuses.
keepalive = int(os.environ.get("WEB_KEEPALIVE", "75"))
# A worker is replaced after this many requests (with jitter, so not all at once): bounds slow leaks.
max_requests = int(os.environ.get("WEB_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10
# X-Forwarded-For is read by Django (TRUSTED_PROXIES, registro/core/network.py); gunicorn only
# believes X-Forwarded-Proto from the proxy on this host.
forwarded_allow_ips = "127.0.0.1,::1"

# systemd manages the server (`systemctl reload` sends HUP); no control socket in $HOME.
control_socket_disable = True

accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
capture_output = False

# Prometheus in multiprocess mode: each worker writes its counters to files in this directory and
# a scrape of /metrics, answered by any worker, adds them up (registro/core/observability/metrics.py).
# Set before any worker imports prometheus_client.
if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(Path(os.environ.get("VAR_DIR", "var")).resolve() / "prometheus-web")
PROMETHEUS_DIR = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
# Now, not only in on_starting: `gunicorn --check-config` loads the application without that hook.
PROMETHEUS_DIR.mkdir(parents=True, exist_ok=True)


def _redact_path(path):
    try:
        from registro.core.observability.logs import redact_path
    except ImportError:  # the master, before any application code is loaded
        return path.split("?", 1)[0] if path else path
    return redact_path(path) if path else path


class _RedactFilter(logging.Filter):
    """gunicorn's own messages ("Error handling request GET /invitaciones/<token>/") go through the
    application's redaction, paths included."""

    def filter(self, record):
        try:
            from registro.core.observability.logs import RedactingFilter
        except ImportError:
            return True
        RedactingFilter().filter(record)
        record.msg = re.sub(r"(?<!\S)/\S*", lambda match: _redact_path(match.group(0)), record.msg)
        return True


class JsonAccessLogger(Logger):
    """gunicorn's logs, one JSON object a line, like the application's. In the access log the query
    string is left out and tokens in the path are redacted: either may hold a secret (the
    application's own line, `registro.request`, adds the user and the acting account)."""

    def setup(self, cfg):
        super().setup(cfg)
        formatter = JsonFormatter(
            "%(levelname)s %(name)s %(message)s",
            rename_fields={"levelname": "level", "name": "logger"},
            timestamp="time",
        )
        for handler in self.error_log.handlers:
            handler.setFormatter(formatter)
            handler.addFilter(_RedactFilter())

    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled:
            return
        status = resp.status.split(None, 1)[0] if isinstance(resp.status, str) else resp.status
        headers = dict((name.lower(), value) for name, value in resp.headers)
        line = {
            "time": datetime.now(UTC).isoformat(),
            "level": "INFO",
            "logger": "gunicorn.access",
            "request_id": headers.get("x-request-id"),
            "remote_addr": environ.get("REMOTE_ADDR"),
            "forwarded_for": environ.get("HTTP_X_FORWARDED_FOR"),
            "method": environ.get("REQUEST_METHOD"),
            # Django's path with secret URL parts redacted, when the request reached Django.
            # PATH_INFO is missing when the application failed without an answer.
            "path": environ.get("registro.log_path")
            or _redact_path(environ.get("PATH_INFO") or getattr(req, "path", None)),
            "protocol": environ.get("SERVER_PROTOCOL"),
            "status": int(status),
            "bytes": getattr(resp, "sent", None),
            "duration_ms": round(request_time.total_seconds() * 1000, 1),
            "user_agent": environ.get("HTTP_USER_AGENT"),
            "pid": os.getpid(),
        }
        try:
            self.access_log.info(json.dumps(line, ensure_ascii=False))
        except Exception:
            self.exception("access log line failed")


logger_class = JsonAccessLogger


def on_starting(server):
    """A fresh directory at each start: files of processes from a previous run would be counted."""
    shutil.rmtree(PROMETHEUS_DIR, ignore_errors=True)
    PROMETHEUS_DIR.mkdir(parents=True, exist_ok=True)


def child_exit(server, worker):
    """A worker that exits (max_requests, a crash) leaves its counters, still summed; only its
    live gauges' files go."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
