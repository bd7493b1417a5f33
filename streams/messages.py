"""The parts of a Kafka message the processors need, independent of Faust."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from contracts.dead_letter import DeadLetter


@dataclass(frozen=True, slots=True)
class RawMessage:
    key: bytes | None
    value: bytes | None
    topic: str
    partition: int
    offset: int
    timestamp: float = 0.0

    def dead_letter(self, error_type: str, reason: str, worker: str) -> DeadLetter:
        """This message, rejected: raw bytes, where it came from and why."""
        return DeadLetter.for_record(self, error_type, reason, worker)

    @classmethod
    def from_faust(cls, message: Any) -> RawMessage:
        return cls(
            key=message.key,
            value=message.value,
            topic=message.topic,
            partition=message.partition,
            offset=message.offset,
            timestamp=message.timestamp,
        )
