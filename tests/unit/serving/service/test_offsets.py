"""Offsets are committed per partition only up to the contiguous prefix of finished records."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from serving.service.offsets import OffsetTracker

Partition = tuple[str, int]
A, B = ("copy-requests", 0), ("copy-requests", 1)


def _tracker() -> OffsetTracker[Partition]:
    return OffsetTracker()


def test_only_the_contiguous_done_prefix_is_committable():
    tracker = _tracker()
    for offset in range(5):
        tracker.track(A, offset)
    tracker.done(A, 1)
    tracker.done(A, 2)
    assert tracker.commit_points() == {}  # offset 0 still generating holds 1 and 2 back
    tracker.done(A, 0)
    assert tracker.commit_points() == {A: 3}
    tracker.done(A, 4)
    assert tracker.commit_points() == {A: 3}
    tracker.done(A, 3)
    assert tracker.commit_points() == {A: 5}
    assert tracker.in_flight == 0


def test_partitions_advance_independently():
    tracker = _tracker()
    tracker.track(A, 10)
    tracker.track(B, 7)
    tracker.track(B, 8)
    tracker.done(B, 7)
    assert tracker.commit_points() == {B: 8}
    tracker.done(A, 10)
    assert tracker.commit_points() == {A: 11, B: 8}


def test_a_commit_point_is_offered_once_until_it_advances():
    tracker = _tracker()
    tracker.track(A, 0)
    tracker.track(A, 1)
    tracker.done(A, 0)
    tracker.committed(tracker.commit_points())
    assert tracker.commit_points() == {}
    tracker.done(A, 1)
    assert tracker.commit_points() == {A: 2}


def test_gaps_in_offsets_do_not_block_the_prefix():
    """Compacted topics and transaction markers leave holes; only tracked offsets count."""
    tracker = _tracker()
    tracker.track(A, 3)
    tracker.track(A, 9)
    tracker.done(A, 3)
    tracker.done(A, 9)
    assert tracker.commit_points() == {A: 10}


def test_forgotten_partitions_ignore_late_completions():
    tracker = _tracker()
    tracker.track(A, 0)
    tracker.forget([A])
    tracker.done(A, 0)
    assert tracker.commit_points() == {}
    assert tracker.in_flight == 0


def test_a_seek_back_restarts_the_partition_from_there():
    tracker = _tracker()
    for offset in (5, 6):
        tracker.track(A, offset)
    tracker.track(A, 5)  # re-delivered after a seek
    tracker.done(A, 5)
    assert tracker.commit_points() == {A: 6}
    assert tracker.in_flight == 0


@given(st.permutations(list(range(12))), st.integers(0, 12))
def test_commit_point_is_one_past_the_longest_done_prefix(order, finished):
    tracker = _tracker()
    for offset in range(12):
        tracker.track(A, offset)
    done = set(order[:finished])
    for offset in order[:finished]:
        tracker.done(A, offset)
    prefix = 0
    while prefix in done:
        prefix += 1
    assert tracker.commit_points().get(A, 0) == prefix
    assert tracker.in_flight == 12 - finished
