"""A broker restart can leave the idempotent producer unusable (`OutOfOrderSequenceNumber`):
the publisher retries on a new producer instead of stopping the service, and gives up with a
`PublishError` only after `service.publish_retry_s`."""

from __future__ import annotations

import asyncio

import pytest
from aiokafka.errors import KafkaConnectionError, OutOfOrderSequenceNumber
from prometheus_client import REGISTRY

from contracts.settings import KafkaSettings
from serving.errors import PublishError
from serving.service.publisher import CopyPublisher
from tests.unit.serving.service.factories import make_copy, make_request


class FakeProducer:
    """Fails its first `failures` sends with `error`, then acknowledges."""

    def __init__(self, error: Exception | None, failures: int = 1) -> None:
        self.error, self.failures = error, failures
        self.sent: list[bytes] = []
        self.started = self.stopped = False

    async def start(self) -> None:
        self.started = True

    async def stop(self) -> None:
        self.stopped = True

    async def send_and_wait(self, topic: str, value: bytes, key: bytes | None) -> None:
        if self.error is not None and self.failures > 0:
            self.failures -= 1
            raise self.error
        self.sent.append(value)


def _publisher(producers: list[FakeProducer], retry_for_s: float) -> CopyPublisher:
    queue = iter(producers)
    publisher = CopyPublisher.__new__(CopyPublisher)
    publisher._new_producer = lambda: next(queue)  # type: ignore[method-assign]
    CopyPublisher.__init__(publisher, KafkaSettings(), "test", retry_for_s)
    return publisher


def _retries() -> float:
    return REGISTRY.get_sample_value("copystream_publish_retries_total") or 0.0


def test_a_producer_broken_by_a_broker_restart_is_replaced_and_the_copy_sent_once():
    broken = FakeProducer(OutOfOrderSequenceNumber(), failures=10)
    fresh = FakeProducer(None)
    copy = make_copy(make_request())
    before = _retries()

    async def scenario() -> None:
        publisher = _publisher([broken, fresh], retry_for_s=30)
        await publisher.start()
        await publisher.copy(copy, "kafka")

    asyncio.run(scenario())
    assert broken.sent == [] and broken.stopped
    assert [copy.copy_id in value.decode() for value in fresh.sent] == [True]
    assert _retries() == before + 1


def test_a_broker_down_past_the_retry_time_is_a_publish_error_naming_the_setting():
    down = [FakeProducer(KafkaConnectionError(), failures=1_000) for _ in range(100)]

    async def scenario() -> None:
        publisher = _publisher(down, retry_for_s=0.5)
        await publisher.start()
        await publisher.copy(make_copy(make_request()), "kafka")

    with pytest.raises(PublishError, match="publish_retry_s"):
        asyncio.run(scenario())
