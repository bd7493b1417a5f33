"""The outcome joiner's I/O: apply micro-batches, close windows, write the log, ship state.

Delivery: a batch's messages are acked only once the state changes they caused are on the
table's changelog, so a restarted worker either sees an event's effect in its state (a replay
is then dropped by event id) or reads the event again. Closing writes the Parquet file first
and only then ships the state that forgets the copy: a crash in between writes the record again
on restart, and the log reader keeps one record per copy id. Batches and window checks take one
lock, so neither ships the other's half-done changes.
"""

from __future__ import annotations

import asyncio
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pyarrow as pa

from contracts.logs import get_logger
from features.outcome_log import OutcomeLogWriter
from streams.messages import RawMessage
from streams.outcomes import metrics
from streams.outcomes.join import DueCopies, OutcomeJoiner
from streams.outcomes.state import FaustOutcomeTable
from streams.record_batches import RecordBatchSender

log = get_logger(__name__)
Assignment = tuple[int, frozenset[Any]]  # consumer generation, active topic partitions


class OutcomeJoinAgent:
    def __init__(
        self,
        joiner: OutcomeJoiner,
        table: FaustOutcomeTable,
        app: Any,
        writer: OutcomeLogWriter,
        copies_topic: str,
        events_topic: str,
    ) -> None:
        self._joiner = joiner
        self._table = table
        self._records = RecordBatchSender(app)
        self._writer = writer
        self._copies_topic = copies_topic
        self._events_topic = events_topic
        self._lock = asyncio.Lock()
        self._io = ThreadPoolExecutor(max_workers=1, thread_name_prefix="outcome-log")
        self._indexed: tuple[int, frozenset[int]] | None = None

    async def join(self, messages: list[RawMessage], assignment: Assignment) -> None:
        """Apply one micro-batch; returns once its state changes are delivered (ack after)."""
        async with self._lock:
            self._refresh_index(assignment)
            result = self._joiner.process(messages, self._copies_topic, time.time())
            for (kind, outcome), n in result.outcomes.items():
                metrics.OUTCOME_EVENTS.labels(kind, outcome).inc(n)
            deliveries = await self._send_changes()
        await asyncio.gather(*deliveries)

    async def close_windows(self, assignment: Assignment) -> None:
        """Write the records of windows closed by now, then forget their copies."""
        async with self._lock:
            self._refresh_index(assignment)
            now = time.time()
            due = self._joiner.due(now)
            for reason, n in due.dropped.items():
                metrics.OUTCOME_RECORDS.labels(reason).inc(n)
            if due.records and await self._write(due):
                self._joiner.finish(due.records, now)
            deliveries = await self._send_changes()
        await asyncio.gather(*deliveries)

    def close(self) -> None:
        self._io.shutdown(wait=True)

    async def _write(self, due: DueCopies) -> bool:
        """True once the records are durable in the log; False (retried next check) when the
        log's storage failed, which must not stop the joiner."""
        records = [record for _, record in due.records]
        started = time.perf_counter()
        loop = asyncio.get_running_loop()
        try:
            paths = await loop.run_in_executor(self._io, self._writer.write, records)
        except (OSError, pa.ArrowException) as exc:
            metrics.OUTCOME_RECORDS.labels("write_failed").inc(len(records))
            log.error(
                "outcome_log_write_failed",
                uri=self._writer.uri,
                records=len(records),
                error=repr(exc),
                hint="check the outcome log path and its permissions; the write is retried",
            )
            return False
        metrics.FLUSH_SECONDS.observe(time.perf_counter() - started)
        metrics.OUTCOME_RECORDS.labels("written").inc(len(records))
        log.info(
            "outcome_records_written",
            records=len(records),
            files=paths,
            copy_ids=[record.copy_id for record in records[:20]],
        )
        return True

    def _refresh_index(self, assignment: Assignment) -> None:
        """Rebuild the joiner's indexes from the table after each rebalance (a new consumer
        generation); call only once the table is recovered.

        Only active partitions count: a standby's copies are closed by their active worker.
        """
        generation, actives = assignment
        partitions = frozenset(tp.partition for tp in actives if tp.topic == self._events_topic)
        if (generation, partitions) == self._indexed:
            return
        keys = []
        for key in self._table.stored_keys():
            state = self._table.get(key)
            if state is not None and state.partition in partitions:
                keys.append(key)
        self._joiner.reindex(keys, partitions, time.time())
        self._indexed = (generation, partitions)
        log.info("outcome_index_rebuilt", partitions=sorted(partitions), copies=len(keys))

    async def _send_changes(self) -> list[Any]:
        """Ship the table's changes in record batches, deletes as Kafka tombstones in the same
        batches. Returns the delivery futures."""
        topic = self._table.changelog_topic
        deliveries: list[Any] = []
        for partition, changes in self._table.take_changes().items():
            deliveries += await self._records.send(topic, partition, changes)
        return deliveries
