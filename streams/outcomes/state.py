"""What the outcome joiner remembers per copy, and the changelog-backed table that keeps it.

One entry per (user, copy id), on the user's `user-events` partition: the copy itself once it
arrived, when it was first shown, the distinct events counted for it and their ids (so a
replayed event is never counted twice). Once its record is written the entry shrinks to a
tombstone that still recognises late events, and is deleted later with a changelog tombstone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

import orjson

from streams.state_store import Changes, FaustTableState


def state_key(user_id: str, copy_id: str) -> str:
    """Entries are per user too: a copy only ever earns its own shopper's events."""
    return f"{user_id}/{copy_id}"


@dataclass(slots=True)
class CopyOutcomeState:
    """One copy's join so far. Times are seconds: `first_seen` and `forget_at` wall clock,
    `shown_at` the event time of the first impression."""

    copy_id: str
    user_id: str
    product_id: str
    partition: int
    first_seen: float
    copy_json: str | None = None  # the GeneratedCopy as received, once it has arrived
    shown_at: float | None = None
    counts: dict[str, int] = field(default_factory=dict)  # OutcomeKind value -> distinct events
    seen: list[str] = field(default_factory=list)  # ids of the events counted
    forget_at: float | None = None  # set once the record is written (a tombstone)

    @property
    def written(self) -> bool:
        return self.forget_at is not None

    def to_bytes(self) -> bytes:
        return orjson.dumps(
            [
                self.copy_id,
                self.user_id,
                self.product_id,
                self.partition,
                self.first_seen,
                self.copy_json,
                self.shown_at,
                self.counts,
                self.seen,
                self.forget_at,
            ]
        )

    @classmethod
    def from_bytes(cls, raw: bytes) -> CopyOutcomeState:
        return cls(*orjson.loads(raw))


class OutcomeStates(Protocol):
    """The keyed store the joiner works on (a Faust table in the worker, a dict in tests)."""

    def get(self, key: str) -> CopyOutcomeState | None: ...

    def put(self, key: str, state: CopyOutcomeState) -> None: ...

    def delete(self, key: str, partition: int) -> None: ...

    def stored_keys(self) -> Iterable[str]: ...


class DictOutcomeStates:
    """In-memory OutcomeStates for unit tests and tools (no changelog)."""

    def __init__(self) -> None:
        self.data: dict[str, CopyOutcomeState] = {}

    def get(self, key: str) -> CopyOutcomeState | None:
        return self.data.get(key)

    def put(self, key: str, state: CopyOutcomeState) -> None:
        self.data[key] = state

    def delete(self, key: str, partition: int) -> None:
        self.data.pop(key, None)

    def stored_keys(self) -> list[str]:
        return list(self.data)


class FaustOutcomeTable:
    """OutcomeStates on a Faust table: `streams.state_store.FaustTableState` keyed by
    `state_key`, each entry on its copy's `user-events` partition.

    Faust's own `del table[key]` needs the event being processed to pick the changelog
    partition, and the window timer has none; the caller ships every put and delete with its
    partition (`take_changes`), deletes as Kafka tombstones.
    """

    def __init__(self, table: Any) -> None:
        self._state: FaustTableState[CopyOutcomeState] = FaustTableState(
            table, CopyOutcomeState.from_bytes
        )

    @property
    def changelog_topic(self) -> str:
        return self._state.changelog_topic

    def get(self, key: str) -> CopyOutcomeState | None:
        return self._state.get(key)

    def put(self, key: str, state: CopyOutcomeState) -> None:
        self._state.put(key, state, state.partition)

    def delete(self, key: str, partition: int) -> None:
        self._state.delete(key, partition)

    def stored_keys(self) -> list[str]:
        """Keys of the partitions this worker holds now (active and standby)."""
        return self._state.keys()

    def take_changes(self) -> Changes:
        """Changelog records of every put and delete since the last call, by partition."""
        return self._state.take_changes()
