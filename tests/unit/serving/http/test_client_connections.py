"""The HTTP API behind a real uvicorn server, configured as the service runs it, and raw
sockets: a client that vanishes mid-body or stalls costs a warning and its own connection,
never a traceback, a hung handler or another caller's answer."""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from prometheus_client import REGISTRY
from pydantic import SecretStr
from structlog.testing import capture_logs

from serving.http.app import create_app
from tests.polling import poll_until
from tests.unit.serving.http.test_app import AUTH, BODY, MAX_BODY, TOKEN, FakeCopies, Readiness

BODY_READ_TIMEOUT_S = 0.5
HEAD = (
    b"POST /v1/copy HTTP/1.1\r\n"
    b"Host: 127.0.0.1\r\n"
    b"Authorization: Bearer " + TOKEN.encode() + b"\r\n"
    b"Content-Type: application/json\r\n"
    b"Content-Length: 100\r\n\r\n"
)


@pytest.fixture
def port() -> Iterator[int]:
    """uvicorn in a thread on a socket bound here, like `GeneratorService` runs it."""
    app = create_app(
        FakeCopies(),
        Readiness(),
        api_token=SecretStr(TOKEN),
        max_body_bytes=MAX_BODY,
        body_read_timeout_s=BODY_READ_TIMEOUT_S,
    )
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_config=None, access_log=False))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [listener]}, daemon=True)
    thread.start()
    try:
        poll_until(lambda: server.started or not thread.is_alive(), 10, "uvicorn started")
        assert thread.is_alive()
        yield int(listener.getsockname()[1])
    finally:
        server.should_exit = True
        thread.join(10)
        listener.close()


def _answered(status: int) -> float:
    labels = {"route": "/v1/copy", "status": str(status)}
    return REGISTRY.get_sample_value("copystream_http_request_seconds_count", labels) or 0.0


def _valid_call(port: int) -> int:
    with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=5) as http:
        return http.post("/v1/copy", json=BODY, headers=AUTH).status_code


def _errors(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


def test_a_body_shorter_than_its_content_length_ends_cleanly(port, caplog):
    before = _answered(400)
    with capture_logs() as logs:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as client:
            client.sendall(HEAD + b'{"user_id"')  # 10 of the 100 declared bytes, then close
        poll_until(lambda: _answered(400) > before, 5, "the cut-short call answered 400")
    warnings = [entry for entry in logs if entry["event"] == "http_client_disconnected"]
    assert [(w["log_level"], w["received_bytes"]) for w in warnings] == [("warning", 10)]
    assert not _errors(caplog), [r.getMessage() for r in _errors(caplog)]  # no traceback
    assert _valid_call(port) == 200


def test_a_stalled_body_is_answered_408_and_its_connection_closed(port, caplog):
    with socket.create_connection(("127.0.0.1", port), timeout=5) as client:
        client.sendall(HEAD)  # the headers, then nothing
        assert _valid_call(port) == 200  # others are served meanwhile
        received = b""
        while chunk := client.recv(4096):  # until the server closes the connection
            received += chunk
    assert received.startswith(b"HTTP/1.1 408 "), received
    assert b"BodyReadTimeoutError" in received and b"connection: close" in received.lower()
    assert not _errors(caplog), [r.getMessage() for r in _errors(caplog)]
    assert _valid_call(port) == 200
