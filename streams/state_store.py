"""Changelog-backed keyed state on top of a Faust table, with explicit changelog partitions.

Faust picks a table's changelog partition from the event being processed; a micro-batch mixes
partitions, so `put` names the partition (that of the key's source message) itself. Values are
kept decoded in memory and serialised only for the changelog; after recovery they arrive as
bytes and are decoded on first use.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, Protocol, TypeVar

T = TypeVar("T")


class Serialisable(Protocol):
    def to_bytes(self) -> bytes: ...


S = TypeVar("S", bound=Serialisable)


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
        if key_partitions is not None:
            key_partitions[key] = partition
        self._table.send_changelog(partition, key, value.to_bytes(), value_serializer="raw")
