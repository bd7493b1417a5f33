"""Test-side Kafka I/O for the generator service: build and send requests, read the outputs."""

from __future__ import annotations

import socket
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from kafka import KafkaConsumer, KafkaProducer

from contracts.copies import CopyRequest, CopyTrigger, GeneratedCopy
from contracts.product import Product
from contracts.settings import DecisionSettings, Settings
from contracts.vocabulary import Channel, Locale
from features.snapshots import FeatureSnapshotReader
from features.store import open_feature_store
from policy.requests import CopyAsk, CopyRequestBuilder, request_id_for
from policy.uniform import UniformAnglePolicy
from tests.polling import poll_until

PATIENT_MS = 600_000  # test requests must not expire while a service starts or restarts


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def build_requests(
    settings: Settings, catalog: list[Product], count: int, tag: str
) -> list[CopyRequest]:
    """Requests as the stream worker builds them (real Feast snapshot, uniform policy), with
    deadlines far away; locales, channels and products cycle."""
    deadlines = {trigger: PATIENT_MS for trigger in CopyTrigger}
    builder = CopyRequestBuilder(DecisionSettings(deadline_ms=deadlines), UniformAnglePolicy())
    asks = [
        CopyAsk(
            request_id=request_id_for("test", tag, str(index)),
            user_id=f"u-{index % 5}",
            product_id=catalog[index % len(catalog)].product_id,
            channel=list(Channel)[index % len(Channel)],
            locale=list(Locale)[index % len(Locale)],
            slot="pdp",
            trigger=CopyTrigger.PRODUCT_VIEW,
        )
        for index in range(count)
    ]
    now = datetime.now(UTC)
    reader = FeatureSnapshotReader(open_feature_store(settings))
    snapshots = reader.read(
        [(a.user_id, a.product_id) for a in asks], [a.snapshot_id for a in asks], now
    )
    return [builder.build(a, s, now) for a, s in zip(asks, snapshots, strict=True)]


def expired(request: CopyRequest, request_id: str) -> CopyRequest:
    """The same request, created a minute ago with a deadline long gone."""
    created = datetime.now(UTC) - timedelta(minutes=1)
    return request.model_copy(
        update={
            "request_id": request_id,
            "created_at": created,
            "deadline": created + timedelta(milliseconds=100),
        }
    )


def send(settings: Settings, messages: list[tuple[bytes | None, bytes]]) -> None:
    producer = KafkaProducer(bootstrap_servers=settings.kafka.bootstrap_servers, linger_ms=5)
    try:
        for key, value in messages:
            producer.send(settings.kafka.topics.copy_requests, key=key, value=value)
        producer.flush()
    finally:
        producer.close()


def send_requests(settings: Settings, requests: list[CopyRequest]) -> None:
    send(settings, [(r.user_id.encode(), r.model_dump_json().encode()) for r in requests])


class TopicReader:
    """Everything on one topic from the beginning, read a little more on each `read()`."""

    def __init__(self, settings: Settings, topic: str) -> None:
        self._consumer = KafkaConsumer(
            topic,
            bootstrap_servers=settings.kafka.bootstrap_servers,
            auto_offset_reset="earliest",
            enable_auto_commit=False,
        )
        self.values: list[bytes] = []

    def read(self) -> list[bytes]:
        for records in self._consumer.poll(timeout_ms=50).values():
            self.values += [record.value for record in records]
        return self.values

    def until(self, enough: Callable[[list[bytes]], bool], timeout_s: float, what: str) -> None:
        poll_until(lambda: enough(self.read()), timeout_s, what, interval_s=0.02)

    def close(self) -> None:
        self._consumer.close()


def copies_by_request(values: list[bytes]) -> dict[str, list[GeneratedCopy]]:
    found: dict[str, list[GeneratedCopy]] = {}
    for value in values:
        copy = GeneratedCopy.model_validate_json(value)
        found.setdefault(copy.request_id, []).append(copy)
    return found


def answered(request_ids: set[str]) -> Callable[[list[bytes]], bool]:
    return lambda values: request_ids <= set(copies_by_request(values))
