"""Per-product popularity windows, fed by `product-activity`; pure and replay-safe."""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from contracts.activity import ProductActivity
from contracts.settings import StreamSettings
from features.schema import PRODUCT_COUNT_KINDS, WINDOW_NAMES
from streams import windows


@dataclass(slots=True)
class ProductPopularityState:
    buckets: dict[str, dict[int, int]] = field(default_factory=dict)
    last_event_at: float = 0.0
    watermarks: dict[int, int] = field(default_factory=dict)  # source partition -> offset

    def apply(self, activity: ProductActivity, cfg: StreamSettings) -> int:
        """Apply items newer than the watermark of their source partition; returns how many."""
        mark = self.watermarks.get(activity.source_partition, -1)
        fresh = [item for item in activity.items if item[0] > mark]
        if not fresh:
            return 0
        self.watermarks[activity.source_partition] = max(offset for offset, _, _ in fresh)
        self.last_event_at = max(self.last_event_at, *(ts for _, _, ts in fresh))
        now_bucket = windows.bucket_of(self.last_event_at, cfg.bucket_seconds)
        keep = max(cfg.window_seconds) // cfg.bucket_seconds
        for _, kind, ts in fresh:
            bucket = windows.bucket_of(ts, cfg.bucket_seconds)
            if windows.in_horizon(bucket, now_bucket, keep):
                windows.add(self.buckets.setdefault(kind, {}), bucket)
        for kind_buckets in self.buckets.values():
            windows.prune(kind_buckets, now_bucket, keep)
        return len(fresh)

    def features(self, cfg: StreamSettings) -> dict[str, object]:
        now_bucket = windows.bucket_of(self.last_event_at, cfg.bucket_seconds)
        return {
            f"{kind}_{WINDOW_NAMES[seconds]}": windows.count(
                self.buckets.get(kind, {}), now_bucket, seconds // cfg.bucket_seconds
            )
            for kind in PRODUCT_COUNT_KINDS
            for seconds in cfg.window_seconds
        }

    def to_bytes(self) -> bytes:
        doc = {
            "b": {k: [[b, n] for b, n in v.items()] for k, v in self.buckets.items()},
            "t": self.last_event_at,
            "w": [[p, o] for p, o in self.watermarks.items()],
        }
        return json.dumps(doc, separators=(",", ":")).encode()

    @classmethod
    def from_bytes(cls, raw: bytes) -> ProductPopularityState:
        doc = json.loads(raw)
        return cls(
            buckets={k: {b: n for b, n in v} for k, v in doc["b"].items()},
            last_event_at=doc["t"],
            watermarks={p: o for p, o in doc["w"]},
        )
