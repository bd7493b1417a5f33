"""The HTTP API with fake collaborators: auth, size limit, field checks, status mapping, shape."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr
from structlog.testing import capture_logs

from contracts.copies import CopyTrigger, GeneratedCopy
from policy.requests import CopyAsk
from serving.errors import ServiceOverloadedError, UnknownProductError
from serving.http.app import create_app
from tests.unit.serving.service.factories import make_copy, make_request

TOKEN = "s3cret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
MAX_BODY = 512
BODY_READ_TIMEOUT_S = 0.2
BODY = {"user_id": "u-1", "product_id": "p00001", "channel": "web", "locale": "en"}


class FakeCopies:
    """Answers like the real service for p00001, refuses unknown products, can be overloaded."""

    def __init__(self) -> None:
        self.asks: list[CopyAsk] = []
        self.overloaded = False
        self.broken = False

    async def copy(self, ask: CopyAsk) -> GeneratedCopy:
        if self.broken:
            raise RuntimeError("a bug with internal details")
        if self.overloaded:
            raise ServiceOverloadedError("2048 requests already wait for the model")
        if ask.product_id != "p00001":
            raise UnknownProductError(f"product {ask.product_id!r} is not in the catalog")
        self.asks.append(ask)
        request = make_request(
            ask.request_id,
            ask.product_id,
            user_id=ask.user_id,
            channel=ask.channel,
            locale=ask.locale,
            slot=ask.slot,
            trigger=ask.trigger,
        )
        return make_copy(request)


class Readiness:
    def __init__(self) -> None:
        self.checks = {"model": True, "producer": True, "consumer": True}

    def __call__(self) -> dict[str, bool]:
        return self.checks


@pytest.fixture
def copies() -> FakeCopies:
    return FakeCopies()


@pytest.fixture
def readiness() -> Readiness:
    return Readiness()


def _app(copies: FakeCopies, readiness: Readiness) -> Any:
    return create_app(
        copies,
        readiness,
        api_token=SecretStr(TOKEN),
        max_body_bytes=MAX_BODY,
        body_read_timeout_s=BODY_READ_TIMEOUT_S,
    )


@pytest.fixture
def client(copies: FakeCopies, readiness: Readiness) -> Iterator[TestClient]:
    with TestClient(_app(copies, readiness)) as client:
        yield client


def test_valid_call_returns_a_generated_copy_for_an_explicit_ask(client, copies):
    response = client.post(
        "/v1/copy", json={**BODY, "search_query": "quiet headphones"}, headers=AUTH
    )
    assert response.status_code == 200, response.text
    copy = GeneratedCopy.model_validate_json(response.content)
    [ask] = copies.asks
    assert copy.request_id == ask.request_id and ask.request_id.startswith("r-")
    assert (ask.trigger, ask.slot, ask.search_query) == (
        CopyTrigger.EXPLICIT,
        "api",
        "quiet headphones",
    )
    assert (copy.user_id, copy.product_id, copy.trigger) == ("u-1", "p00001", CopyTrigger.EXPLICIT)


def test_every_call_is_a_new_request(client, copies):
    for _ in range(2):
        assert client.post("/v1/copy", json=BODY, headers=AUTH).status_code == 200
    assert len({ask.request_id for ask in copies.asks}) == 2


def test_missing_token_is_401_with_a_bearer_challenge(client, copies):
    response = client.post("/v1/copy", json=BODY)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json()["error"] == "MissingTokenError"
    assert "Authorization: Bearer" in response.json()["detail"]
    assert not copies.asks


@pytest.mark.parametrize("header", ["Basic dXNlcjpwYXNz", "Bearer", "Bearer   "])
def test_a_header_that_is_not_a_bearer_token_is_401(client, header):
    assert client.post("/v1/copy", json=BODY, headers={"Authorization": header}).status_code == 401


def test_wrong_token_is_403(client, copies):
    response = client.post("/v1/copy", json=BODY, headers={"Authorization": "Bearer guess"})
    assert response.status_code == 403
    assert response.json()["error"] == "WrongTokenError"
    assert not copies.asks


def test_oversized_body_is_413_by_content_length(client, copies):
    body = json.dumps({**BODY, "search_query": "x" * MAX_BODY})
    response = client.post(
        "/v1/copy", content=body, headers={**AUTH, "Content-Type": "application/json"}
    )
    assert response.status_code == 413
    assert f"at most {MAX_BODY}" in response.json()["detail"]
    assert not copies.asks


def test_oversized_body_is_413_even_without_content_length(client):
    """A chunked upload has no Content-Length; the bytes that arrive are counted instead."""

    def chunks() -> Iterator[bytes]:
        for _ in range(8):
            yield b" " * 100

    response = client.post("/v1/copy", content=chunks(), headers=AUTH)
    assert response.status_code == 413
    assert "at least" in response.json()["detail"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"locale": "fr"}, "locale"),
        ({"channel": "billboard"}, "channel"),
        ({"user_id": "line\nbreak"}, "user_id"),
        ({"product_id": None}, "product_id"),
        ({"surprise": 1}, "surprise"),
        ({"search_query": "q" * 257}, "search_query"),
    ],
)
def test_invalid_fields_are_422_naming_the_field(client, change, field):
    response = client.post("/v1/copy", json={**BODY, **change}, headers=AUTH)
    assert response.status_code == 422
    assert response.json()["error"] == "InvalidCopyAskError"
    assert field in response.json()["detail"]


def test_missing_field_and_non_json_bodies_are_422(client):
    missing = {key: value for key, value in BODY.items() if key != "locale"}
    response = client.post("/v1/copy", json=missing, headers=AUTH)
    assert response.status_code == 422 and "locale: Field required" in response.json()["detail"]
    response = client.post("/v1/copy", content=b"{nope", headers=AUTH)
    assert response.status_code == 422 and "JSON" in response.json()["detail"]


def test_unknown_product_is_404(client):
    response = client.post("/v1/copy", json={**BODY, "product_id": "p99999"}, headers=AUTH)
    assert response.status_code == 404
    assert "p99999" in response.json()["detail"]


def test_full_queue_is_503_with_retry_after(client, copies):
    copies.overloaded = True
    response = client.post("/v1/copy", json=BODY, headers=AUTH)
    assert response.status_code == 503
    assert response.headers["retry-after"] == "1"


def test_health_and_readiness(client, readiness):
    assert client.get("/healthz").json() == {"status": "alive"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json()["ready"] is True
    readiness.checks["consumer"] = False
    not_ready = client.get("/readyz")
    assert not_ready.status_code == 503
    assert not_ready.json() == {
        "ready": False,
        "checks": {"model": True, "producer": True, "consumer": False},
    }


def test_metrics_are_prometheus_text_with_handler_durations(client):
    client.post("/v1/copy", json=BODY, headers=AUTH)
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert 'copystream_http_request_seconds_count{route="/v1/copy",status="200"}' in response.text
    assert "copystream_service_queue_depth" in response.text


def test_version_names_the_release_and_parts_serving_now(copies, readiness):
    serving: dict[str, str | None] = {
        "release": "r1",
        "model_version": "lm-1",
        "policy_version": "vw-1",
        "reward_model_version": None,
    }
    app = create_app(
        copies,
        readiness,
        api_token=SecretStr(TOKEN),
        max_body_bytes=MAX_BODY,
        body_read_timeout_s=BODY_READ_TIMEOUT_S,
        versions=lambda: serving,
    )
    with TestClient(app) as client:
        assert client.get("/version").json()["release"] == "r1"
        serving.update(release="r2", model_version="lm-2")  # a hot reload, same process
        assert client.get("/version").json() == {
            "release": "r2",
            "model_version": "lm-2",
            "policy_version": "vw-1",
            "reward_model_version": None,
        }


def _post_raw(app: Any, chunks: list[bytes], then: str) -> tuple[int, dict[str, str], Any]:
    """Drive the ASGI app directly: the body arrives as `chunks` (Content-Length 100), then the
    client disconnects (`then="disconnect"`) or stops sending (`then="stall"`)."""
    messages: list[dict[str, Any]] = [
        {"type": "http.request", "body": chunk, "more_body": True} for chunk in chunks
    ]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/v1/copy",
        "raw_path": b"/v1/copy",
        "query_string": b"",
        "root_path": "",
        "headers": [
            (b"authorization", f"Bearer {TOKEN}".encode()),
            (b"content-type", b"application/json"),
            (b"content-length", b"100"),
        ],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        if messages:
            return messages.pop(0)
        if then == "stall":
            await asyncio.Event().wait()
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(asyncio.wait_for(app(scope, receive, send), 5))
    start = next(m for m in sent if m["type"] == "http.response.start")
    headers = {k.decode(): v.decode() for k, v in start["headers"]}
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], headers, json.loads(body)


def test_client_gone_mid_body_is_400_logged_once_as_a_warning(copies, readiness):
    with capture_logs() as logs:
        status, headers, body = _post_raw(_app(copies, readiness), [b"0123456789"], "disconnect")
    assert status == 400 and body["error"] == "ClientDisconnectedError"
    assert "10 of 100 body bytes" in body["detail"]
    assert headers["connection"] == "close"
    events = [entry for entry in logs if entry["event"] == "http_client_disconnected"]
    assert [(e["log_level"], e["received_bytes"], e["declared_bytes"]) for e in events] == [
        ("warning", 10, 100)
    ]
    assert not [entry for entry in logs if entry["log_level"] == "error"]
    assert not copies.asks


def test_a_stalled_body_is_408_after_the_body_read_timeout(copies, readiness):
    with capture_logs() as logs:
        status, headers, body = _post_raw(_app(copies, readiness), [b"{"], "stall")
    assert status == 408 and body["error"] == "BodyReadTimeoutError"
    assert "service.body_read_timeout_ms" in body["detail"] and "1 of 100" in body["detail"]
    assert headers["connection"] == "close"
    assert [entry["event"] for entry in logs] == ["http_body_read_timeout"]
    assert not copies.asks


def test_an_unexpected_error_is_a_json_500_logged_once_and_the_next_call_works(client, copies):
    copies.broken = True
    with capture_logs() as logs:
        response = client.post("/v1/copy", json=BODY, headers=AUTH)
    assert response.status_code == 500
    assert response.json()["error"] == "InternalError"
    assert "internal details" not in response.text
    [event] = [entry for entry in logs if entry["log_level"] == "error"]
    assert (event["event"], event["error_type"], event["path"]) == (
        "http_unexpected_error",
        "RuntimeError",
        "/v1/copy",
    )
    copies.broken = False
    assert client.post("/v1/copy", json=BODY, headers=AUTH).status_code == 200


def test_openapi_describes_the_copy_body_and_every_error_answer(client):
    operation = client.get("/openapi.json").json()["paths"]["/v1/copy"]["post"]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert set(schema["required"]) == {"user_id", "product_id", "channel", "locale"}
    assert schema["additionalProperties"] is False
    assert schema["properties"]["channel"]["enum"] == ["web", "app", "push", "email", "sms"]
    assert "$ref" not in json.dumps(schema)  # the body's enums are inlined, not `#/$defs/...`
    assert set(operation["responses"]) == {
        "200", "400", "401", "403", "404", "408", "413", "422", "500", "503"
    }  # fmt: skip
