"""Produces behaviour events to `user-events` with kafka-python, keyed by user id."""

from __future__ import annotations

import time
from collections.abc import Iterable

from tqdm import tqdm

from contracts.events import BehaviourEvent, event_to_json
from contracts.settings import Settings


class EventReplayer:
    """`rate_per_s=None` sends as fast as the producer can; otherwise paces to the rate."""

    def __init__(self, settings: Settings, linger_ms: int = 5) -> None:
        from kafka import KafkaProducer

        self._topic = settings.kafka.topics.user_events
        self._producer = KafkaProducer(
            bootstrap_servers=settings.kafka.bootstrap_servers,
            linger_ms=linger_ms,
            batch_size=256 * 1024,
            compression_type=None,
        )

    def send(
        self,
        events: Iterable[BehaviourEvent],
        rate_per_s: float | None = None,
        total: int | None = None,
        progress: bool = True,
        flush: bool = True,
    ) -> int:
        started = time.perf_counter()
        sent = 0
        for event in tqdm(events, total=total, disable=not progress, unit="ev", desc="replay"):
            self._producer.send(self._topic, key=event.user_id.encode(), value=event_to_json(event))
            sent += 1
            if rate_per_s:
                ahead = sent / rate_per_s - (time.perf_counter() - started)
                if ahead > 0:
                    time.sleep(ahead)
        if flush:
            self._producer.flush()
        return sent

    def send_raw(self, key: bytes | None, value: bytes) -> None:
        self._producer.send(self._topic, key=key, value=value)

    def close(self) -> None:
        self._producer.flush()
        self._producer.close()
