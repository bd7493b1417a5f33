"""The Kafka side of the service: `copy-requests` in, copies out, offsets committed after acks.

Delivery is at-least-once. Polling goes on while earlier batches generate (each record becomes
a task that awaits its copy, produces it and waits for the ack); offsets are committed per
partition only up to the contiguous prefix of acknowledged records (`OffsetTracker`). After a
crash the rest is redone with the same request ids, so copies repeat with the same copy ids and
seeds. Invalid messages are dead-lettered and count as handled.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRecord, TopicPartition
from aiokafka.abc import ConsumerRebalanceListener
from aiokafka.errors import CommitFailedError, IllegalStateError, KafkaError

from contracts.copies import CopyRequest, GeneratedCopy
from contracts.dead_letter import DeadLetter
from contracts.errors import CopystreamError, InvalidEventError
from contracts.logs import get_logger
from contracts.settings import Settings
from serving.errors import ServiceNotReadyError
from serving.service.messages import CopyRequestParser
from serving.service.offsets import OffsetTracker
from serving.service.pipeline import CopyPipeline
from serving.service.publisher import CopyPublisher, unreachable

log = get_logger(__name__)
POLL_TIMEOUT_MS = 100  # also how often acknowledged offsets are committed, at most
SESSION_TIMEOUT_MS = 10_000  # a crashed instance's partitions move after this long
GENERATION_FAILED = "generation_failed"


class RequestConsumer:
    """Build it inside the running loop; `start()`, `run()` until `stop_polling()`, `drain()`."""

    def __init__(
        self,
        settings: Settings,
        pipeline: CopyPipeline,
        publisher: CopyPublisher,
        worker: str,
    ) -> None:
        service = settings.service
        self._kafka = settings.kafka
        self._topic = settings.kafka.topics.copy_requests
        self._pipeline = pipeline
        self._publisher = publisher
        self._worker = worker
        self._parser = CopyRequestParser(pipeline.writer.product)
        self._max_records = service.max_poll_records
        # Kafka may fill half the queue; the rest stays free for HTTP asks.
        self._queue_share = max(1, service.max_queue // 2)
        self._consumer = AIOKafkaConsumer(
            bootstrap_servers=settings.kafka.bootstrap_servers,
            group_id=service.group_id,
            client_id=worker,
            enable_auto_commit=False,
            auto_offset_reset="earliest",
            max_poll_records=service.max_poll_records,
            session_timeout_ms=SESSION_TIMEOUT_MS,
        )
        self._tracker: OffsetTracker[TopicPartition] = OffsetTracker()
        self._tasks: set[asyncio.Task[None]] = set()
        self._failure: BaseException | None = None
        self._polling = True

    @property
    def assigned(self) -> bool:
        return bool(self._consumer.assignment())

    async def start(self) -> None:
        self._consumer.subscribe([self._topic], listener=_CommitOnRevoke(self))
        try:
            await self._consumer.start()
        except KafkaError as exc:
            await self._consumer.stop()
            raise unreachable(self._kafka, exc) from exc

    def stop_polling(self) -> None:
        self._polling = False

    async def run(self) -> None:
        """Poll, hand records on and commit, until `stop_polling()` or a delivery fails (then
        the failure is raised: uncommitted records are redone by the next instance)."""
        while self._polling:
            batches = await self._consumer.getmany(
                timeout_ms=POLL_TIMEOUT_MS, max_records=self._max_records
            )
            for partition, records in batches.items():
                for record in records:
                    if not await self._accept(partition, record):
                        return
            if self._failure is not None:
                raise self._failure
            await self.commit()

    async def drain(self) -> None:
        """Wait for every record task (each produces its copy or gives up as not ready), then
        commit what was acknowledged."""
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.commit()

    async def close(self) -> None:
        await self._consumer.stop()

    async def commit(self) -> None:
        assigned = self._consumer.assignment()
        points = {tp: o for tp, o in self._tracker.commit_points().items() if tp in assigned}
        if not points:
            return
        try:
            await self._consumer.commit(points)
        except (CommitFailedError, IllegalStateError) as exc:
            # A rebalance took the partitions; the new owner redoes these records.
            log.warning("commit_skipped", error=repr(exc), partitions=len(points))
            return
        self._tracker.committed(points)

    def forget(self, partitions: set[TopicPartition]) -> None:
        self._tracker.forget(partitions)

    async def _accept(self, partition: TopicPartition, record: ConsumerRecord[Any, Any]) -> bool:
        """Hand one record on; False when the pipeline no longer takes work (shutting down)."""
        self._tracker.track(partition, record.offset)
        try:
            request = self._parser.parse(record.value)
        except InvalidEventError as exc:
            self._spawn(self._reject(partition, record, exc.error_type, exc.reason))
            return True
        try:
            future = await self._pipeline.put(request, "kafka", limit=self._queue_share)
        except ServiceNotReadyError:
            return False
        self._spawn(self._deliver(partition, record, request, future))
        return True

    async def _deliver(
        self,
        partition: TopicPartition,
        record: ConsumerRecord[Any, Any],
        request: CopyRequest,
        future: asyncio.Future[GeneratedCopy],
    ) -> None:
        try:
            copy = await future
        except ServiceNotReadyError:
            return  # shutting down before its batch: left uncommitted, redone on restart
        except CopystreamError as exc:
            log.error("copy_failed", request_id=request.request_id, error=repr(exc))
            await self._reject(partition, record, GENERATION_FAILED, str(exc))
            return
        await self._publisher.copy(copy, "kafka")
        self._tracker.done(partition, record.offset)

    async def _reject(
        self,
        partition: TopicPartition,
        record: ConsumerRecord[Any, Any],
        error_type: str,
        reason: str,
    ) -> None:
        letter = DeadLetter.for_record(record, error_type, reason, self._worker)
        await self._publisher.dead_letter(letter, record.key)
        self._tracker.done(partition, record.offset)

    def _spawn(self, work: Coroutine[Any, Any, None]) -> None:
        task = asyncio.create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if task.cancelled():
            return
        exc = task.exception()
        if exc is not None and self._failure is None:
            log.error("delivery_failed", error=repr(exc))
            self._failure = exc


class _CommitOnRevoke(ConsumerRebalanceListener):
    """Commit what is acknowledged before partitions move, then stop tracking them."""

    def __init__(self, owner: RequestConsumer) -> None:
        self._owner = owner

    async def on_partitions_revoked(self, revoked: set[TopicPartition]) -> None:
        try:
            await self._owner.commit()
        except KafkaError as exc:
            log.warning("commit_on_revoke_failed", error=repr(exc))
        self._owner.forget(revoked)

    async def on_partitions_assigned(self, assigned: set[TopicPartition]) -> None:
        log.info(
            "partitions_assigned",
            partitions=sorted(f"{tp.topic}:{tp.partition}" for tp in assigned),
        )
