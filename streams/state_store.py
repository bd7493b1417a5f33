"""Changelog-backed keyed state on top of a Faust table, with explicit changelog partitions.

Faust picks a table's changelog partition from the event being processed and sends one
message per `table[key] = value`. A micro-batch mixes partitions and touches a key many
times, and a timer has no event at all, so here `put` and `delete` only record the latest
change per key and its partition; the caller then ships all changes at once (`take_changes`)
in Kafka record batches, deletes as tombstones. Values are kept decoded in memory; after
recovery they arrive as bytes and are decoded on first use. The feature worker's tables and
the outcome joiner's table all go through `FaustTableState`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Generic, Protocol, TypeVar

from streams.faust_internals import table_key_partitions, table_values

T = TypeVar("T")


class Serialisable(Protocol):
    def to_bytes(self) -> bytes: ...


S = TypeVar("S", bound=Serialisable)
# partition -> [(key, value)], in the order of the first change of each key; None deletes
Changes = dict[int, list[tuple[bytes, bytes | None]]]


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
    """Keyed state on a Faust table with the memory store (`value_type=bytes`), written
    around Faust (`streams.faust_internals`) so each change carries its own partition.

    Keys are strings; the changelog keys are their JSON, what Faust uses for `key_type=str`
    tables, so recovery restores them. Values are written with `to_bytes` and read back with
    `decode`.
    """

    def __init__(self, table: Any, decode: Callable[[bytes], S]) -> None:
        self._table = table
        self._decode = decode
        self._dirty: dict[str, tuple[S | None, int]] = {}

    @property
    def changelog_topic(self) -> str:
        return str(self._table.changelog_topic.get_topic_name())

    def get(self, key: str) -> S | None:
        values = table_values(self._table)
        value = values.get(key)
        if isinstance(value, bytes | bytearray):
            value = self._decode(bytes(value))
            values[key] = value
        return value

    def put(self, key: str, value: S, partition: int) -> None:
        table_values(self._table)[key] = value
        # the memory store forgets keys of revoked partitions by this map after recovery
        table_key_partitions(self._table)[key] = partition
        self._dirty[key] = (value, partition)

    def delete(self, key: str, partition: int) -> None:
        """Forget `key` here and, once shipped, in the changelog (a tombstone on `partition`)."""
        table_values(self._table).pop(key, None)
        table_key_partitions(self._table).pop(key, None)
        self._dirty[key] = (None, partition)

    def keys(self) -> list[str]:
        """Keys of the partitions this worker holds now (active and standby)."""
        return [str(key) for key in list(table_values(self._table))]

    def take_changes(self) -> Changes:
        """Changelog records of every put and delete since the last call, by partition."""
        changes: Changes = {}
        for key, (value, partition) in self._dirty.items():
            record = value.to_bytes() if value is not None else None
            changes.setdefault(partition, []).append((json.dumps(key).encode(), record))
        self._dirty.clear()
        return changes
