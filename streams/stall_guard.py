"""Rewinds a stream partition whose fetched records never reached an agent.

A Faust worker restarted after a crash can fetch a partition's backlog while it is still
resuming (recovery, seek, flow control) and drop what it fetched: the consumer's position
moves past records no agent ever took, nothing acks them, and the committed offset stays
behind. Faust fetches no partition twice, so the records stay unread until the next restart:
the worker looks alive and serves new events, but the backlog of the crash is lost for now
(faust-streaming 0.15; its issue 629 describes partitions that fetch nothing after a restart).

The guard watches for exactly that shape: a partition with lag (log end beyond the committed
offset) whose committed offset has not moved for `stall_after_s` while the worker holds no
unacked message of that partition (a message stuck on another partition must not shield it). It
then seeks the partition back to its committed offset (the earliest
offset when nothing was ever committed), which is what a restart would do. Processing is
idempotent (event ids, request ids, watermarks), so a rewind of records that were in fact
processed costs a re-read, never a double count.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

import faust

from contracts.logs import get_logger
from streams import metrics
from streams.faust_internals import committed_offset, consumer_flow_active, recovery_completed

log = get_logger(__name__)


@dataclass(frozen=True)
class Rewind:
    """One partition to seek back: from where nothing moved, up to the log end it lags."""

    partition: Any  # faust TP
    committed: int | None  # None: the group never committed this partition
    log_end: int


class ConsumerView(Protocol):
    """What the guard reads off a Faust worker (`FaustConsumerView`; tests use fakes)."""

    def ready(self) -> bool: ...

    def stream_partitions(self) -> Iterable[Any]: ...

    def committed(self, partition: Any) -> int | None: ...

    def log_end(self, partition: Any) -> int | None: ...

    def in_flight(self, partition: Any) -> int: ...


@dataclass
class _Watch:
    committed: int | None
    since: float


class StalledPartitionGuard:
    """Decides which partitions are stalled; `check` is called on a timer."""

    def __init__(
        self,
        view: ConsumerView,
        stall_after_s: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._view = view
        self._stall_after_s = stall_after_s
        self._clock = clock
        self._watches: dict[Any, _Watch] = {}

    def check(self) -> list[Rewind]:
        """The partitions stalled for `stall_after_s`; each is reported once per stall."""
        view, now = self._view, self._clock()
        if not view.ready():
            self._watches.clear()  # resuming: not a stall
            return []
        rewinds: list[Rewind] = []
        lagging = set()
        for partition in view.stream_partitions():
            committed, end = view.committed(partition), view.log_end(partition)
            if end is None or end <= (committed or 0):
                continue
            lagging.add(partition)
            watch = self._watches.get(partition)
            if watch is None or watch.committed != committed or view.in_flight(partition):
                self._watches[partition] = _Watch(committed, now)  # moved, or work under way
            elif now - watch.since >= self._stall_after_s:
                rewinds.append(Rewind(partition, committed, end))
                self._watches[partition] = _Watch(committed, now)
        for partition in set(self._watches) - lagging:
            del self._watches[partition]
        return rewinds


class FaustConsumerView:
    """A Faust app's consumer as the guard sees it.

    Committed offsets and the log end come from Faust's consumer; what Faust keeps private
    (committed offsets, recovery and flow state) is read through `streams.faust_internals`."""

    def __init__(self, app: faust.App) -> None:
        self._app = app

    def ready(self) -> bool:
        app = self._app
        return recovery_completed(app) and not app.rebalancing and consumer_flow_active(app)

    def stream_partitions(self) -> Iterable[Any]:
        """Partitions an agent reads and acks (not table changelogs, not the assignor's)."""
        conductor = self._app.topics
        changelogs = self._app.tables.changelog_topics
        return [
            tp
            for tp in self._app.consumer.assignment()
            if conductor.acks_enabled_for(tp.topic) and tp.topic not in changelogs
        ]

    def committed(self, partition: Any) -> int | None:
        return committed_offset(self._app, partition)

    def log_end(self, partition: Any) -> int | None:
        end: int | None = self._app.consumer.highwater(partition)
        return end

    def in_flight(self, partition: Any) -> int:
        return sum(1 for message in list(self._app.consumer.unacked) if message.tp == partition)

    async def rewind(self, rewind: Rewind) -> int:
        """Seek to the committed offset, or the earliest one; returns the offset."""
        consumer = self._app.consumer
        offset = rewind.committed
        if offset is None:
            offset = (await consumer.earliest_offsets(rewind.partition))[rewind.partition]
        await consumer.seek(rewind.partition, offset)
        return offset


def install_stall_guard(app: faust.App, check_interval_s: float, stall_after_s: float) -> None:
    """Run the guard on a timer of `app`."""
    view = FaustConsumerView(app)
    guard = StalledPartitionGuard(view, stall_after_s)

    @app.timer(check_interval_s)
    async def rewind_stalled_partitions() -> None:
        for rewind in guard.check():
            offset = await view.rewind(rewind)
            tp = rewind.partition
            metrics.PARTITION_REWINDS.labels(tp.topic).inc()
            log.warning(
                "stream_partition_rewound",
                topic=tp.topic,
                partition=tp.partition,
                committed=rewind.committed,
                log_end=rewind.log_end,
                seek_to=offset,
                stalled_for_s=stall_after_s,
            )
