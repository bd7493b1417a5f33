"""Per-product popularity windows, fed by `product-activity`; pure and replay-safe."""

from __future__ import annotations

from dataclasses import dataclass, field

import orjson

from contracts.activity import ActivityItem
from contracts.settings import StreamSettings
from features.schema import PRODUCT_COUNT_KINDS, WINDOW_NAMES
from streams.windows import WindowedCounter, WindowPlan


@dataclass(slots=True)
class ProductPopularityState:
    counters: dict[str, WindowedCounter] = field(default_factory=dict)
    last_event_at: float = 0.0
    watermarks: dict[int, int] = field(default_factory=dict)  # source partition -> offset

    def apply(self, source_partition: int, items: list[ActivityItem], cfg: StreamSettings) -> int:
        """Apply items newer than the watermark of their source partition; returns how many."""
        mark = self.watermarks.get(source_partition, -1)
        fresh = [item for item in items if item[0] > mark]
        if not fresh:
            return 0
        self.watermarks[source_partition] = max(offset for offset, _, _ in fresh)
        self.last_event_at = max(self.last_event_at, *(ts for _, _, ts in fresh))
        plan = WindowPlan.from_settings(cfg)
        for _, kind, ts in fresh:
            self.counters.setdefault(kind, WindowedCounter()).add(ts, self.last_event_at, plan)
        for counter in self.counters.values():
            counter.prune(self.last_event_at, plan)
        return len(fresh)

    def features(self, cfg: StreamSettings) -> dict[str, object]:
        plan = WindowPlan.from_settings(cfg)
        empty = WindowedCounter()
        return {
            f"{kind}_{WINDOW_NAMES[seconds]}": self.counters.get(kind, empty).count(
                seconds, self.last_event_at, plan
            )
            for kind in PRODUCT_COUNT_KINDS
            for seconds in cfg.window_seconds
        }

    def to_bytes(self) -> bytes:
        doc = {
            "b": {k: v.to_doc() for k, v in self.counters.items()},
            "t": self.last_event_at,
            "w": [[p, o] for p, o in self.watermarks.items()],
        }
        return orjson.dumps(doc)

    @classmethod
    def from_bytes(cls, raw: bytes) -> ProductPopularityState:
        doc = orjson.loads(raw)
        return cls(
            counters={k: WindowedCounter.from_doc(v) for k, v in doc["b"].items()},
            last_event_at=doc["t"],
            watermarks={p: o for p, o in doc["w"]},
        )
