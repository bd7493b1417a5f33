"""Changelog-backed keyed state on top of a Faust table, with explicit changelog partitions.

Faust picks a table's changelog partition from the event being processed and sends one
message per `table[key] = value`. A micro-batch mixes partitions and touches a user many
times, so here `put` only records the latest value per key and its partition; the agent then
ships all changes of the batch at once (`take_changes`) in Kafka record batches. Values are
kept decoded in memory; after recovery they arrive as bytes and are decoded on first use.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Generic, Protocol, TypeVar

T = TypeVar("T")


class Serialisable(Protocol):
    def to_bytes(self) -> bytes: ...


S = TypeVar("S", bound=Serialisable)
Changes = dict[int, list[tuple[bytes, bytes]]]  # partition -> [(key, value)]


class KeyedState(Protocol[T]):
    def get(self, key: str) -> T | None: ...

    def put(self, key: str, value: T, partition: int) -> None: ...


class DictState(Generic[S]):
    """In-memory KeyedState for unit tests and tools (no changelog)."""

    def __init__(self) -> None:
        self.data: dict[str, S] = {}
        self.partitions: dict[str, int] = {}

    def get(self, key: str) -> S | None:
        return self.data.get(key)

    def put(self, key: str, value: S, partition: int) -> None:
        self.data[key] = value
        self.partitions[key] = partition


class FaustTableState(Generic[S]):
    def __init__(self, table: Any, decode: Callable[[bytes], S]) -> None:
        self._table = table
        self._decode = decode
        self._dirty: dict[str, tuple[S, int]] = {}

    @property
    def changelog_topic(self) -> str:
        return str(self._table.changelog_topic.get_topic_name())

    def get(self, key: str) -> S | None:
        store = self._table.data
        value = store.get(key)
        if isinstance(value, bytes | bytearray):
            value = self._decode(bytes(value))
            store.data[key] = value
        return value

    def put(self, key: str, value: S, partition: int) -> None:
        store = self._table.data
        store.data[key] = value
        key_partitions = getattr(store, "_key_partition", None)
        if key_partitions is not None:  # the memory store forgets keys of revoked partitions
            key_partitions[key] = partition
        self._dirty[key] = (value, partition)

    def keys(self) -> list[str]:
        """Keys of the partitions this worker holds now."""
        return [str(key) for key in list(self._table.data)]

    def take_changes(self) -> Changes:
        """Changelog records of everything `put` since the last call, grouped by partition."""
        changes: Changes = {}
        for key, (value, partition) in self._dirty.items():
            # JSON keys: what Faust uses for `key_type=str` tables, so recovery decodes them
            changes.setdefault(partition, []).append((json.dumps(key).encode(), value.to_bytes()))
        self._dirty.clear()
        return changes
