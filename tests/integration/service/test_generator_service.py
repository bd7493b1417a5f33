"""The generator service as it runs in production (`python -m serving` in its own process),
through the real broker, onnxruntime on the tiny model and Feast on SQLite."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from contracts.copies import CopyRequest, GeneratedCopy
from contracts.dead_letter import DeadLetter
from contracts.product import Product
from contracts.settings import Settings
from serving.checks import CopyChecker
from serving.facts import ProductFacts
from serving.prompting import CopyBrief
from simulate.worker import GeneratorServiceProcess
from tests.integration.conftest import live_settings
from tests.integration.service.kafka_io import (
    TopicReader,
    answered,
    build_requests,
    copies_by_request,
    expired,
    free_port,
    send,
    send_requests,
)
from tests.polling import poll_until

pytestmark = [pytest.mark.integration, pytest.mark.slow]

TOKEN = "integration-token"
VALID = 12


@dataclass
class Served:
    settings: Settings
    catalog: list[Product]
    service: GeneratorServiceProcess
    http: httpx.Client
    requests: list[CopyRequest]
    late: CopyRequest
    invalid: dict[str, bytes]
    copies: TopicReader
    dead_letters: TopicReader


def _ready(http: httpx.Client) -> bool:
    try:
        return http.get("/readyz").status_code == 200
    except httpx.TransportError:
        return False


@pytest.fixture(scope="module")
def served(infra, tmp_path_factory, tiny_model, tiny_catalog) -> Iterator[Served]:
    """One service with HTTP on; valid, late and invalid requests sent once it is ready."""
    home: Path = tmp_path_factory.mktemp("generator-service")
    port = free_port()
    service_section = {
        "http_port": port,
        "group_id": f"generator-{uuid.uuid4().hex[:8]}",
        "api_token": TOKEN,
        "max_body_bytes": 1_024,
    }
    settings = live_settings(
        infra, home, tiny_model.onnx_dir, tiny_catalog, service=service_section
    )
    service = GeneratorServiceProcess(settings, home / "service.log").start()
    http = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30)
    copies = TopicReader(settings, settings.kafka.topics.generated_copy)
    dead_letters = TopicReader(settings, settings.kafka.topics.dead_letters)
    try:
        poll_until(lambda: _ready(http) or not service.alive(), 90, "service ready")
        assert service.alive(), service.log_tail()
        requests = build_requests(settings, tiny_catalog, VALID + 1, tag=home.name)
        late = expired(requests.pop(), "r-late-" + uuid.uuid4().hex[:8])
        schema_error = requests[0].model_dump(mode="json") | {"channel": "billboard"}
        unknown = requests[0].model_copy(update={"product_id": "p99999"})
        invalid = {
            "not_json": b"{this is not json",
            "invalid_field": json.dumps(schema_error).encode(),
            "unknown_product": unknown.model_dump_json().encode(),
        }
        send_requests(settings, [*requests, late])
        send(settings, [(b"u-bad", value) for value in invalid.values()])
        yield Served(
            settings, tiny_catalog, service, http, requests, late, invalid, copies, dead_letters
        )
    finally:
        http.close()
        copies.close()
        dead_letters.close()
        service.stop()


def _brief(served: Served, request: CopyRequest) -> CopyBrief:
    product = next(p for p in served.catalog if p.product_id == request.product_id)
    threshold = served.settings.copy_rules.low_stock_threshold
    facts = ProductFacts.of(product, request.locale, threshold)
    return CopyBrief(facts, request.channel, request.angle, request.search_query)


def _metric(served: Served, line_start: str) -> float:
    text = served.http.get("/metrics").text
    values = [float(line.split()[-1]) for line in text.splitlines() if line.startswith(line_start)]
    return sum(values)


def test_every_request_is_answered_with_a_checked_copy_that_carries_its_decision(
    served, tiny_model
):
    ids = {r.request_id for r in served.requests}
    served.copies.until(answered(ids), 60, f"copies for {len(ids)} requests")
    copies = copies_by_request(served.copies.values)
    checker = CopyChecker.from_rules(served.settings.copy_rules, served.catalog)
    for request in served.requests:
        copy = copies[request.request_id][0]
        assert checker.check(copy.text, _brief(served, request)).ok, copy
        assert copy.copy_id == "c-" + request.request_id.removeprefix("r-")
        assert (copy.propensity, copy.policy_version) == (
            request.propensity,
            request.policy_version,
        )
        assert (copy.requested_angle, copy.trigger) == (request.angle, request.trigger)
        assert (copy.user_id, copy.channel, copy.locale) == (
            request.user_id,
            request.channel,
            request.locale,
        )
        assert copy.features == request.features
        assert copy.model_version == tiny_model.manifest.model_version
        assert copy.latency_ms > 0
    assert _metric(served, 'copystream_service_requests_total{source="kafka"}') >= len(ids)
    assert _metric(served, "copystream_service_batch_requests_count") >= 1


def test_request_past_its_deadline_is_answered_with_a_flagged_template(served):
    late = served.late
    served.copies.until(answered({late.request_id}), 60, "the late request's copy")
    [copy] = copies_by_request(served.copies.values)[late.request_id]
    assert copy.fallback.used
    assert copy.fallback.reason is not None and copy.fallback.reason.startswith("deadline")
    checker = CopyChecker.from_rules(served.settings.copy_rules, served.catalog)
    assert checker.check(copy.text, _brief(served, late)).ok
    assert _metric(served, 'copystream_fallbacks_total{reason="deadline"}') >= 1


def test_invalid_messages_go_to_dead_letters_with_raw_payload_and_reason(served):
    served.dead_letters.until(lambda values: len(values) >= len(served.invalid), 60, "dead letters")
    letters = [DeadLetter.model_validate_json(value) for value in served.dead_letters.values]
    by_type = {letter.error_type: letter for letter in letters}
    assert set(by_type) == set(served.invalid)
    for error_type, payload in served.invalid.items():
        letter = by_type[error_type]
        assert letter.raw_value == payload
        assert letter.source_topic == served.settings.kafka.topics.copy_requests
        assert letter.reason
    assert (
        "billboard" in by_type["invalid_field"].reason
        or "channel" in by_type["invalid_field"].reason
    )
    assert "p99999" in by_type["unknown_product"].reason
    assert served.service.alive()
    assert _metric(served, "copystream_request_dead_letters_total") >= len(served.invalid)


def test_http_refuses_a_missing_token_and_an_oversized_body(served):
    body = {"user_id": "u-http", "product_id": served.catalog[0].product_id}
    body |= {"channel": "web", "locale": "en"}
    assert served.http.post("/v1/copy", json=body).status_code == 401
    big = body | {"search_query": "x" * 2_000}
    auth = {"Authorization": f"Bearer {TOKEN}"}
    response = served.http.post("/v1/copy", json=big, headers=auth)
    assert response.status_code == 413, response.text
    assert served.http.get("/healthz").status_code == 200


def test_http_copy_is_returned_and_also_produced(served):
    product = served.catalog[3]
    body = {"user_id": "u-http", "product_id": product.product_id, "channel": "push"}
    body |= {"locale": "zh-CN", "search_query": "gift"}
    response = served.http.post("/v1/copy", json=body, headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200, response.text
    copy = GeneratedCopy.model_validate_json(response.content)
    assert (copy.user_id, copy.product_id, copy.slot, copy.trigger.value) == (
        "u-http",
        product.product_id,
        "api",
        "explicit",
    )
    assert copy.features is not None and copy.features.product["brand"] == product.brand
    served.copies.until(answered({copy.request_id}), 30, "the HTTP copy on generated-copy")
    [produced] = copies_by_request(served.copies.values)[copy.request_id]
    assert produced == copy
    unknown = served.http.post(
        "/v1/copy",
        json=body | {"product_id": "p99999"},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert unknown.status_code == 404
