"""Sends many records to one partition as Kafka record batches through Faust's producer.

Going through Faust's per-message `send` costs ~50 µs a record; a micro-batch changes
thousands of keys. The records go through the same aiokafka producer Faust flushes before
every offset commit, so they are durable before the offsets that produced them are committed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

from aiokafka.partitioner import murmur2

from streams.faust_internals import aiokafka_producer


class RecordBatchSender:
    def __init__(self, app: Any) -> None:
        self._app = app

    @staticmethod
    def partition_for(key: bytes, partitions: int) -> int:
        """The partition Kafka's default partitioner (murmur2) picks for `key`.

        Computed here rather than by the producer, which needs the topic's metadata first and
        has none for a topic created a moment ago.
        """
        return (murmur2(key) & 0x7FFFFFFF) % partitions

    async def send(
        self, topic: str, partition: int, records: Sequence[tuple[bytes, bytes | None]]
    ) -> list[asyncio.Future[Any]]:
        """Queue `records` (a None value is a tombstone) for `topic`/`partition`, in order;
        returns the delivery futures (not awaited)."""
        producer = aiokafka_producer(self._app)
        pending: list[asyncio.Future[Any]] = []
        batch = producer.create_batch()
        for key, value in records:
            if batch.append(key=key, value=value, timestamp=None) is None:
                pending.append(await producer.send_batch(batch, topic, partition=partition))
                batch = producer.create_batch()
                if batch.append(key=key, value=value, timestamp=None) is None:
                    size = len(value or b"")
                    raise ValueError(f"record of {size} bytes exceeds the max batch size")
        if batch.record_count():
            pending.append(await producer.send_batch(batch, topic, partition=partition))
        return pending
