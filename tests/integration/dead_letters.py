"""Reads `dead-letters` from the beginning until a test has what it waits for."""

from __future__ import annotations

from collections.abc import Callable

from kafka import KafkaConsumer

from contracts.dead_letter import DeadLetter
from contracts.settings import Settings
from tests.polling import poll_until


def read_dead_letters(
    settings: Settings,
    done: Callable[[list[DeadLetter]], bool],
    timeout_s: float,
    what: str,
) -> list[DeadLetter]:
    """Every dead letter on the topic so far, once `done(all read so far)` holds."""
    consumer = KafkaConsumer(
        settings.kafka.topics.dead_letters,
        bootstrap_servers=settings.kafka.bootstrap_servers,
        auto_offset_reset="earliest",
        consumer_timeout_ms=1_000,
    )
    letters: list[DeadLetter] = []
    try:

        def collect() -> bool:
            letters.extend(DeadLetter.model_validate_json(m.value) for m in consumer)
            return done(letters)

        poll_until(collect, timeout_s, what)
    finally:
        consumer.close()
    return letters
