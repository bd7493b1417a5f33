"""What goes to `dead-letters`: enough to replay the message after fixing the cause."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field


class KafkaRecord(Protocol):
    """What a dead letter needs of a consumed record (aiokafka's, kafka-python's, ours)."""

    @property
    def key(self) -> bytes | None: ...
    @property
    def value(self) -> bytes | None: ...
    @property
    def topic(self) -> str: ...
    @property
    def partition(self) -> int: ...
    @property
    def offset(self) -> int: ...


class DeadLetter(BaseModel):
    """A rejected message: raw bytes (base64), where it came from and why it was rejected.

    Delivery is at-least-once: a worker restart may dead-letter the same source offset twice;
    `(source_topic, source_partition, source_offset)` identifies it.
    """

    model_config = ConfigDict(frozen=True)

    source_topic: str
    source_partition: int
    source_offset: int
    error_type: str
    reason: str
    raw_value_b64: str
    raw_key_b64: str | None = None
    worker: str
    failed_at: datetime = Field(default_factory=lambda: datetime.now(UTC))

    @classmethod
    def for_message(
        cls,
        *,
        value: bytes | None,
        key: bytes | None,
        topic: str,
        partition: int,
        offset: int,
        error_type: str,
        reason: str,
        worker: str,
    ) -> DeadLetter:
        return cls(
            source_topic=topic,
            source_partition=partition,
            source_offset=offset,
            error_type=error_type,
            reason=reason,
            raw_value_b64=base64.b64encode(value or b"").decode(),
            raw_key_b64=base64.b64encode(key).decode() if key is not None else None,
            worker=worker,
        )

    @classmethod
    def for_record(
        cls, record: KafkaRecord, error_type: str, reason: str, worker: str
    ) -> DeadLetter:
        return cls.for_message(
            value=record.value,
            key=record.key,
            topic=record.topic,
            partition=record.partition,
            offset=record.offset,
            error_type=error_type,
            reason=reason,
            worker=worker,
        )

    @property
    def log_fields(self) -> dict[str, object]:
        """Where it came from and why, for the `dead_letter` log event."""
        return {
            "topic": self.source_topic,
            "partition": self.source_partition,
            "offset": self.source_offset,
            "error_type": self.error_type,
            "reason": self.reason,
        }

    @property
    def raw_value(self) -> bytes:
        return base64.b64decode(self.raw_value_b64)
