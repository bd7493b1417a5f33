"""Sliding-window counts over time buckets at two resolutions, as pure functions of event time.

Windows up to `coarse_seconds` are counted in fine buckets (e.g. minutes); longer windows in
coarse buckets (e.g. hours), so a 24 h count sums 24 numbers, not 1,440. An event counts in a
window of W seconds at resolution r if its r-bucket is one of the last W / r buckets ending at
the bucket of the entity's newest event ("now" is event time, not wall time, so a replay gives
the same numbers). Buckets that no window can see are pruned.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field

from contracts.settings import StreamSettings


@dataclass(frozen=True, slots=True)
class WindowPlan:
    fine_seconds: int
    coarse_seconds: int
    windows: tuple[int, ...]
    fine_keep: int = field(init=False)
    coarse_keep: int = field(init=False)

    def __post_init__(self) -> None:
        for name, res in (("fine_keep", self.fine_seconds), ("coarse_keep", self.coarse_seconds)):
            served = [w for w in self.windows if self.resolution(w) == res]
            object.__setattr__(self, name, max(served, default=0) // res)

    @classmethod
    def from_settings(cls, cfg: StreamSettings) -> WindowPlan:
        return _plan(cfg.bucket_seconds, cfg.coarse_bucket_seconds, tuple(cfg.window_seconds))

    def resolution(self, window: int) -> int:
        return self.fine_seconds if window <= self.coarse_seconds else self.coarse_seconds

    def keep(self, resolution: int) -> int:
        """How many buckets of `resolution` the longest window using it needs."""
        return self.fine_keep if resolution == self.fine_seconds else self.coarse_keep


@functools.lru_cache(maxsize=8)
def _plan(fine: int, coarse: int, windows: tuple[int, ...]) -> WindowPlan:
    return WindowPlan(fine, coarse, windows)


@dataclass(slots=True)
class WindowedCounter:
    fine: dict[int, int] = field(default_factory=dict)
    coarse: dict[int, int] = field(default_factory=dict)

    def add(self, ts: float, now: float, plan: WindowPlan) -> bool:
        """Count an event at `ts` given the entity's newest event time `now`; False if too old."""
        fine = _add(self.fine, ts, now, plan.fine_seconds, plan.fine_keep)
        coarse = _add(self.coarse, ts, now, plan.coarse_seconds, plan.coarse_keep)
        return fine or coarse

    def prune(self, now: float, plan: WindowPlan) -> None:
        _prune(self.fine, int(now // plan.fine_seconds) - plan.fine_keep)
        _prune(self.coarse, int(now // plan.coarse_seconds) - plan.coarse_keep)

    def count(self, window: int, now: float, plan: WindowPlan) -> int:
        res = plan.resolution(window)
        buckets = self.fine if res == plan.fine_seconds else self.coarse
        now_bucket = int(now // res)
        oldest = now_bucket - window // res
        return sum(n for b, n in buckets.items() if oldest < b <= now_bucket)

    def to_doc(self) -> list[list[list[int]]]:
        return [[[b, n] for b, n in self.fine.items()], [[b, n] for b, n in self.coarse.items()]]

    @classmethod
    def from_doc(cls, doc: list[list[list[int]]]) -> WindowedCounter:
        return cls(fine={b: n for b, n in doc[0]}, coarse={b: n for b, n in doc[1]})


def _add(buckets: dict[int, int], ts: float, now: float, res: int, keep: int) -> bool:
    bucket = int(ts // res)
    if not keep or bucket <= int(now // res) - keep:
        return False
    buckets[bucket] = buckets.get(bucket, 0) + 1
    return True


def _prune(buckets: dict[int, int], oldest: int) -> None:
    if buckets and min(buckets) <= oldest:
        for bucket in [b for b in buckets if b <= oldest]:
            del buckets[bucket]
