"""The decider waits out an online-store outage: its feature read is retried with backoff, the
batch's requests are sent once the store answers, and the worker never dies of it."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

from prometheus_client import REGISTRY

from contracts.copies import CopyRequest, FeatureSnapshot
from contracts.settings import Settings
from policy.requests import CopyRequestBuilder
from policy.uniform import UniformAnglePolicy
from streams.copy_agent import CopyDecisionAgent
from streams.copy_state import CopyDecisionState
from streams.messages import RawMessage
from streams.state_store import DictState
from tests.events_factory import make_event


class FlakyStore:
    """Refuses the first `failures` reads as a stopped Redis does, then answers."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls = 0

    def read(self, pairs, snapshot_ids, now):
        self.calls += 1
        if self.calls <= self.failures:
            raise ConnectionError("Error 111 connecting to 127.0.0.1:16379. Connection refused.")
        return [
            FeatureSnapshot(snapshot_id=sid, read_at=now, product={"brand": "Acme"})
            for sid in snapshot_ids
        ]


class ChangelogState(DictState[CopyDecisionState]):
    changelog_topic = "decisions-changelog"

    def take_changes(self) -> dict[int, list[tuple[bytes, bytes]]]:
        return {}

    def keys(self) -> list[str]:
        return list(self.data)


class SentRecords:
    def __init__(self) -> None:
        self.sent: list[tuple[str, bytes]] = []

    @staticmethod
    def partition_for(key: bytes, partitions: int) -> int:
        return 0

    async def send(self, topic, partition, records):
        self.sent += [(topic, value) for _, value in records]
        return []


def test_a_store_outage_delays_the_requests_and_loses_none() -> None:
    settings = Settings(streams={"retry_max_wait_s": 0.05})
    store, records = FlakyStore(failures=3), SentRecords()
    agent = CopyDecisionAgent(
        settings,
        ChangelogState(),  # type: ignore[arg-type]
        records,  # type: ignore[arg-type]
        store,  # type: ignore[arg-type]
        CopyRequestBuilder(settings.decisions, UniformAnglePolicy()),
    )
    now = datetime.now(UTC)
    views = [
        make_event("view", f"u{n}", now, product_id=f"p{n}", category="audio", price=9.5)
        for n in range(3)
    ]
    messages = [
        (RawMessage(v.user_id.encode(), b"{}", "user-events", 0, n), v) for n, v in enumerate(views)
    ]
    before = REGISTRY.get_sample_value(
        "copystream_stream_store_retries_total", {"operation": "snapshot_read"}
    )
    asyncio.run(agent.decide(messages))
    agent.close()
    requests = [
        CopyRequest.model_validate_json(value)
        for topic, value in records.sent
        if topic == settings.kafka.topics.copy_requests
    ]
    assert store.calls == 4
    assert sorted(r.user_id for r in requests) == ["u0", "u1", "u2"]
    assert all(r.created_at >= now and r.deadline > r.created_at for r in requests)
    after = REGISTRY.get_sample_value(
        "copystream_stream_store_retries_total", {"operation": "snapshot_read"}
    )
    assert (after or 0.0) - (before or 0.0) == 3
    assert json.loads(records.sent[0][1])["features"]["product"] == {"brand": "Acme"}
