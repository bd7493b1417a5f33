"""Sliding-window counts over fixed-size time buckets, as pure functions of event time.

An event counts in a window of W seconds if its bucket is one of the last W / bucket_seconds
buckets ending at the bucket of the entity's newest event ("now" is event time, not wall time,
so replays give the same numbers). Buckets older than the longest window are pruned.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, MutableMapping

Buckets = MutableMapping[int, int]


def bucket_of(ts_seconds: float, bucket_seconds: int) -> int:
    return int(ts_seconds // bucket_seconds)


def add(buckets: Buckets, bucket: int, amount: int = 1) -> None:
    buckets[bucket] = buckets.get(bucket, 0) + amount


def count(buckets: Mapping[int, int], now_bucket: int, window_buckets: int) -> int:
    """Events in the `window_buckets` buckets ending at `now_bucket` (inclusive)."""
    oldest = now_bucket - window_buckets
    return sum(n for b, n in buckets.items() if oldest < b <= now_bucket)


def counts(
    buckets: Mapping[int, int], now_bucket: int, windows: Iterable[int]
) -> tuple[int, ...]:
    return tuple(count(buckets, now_bucket, w) for w in windows)


def prune(buckets: Buckets, now_bucket: int, keep_buckets: int) -> None:
    """Drop buckets that no window can see any more."""
    oldest = now_bucket - keep_buckets
    for b in [b for b in buckets if b <= oldest]:
        del buckets[b]


def in_horizon(bucket: int, now_bucket: int, keep_buckets: int) -> bool:
    """A late event older than the longest window changes no feature and is not stored."""
    return bucket > now_bucket - keep_buckets
