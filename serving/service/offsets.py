"""Which consumed offsets may be committed: per partition, only the contiguous completed prefix.

Requests complete out of order (batches pipeline, HTTP asks share the model, a dead letter is
quicker than a copy), but a Kafka commit means "everything before this offset is handled". So a
partition's commit point is one past the last offset of its completed prefix, and an offset
still generating holds back every later one: after a crash they are redone, never lost.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)


@dataclass
class _Partition:
    order: deque[int] = field(default_factory=deque)  # tracked, in consumption order
    open: set[int] = field(default_factory=set)  # tracked and not done yet
    last_tracked: int = -1
    committable: int | None = None  # one past the completed prefix
    committed: int | None = None


class OffsetTracker(Generic[K]):
    """Pure bookkeeping (no Kafka): `track` what was consumed, `done` what was produced."""

    def __init__(self) -> None:
        self._partitions: dict[K, _Partition] = {}

    def track(self, partition: K, offset: int) -> None:
        """Record a consumed offset. Offsets of a partition arrive increasing; a smaller one
        means the consumer was sent back (a seek), so that partition starts over from it."""
        state = self._partitions.setdefault(partition, _Partition())
        if offset <= state.last_tracked:
            state.order.clear()
            state.open.clear()
        state.order.append(offset)
        state.open.add(offset)
        state.last_tracked = offset

    def done(self, partition: K, offset: int) -> None:
        """Mark an offset handled; offsets not tracked (a forgotten partition) are ignored."""
        state = self._partitions.get(partition)
        if state is None or offset not in state.open:
            return
        state.open.discard(offset)
        while state.order and state.order[0] not in state.open:
            state.committable = state.order.popleft() + 1

    def commit_points(self) -> dict[K, int]:
        """Per partition whose completed prefix grew since `committed()`: the offset to commit
        (Kafka's convention: the next offset to read)."""
        return {
            key: state.committable
            for key, state in self._partitions.items()
            if state.committable is not None and state.committable != state.committed
        }

    def committed(self, points: dict[K, int]) -> None:
        for key, offset in points.items():
            if key in self._partitions:
                self._partitions[key].committed = offset

    def forget(self, partitions: Iterable[K]) -> None:
        """Drop revoked partitions; late `done` calls for them are ignored."""
        for key in partitions:
            self._partitions.pop(key, None)

    @property
    def in_flight(self) -> int:
        """Offsets tracked and not yet done, over all partitions."""
        return sum(len(state.open) for state in self._partitions.values())
