"""A slow client (an office connection) uploading for longer than the worker timeout: with the
threaded workers `manage.py serve` starts (docs/adr/0012), the upload is read to the end and
answered, and the same worker keeps serving other requests meanwhile."""

import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

from tests.core.test_serve import free_port, serve_env

ROOT = Path(__file__).resolve().parents[2]
BOUNDARY = "limite-de-prueba"


def multipart_head_and_body(size: int) -> tuple[bytes, bytes, bytes]:
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="tipo"\r\n\r\nrut\r\n'
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="archivo"; filename="rut.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    return head, b"%PDF-1.7\n" + b"0" * (size - 9), tail


def slow_upload(port: int, seconds: float, result: dict) -> None:
    head, body, tail = multipart_head_and_body(512 * 1024)
    length = len(head) + len(body) + len(tail)
    request = (
        "POST /api/v1/entidades/registros/1/documentos HTTP/1.1\r\n"
        f"Host: 127.0.0.1:{port}\r\nContent-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
        f"Content-Length: {length}\r\nConnection: close\r\n\r\n"
    ).encode()
    pieces = 10
    step = len(body) // pieces
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(request + head)
        for number in range(pieces):
            end = len(body) if number == pieces - 1 else (number + 1) * step
            sock.sendall(body[number * step : end])
            time.sleep(seconds / pieces)
        sock.sendall(tail)
        result["sent_at"] = time.monotonic()
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
    result["answer"] = answer


def test_an_upload_slower_than_the_worker_timeout_is_answered_and_others_are_served_meanwhile(tmp_path):
    env = serve_env(tmp_path)
    port = free_port()
    # One worker, a 2-second timeout: a sync worker would be killed mid-upload.
    command = [sys.executable, "manage.py", "serve", "--port", str(port), "--no-worker", "--workers", "1"]
    server = subprocess.Popen(
        [*command, "--threads", "4", "--timeout", "2"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        health = f"http://127.0.0.1:{port}/healthz"
        for _ in range(60):
            try:
                with urllib.request.urlopen(health, timeout=2) as response:
                    assert response.status == 200
                    break
            except OSError:
                time.sleep(0.25)
        else:
            raise AssertionError("the server did not start")

        result: dict = {}
        uploader = threading.Thread(target=slow_upload, args=(port, 5.0, result))
        uploader.start()
        time.sleep(1)
        served_meanwhile = []
        while uploader.is_alive() and "sent_at" not in result:
            started = time.monotonic()
            with urllib.request.urlopen(health, timeout=5) as response:
                served_meanwhile.append((response.status, time.monotonic() - started))
            time.sleep(0.5)
        uploader.join(timeout=20)

        status_line = result["answer"].split(b"\r\n", 1)[0]
        # Read whole (the upload middleware parses every multipart body) and answered by the
        # application: a cookie-less POST fails the API's CSRF check, in its envelope.
        assert status_line == b"HTTP/1.1 403 Forbidden", result["answer"][-600:]
        assert b'"code": "csrf_failed"' in result["answer"]
        assert len(served_meanwhile) >= 4
        assert all(status == 200 and took < 1 for status, took in served_meanwhile), served_meanwhile
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        output = server.communicate(timeout=30)[0].decode()
    assert "WORKER TIMEOUT" not in output, output
