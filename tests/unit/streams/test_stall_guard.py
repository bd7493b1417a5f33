"""The stall guard rewinds a lagging partition only when nothing has moved for the stall time
and none of its messages is in flight; each stall is reported once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from streams.stall_guard import Rewind, StalledPartitionGuard


@dataclass
class FakeConsumer:
    committed_offsets: dict[str, int | None] = field(default_factory=dict)
    log_ends: dict[str, int | None] = field(default_factory=dict)
    unacked: dict[str, int] = field(default_factory=dict)
    is_ready: bool = True

    def ready(self) -> bool:
        return self.is_ready

    def stream_partitions(self) -> Iterable[str]:
        return list(self.log_ends)

    def committed(self, partition: str) -> int | None:
        return self.committed_offsets.get(partition)

    def log_end(self, partition: str) -> int | None:
        return self.log_ends.get(partition)

    def in_flight(self, partition: str) -> int:
        return self.unacked.get(partition, 0)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def guard_over(consumer: FakeConsumer, clock: Clock) -> StalledPartitionGuard:
    return StalledPartitionGuard(consumer, stall_after_s=30.0, clock=clock)


def test_a_partition_lagging_without_progress_is_rewound_once_per_stall() -> None:
    consumer = FakeConsumer({"p0": 4, "p1": 10}, {"p0": 40, "p1": 10})
    clock = Clock()
    guard = guard_over(consumer, clock)
    assert guard.check() == []  # first sight starts the watch
    clock.now = 29.0
    assert guard.check() == []
    clock.now = 30.0
    assert guard.check() == [Rewind("p0", 4, 40)]  # p1 is caught up
    clock.now = 31.0
    assert guard.check() == []  # the watch restarts after a rewind
    clock.now = 60.0
    assert guard.check() == [Rewind("p0", 4, 40)]


def test_progress_in_the_committed_offset_restarts_the_watch() -> None:
    consumer = FakeConsumer({"p0": 4}, {"p0": 40})
    clock = Clock()
    guard = guard_over(consumer, clock)
    guard.check()
    clock.now = 20.0
    consumer.committed_offsets["p0"] = 9
    assert guard.check() == []
    clock.now = 45.0
    assert guard.check() == []
    clock.now = 50.0
    assert guard.check() == [Rewind("p0", 9, 40)]


def test_messages_in_flight_or_a_worker_not_ready_are_never_a_stall() -> None:
    consumer = FakeConsumer({"p0": 4}, {"p0": 40}, unacked={"p0": 3})
    clock = Clock()
    guard = guard_over(consumer, clock)
    for now in (0.0, 40.0, 80.0):
        clock.now = now
        assert guard.check() == []
    consumer.unacked, consumer.is_ready = {}, False
    clock.now = 120.0
    assert guard.check() == []
    consumer.is_ready = True
    clock.now = 121.0
    assert guard.check() == []  # the watch starts only now
    clock.now = 151.0
    assert guard.check() == [Rewind("p0", 4, 40)]


def test_a_partition_never_committed_with_a_backlog_is_rewound_to_none() -> None:
    consumer = FakeConsumer({}, {"p0": 12, "p1": None, "p2": 0})
    clock = Clock()
    guard = guard_over(consumer, clock)
    guard.check()
    clock.now = 30.0
    assert guard.check() == [Rewind("p0", None, 12)]  # None: seek to the earliest offset


def test_a_partition_that_catches_up_is_forgotten() -> None:
    consumer = FakeConsumer({"p0": 4}, {"p0": 40})
    clock = Clock()
    guard = guard_over(consumer, clock)
    guard.check()
    clock.now = 20.0
    consumer.committed_offsets["p0"] = 40
    assert guard.check() == []
    consumer.log_ends["p0"] = 41  # a new event: a fresh watch, not the old one
    clock.now = 35.0
    assert guard.check() == []
    clock.now = 64.0
    assert guard.check() == []
    clock.now = 65.0
    assert guard.check() == [Rewind("p0", 40, 41)]


def test_a_message_stuck_on_one_partition_does_not_shield_another() -> None:
    consumer = FakeConsumer({"p0": 4, "p1": 7}, {"p0": 40, "p1": 9}, unacked={"p1": 1})
    clock = Clock()
    guard = guard_over(consumer, clock)
    guard.check()
    clock.now = 30.0
    assert guard.check() == [Rewind("p0", 4, 40)]  # p1 is working on its message
    consumer.unacked = {}
    clock.now = 59.0
    assert guard.check() == []
    clock.now = 60.0
    assert guard.check() == [Rewind("p0", 4, 40), Rewind("p1", 7, 9)]
