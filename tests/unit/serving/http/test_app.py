"""The HTTP API with fake collaborators: auth, size limit, field checks, status mapping, shape."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from pydantic import SecretStr

from contracts.copies import CopyTrigger, GeneratedCopy
from policy.requests import CopyAsk
from serving.errors import ServiceOverloadedError, UnknownProductError
from serving.http.app import create_app
from tests.unit.serving.service.factories import make_copy, make_request

TOKEN = "s3cret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
MAX_BODY = 512
BODY = {"user_id": "u-1", "product_id": "p00001", "channel": "web", "locale": "en"}


class FakeCopies:
    """Answers like the real service for p00001, refuses unknown products, can be overloaded."""

    def __init__(self) -> None:
        self.asks: list[CopyAsk] = []
        self.overloaded = False

    async def copy(self, ask: CopyAsk) -> GeneratedCopy:
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


@pytest.fixture
def client(copies: FakeCopies, readiness: Readiness) -> Iterator[TestClient]:
    app = create_app(copies, readiness, api_token=SecretStr(TOKEN), max_body_bytes=MAX_BODY)
    with TestClient(app) as client:
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
        ({"user_id": "has spaces"}, "user_id"),
        ({"product_id": None}, "product_id"),
        ({"surprise": 1}, "surprise"),
        ({"search_query": "q" * 201}, "search_query"),
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
