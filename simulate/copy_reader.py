"""Reads `generated-copy` as a shop would: every partition, from the start or from now."""

from __future__ import annotations

import time
from collections.abc import Callable

from contracts.copies import GeneratedCopy
from contracts.settings import Settings


class GeneratedCopyReader:
    """A group-less kafka-python consumer; `read()` returns copies with the time they arrived."""

    def __init__(self, settings: Settings, from_beginning: bool = True) -> None:
        from kafka import KafkaConsumer, TopicPartition

        topic = settings.kafka.topics.generated_copy
        self._consumer = KafkaConsumer(
            bootstrap_servers=settings.kafka.bootstrap_servers,
            enable_auto_commit=False,
            fetch_max_wait_ms=5,
        )
        partitions = [TopicPartition(topic, p) for p in range(settings.kafka.partitions)]
        self._consumer.assign(partitions)
        if from_beginning:
            self._consumer.seek_to_beginning(*partitions)
        else:
            self._consumer.seek_to_end(*partitions)
            for partition in partitions:  # resolve the end offsets now, not at the first poll
                self._consumer.position(partition)

    def read(self, timeout_s: float = 0.1) -> list[tuple[GeneratedCopy, float]]:
        """Copies that arrived within `timeout_s`, each with its arrival time (`time.time()`)."""
        batches = self._consumer.poll(timeout_ms=int(timeout_s * 1000))
        arrived = time.time()
        return [
            (GeneratedCopy.model_validate_json(record.value), arrived)
            for records in batches.values()
            for record in records
        ]

    def read_until(
        self, done: Callable[[list[GeneratedCopy]], bool], timeout_s: float
    ) -> list[GeneratedCopy]:
        """Everything read until `done(all copies so far)` holds; TimeoutError otherwise."""
        copies: list[GeneratedCopy] = []
        deadline = time.monotonic() + timeout_s
        while not done(copies):
            if time.monotonic() > deadline:
                raise TimeoutError(f"read {len(copies)} copies in {timeout_s:.0f}s; not done")
            copies += [copy for copy, _ in self.read()]
        return copies

    def close(self) -> None:
        self._consumer.close()
