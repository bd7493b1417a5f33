"""Produces copies to `generated-copy` and rejected requests to `dead-letters`, keyed by user.

Every call returns only once Kafka acknowledged the message (acks=all, idempotent producer), so
a caller that marks its source offset done afterwards never loses a copy. Build it inside the
running event loop (aiokafka binds to it).

A broker outage is waited out: a failed send is retried with backoff for up to
`service.publish_retry_s`, on a new producer (after a broker restart the idempotent producer
can be left unusable, e.g. `OutOfOrderSequenceNumber`). A send retried after a lost
acknowledgement may repeat a copy; its copy id is the same, so readers drop the repeat.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from aiokafka import AIOKafkaProducer
from aiokafka.errors import KafkaError
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    retry_if_exception_type,
    stop_after_delay,
    wait_exponential_jitter,
)

from contracts.copies import GeneratedCopy, age_ms
from contracts.dead_letter import DeadLetter
from contracts.errors import InfrastructureError
from contracts.logs import get_logger
from contracts.settings import KafkaSettings
from serving.errors import PublishError
from serving.metrics import COPY_LATENCY, PUBLISH_RETRIES, REQUEST_DEAD_LETTERS
from serving.service.pipeline import Source

log = get_logger(__name__)
LINGER_MS = 2  # copies of one batch are acknowledged together; adds at most 2 ms


class CopyPublisher:
    def __init__(self, kafka: KafkaSettings, client_id: str, retry_for_s: float) -> None:
        self._kafka = kafka
        self._client_id = client_id
        self._retry_for_s = retry_for_s
        self._producer = self._new_producer()
        self._renewing = asyncio.Lock()
        self.started = False

    def _new_producer(self) -> AIOKafkaProducer:
        return AIOKafkaProducer(
            bootstrap_servers=self._kafka.bootstrap_servers,
            client_id=self._client_id,
            acks="all",
            enable_idempotence=True,
            linger_ms=LINGER_MS,
        )

    async def start(self) -> None:
        try:
            await self._producer.start()
        except KafkaError as exc:
            await self._producer.stop()
            raise unreachable(self._kafka, exc) from exc
        self.started = True

    async def stop(self) -> None:
        self.started = False
        await self._producer.stop()

    async def copy(self, copy: GeneratedCopy, source: Source) -> None:
        """Produce one copy and wait for the acknowledgement; observe its end-to-end latency."""
        await self._send(
            self._kafka.topics.generated_copy, copy.user_id.encode(), copy.model_dump_json()
        )
        request_to_ack_s = copy.latency_ms / 1e3 + age_ms(copy.created_at, _now()) / 1e3
        COPY_LATENCY.labels(source=source).observe(request_to_ack_s)
        log.info(
            "copy_published",
            request_id=copy.request_id,
            copy_id=copy.copy_id,
            user_id=copy.user_id,
            source=source,
            fallback=copy.fallback.used,
            latency_ms=round(request_to_ack_s * 1e3, 1),
        )

    async def dead_letter(self, letter: DeadLetter, key: bytes | None) -> None:
        await self._send(self._kafka.topics.dead_letters, key, letter.model_dump_json())
        REQUEST_DEAD_LETTERS.labels(error_type=letter.error_type).inc()
        log.warning("dead_letter", **letter.log_fields)

    async def _send(self, topic: str, key: bytes | None, value: str) -> None:
        retrying = AsyncRetrying(
            retry=retry_if_exception_type(KafkaError),
            stop=stop_after_delay(self._retry_for_s),
            wait=wait_exponential_jitter(initial=0.2, max=5.0, jitter=0.2),
            before_sleep=_log_retry,
            reraise=True,
        )
        try:
            async for attempt in retrying:
                with attempt:
                    producer = self._producer
                    try:
                        await producer.send_and_wait(topic, value=value.encode(), key=key)
                    except KafkaError:
                        await self._renew(producer)
                        raise
        except KafkaError as exc:
            raise PublishError(
                f"Kafka did not acknowledge a message to {topic!r} at "
                f"{self._kafka.bootstrap_servers} within {self._retry_for_s:.0f} s "
                f"(service.publish_retry_s): {exc!r}; check the broker (`make infra`)"
            ) from exc

    async def _renew(self, failed: AIOKafkaProducer) -> None:
        """Replace `failed` with a started producer, once for all sends that saw it fail; a
        broker still down leaves it in place, and the next try renews again."""
        async with self._renewing:
            if self._producer is not failed or not self.started:
                return
            fresh = self._new_producer()
            try:
                await fresh.start()
            except KafkaError:
                await fresh.stop()
                return
            self._producer = fresh
            try:
                await failed.stop()
            except KafkaError as exc:  # it failed already; only its resources are left
                log.debug("old_producer_stop_failed", error=repr(exc))


def _log_retry(state: RetryCallState) -> None:
    PUBLISH_RETRIES.inc()
    error = state.outcome.exception() if state.outcome is not None else None
    log.warning(
        "publish_retry",
        attempt=state.attempt_number,
        error=repr(error),
        retry_in_s=round(state.upcoming_sleep, 2),
    )


def unreachable(kafka: KafkaSettings, exc: Exception) -> InfrastructureError:
    return InfrastructureError(
        f"cannot reach Kafka at {kafka.bootstrap_servers}: {exc!r}; start it with `make infra` "
        "or point COPYSTREAM_KAFKA__HOST / COPYSTREAM_KAFKA__PORT at a running broker"
    )


def _now() -> datetime:
    return datetime.now(UTC)
