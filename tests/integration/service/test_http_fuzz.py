"""`POST /v1/copy` fuzzed from the service's own OpenAPI document (schemathesis), against the
real generator service (`python -m serving`: uvicorn, the real broker, onnxruntime on the tiny
model, Feast on SQLite): whatever the body, the answer is never a 5xx and the service serves on.
"""

from __future__ import annotations

import asyncio
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode

from contracts.product import Product
from simulate.worker import GeneratorServiceProcess
from tests.integration.conftest import live_settings
from tests.integration.service.kafka_io import free_port
from tests.polling import poll_until

pytestmark = [pytest.mark.integration, pytest.mark.slow]

TOKEN = "fuzz-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
EXAMPLES = 150


@dataclass
class Served:
    base_url: str
    service: GeneratorServiceProcess
    catalog: list[Product]


def _ready(base_url: str) -> bool:
    try:
        return httpx.get(f"{base_url}/readyz", timeout=5).status_code == 200
    except httpx.TransportError:
        return False


@pytest.fixture(scope="module")
def served(infra, tmp_path_factory, tiny_model, tiny_catalog) -> Iterator[Served]:
    home: Path = tmp_path_factory.mktemp("http-fuzz")
    port = free_port()
    service_section = {
        "http_port": port,
        "group_id": f"generator-{uuid.uuid4().hex[:8]}",
        "api_token": TOKEN,
        # Generous: on a busy test machine a slow SQLite read must not pass for a server bug.
        "feature_read_timeout_ms": 10_000,
    }
    settings_ = live_settings(
        infra, home, tiny_model.onnx_dir, tiny_catalog, service=service_section
    )
    service = GeneratorServiceProcess(settings_, home / "service.log").start()
    base_url = f"http://127.0.0.1:{port}"
    try:
        poll_until(lambda: _ready(base_url) or not service.alive(), 90, "service ready")
        assert service.alive(), service.log_tail()
        yield Served(base_url, service, tiny_catalog)
    finally:
        service.stop()


def test_fuzzed_copy_asks_never_get_a_server_error_and_the_service_serves_on(served):
    schema = schemathesis.openapi.from_url(f"{served.base_url}/openapi.json")
    operation = schema["/v1/copy"]["POST"]
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE),
        operation.as_strategy(GenerationMode.NEGATIVE),
    )
    # Random product ids are almost all unknown (404 before any work): half the examples use
    # one from the catalog, so the fuzzed fields reach the policy, the prompt and the model.
    known = st.none() | st.sampled_from([product.product_id for product in served.catalog])
    statuses: Counter[int] = Counter()

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(case=cases, product_id=known)
    def ask(case: schemathesis.Case, product_id: str | None) -> None:
        if product_id is not None and isinstance(case.body, dict) and "product_id" in case.body:
            case.body["product_id"] = product_id
        response = case.call(base_url=served.base_url, headers=AUTH, timeout=30)
        statuses[response.status_code] += 1
        case.validate_response(response, checks=[not_a_server_error])

    try:
        ask()
    finally:
        print(f"fuzzed POST /v1/copy: {sum(statuses.values())} calls, statuses {statuses}")
    assert statuses[200] and statuses[422], statuses  # both the model and the refusals ran
    assert served.service.alive(), served.service.log_tail()
    body = {"user_id": "u-after-fuzz", "product_id": served.catalog[0].product_id}
    body |= {"channel": "web", "locale": "en"}
    response = httpx.post(f"{served.base_url}/v1/copy", json=body, headers=AUTH, timeout=30)
    assert response.status_code == 200, response.text
    assert "Exception in ASGI application" not in served.service.log_path.read_text()


def test_a_long_search_query_batched_with_plain_asks_fails_none_of_them(served):
    """A 100-character zh-CN query once overflowed the model's positions and answered 500 to
    every ask batched with it."""
    product = served.catalog[1].product_id
    queries = ["适合送给爸爸的高品质无线降噪耳机推荐" * 14, "quiet wireless headphones " * 9, None]
    asks = []
    for n in range(12):
        body = {"user_id": f"u-batch-{n}", "product_id": product, "channel": "web"}
        body |= {"locale": "zh-CN" if n % 3 == 0 else "en"}
        query = queries[n % 3]
        if query is not None:
            body["search_query"] = query[:256]
        asks.append(body)

    async def ask_all() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=served.base_url, timeout=60) as client:
            calls = [client.post("/v1/copy", json=body, headers=AUTH) for body in asks]
            return list(await asyncio.gather(*calls))

    responses = asyncio.run(ask_all())
    assert [r.status_code for r in responses] == [200] * len(asks), [r.text for r in responses]
    assert {r.json()["user_id"] for r in responses} == {body["user_id"] for body in asks}
    assert served.service.alive()
