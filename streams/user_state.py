"""Per-user activity state and the features derived from it; pure, clock passed in as data.

The state remembers the position of recent event ids so it can tell a true duplicate (same id,
another offset: skip) from the replay of an event it already applied before a crash (same id,
same offset: already counted, but its side effects must be re-emitted).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from enum import Enum

from contracts.events import BehaviourEvent, ProductEventBase
from contracts.settings import StreamSettings
from contracts.vocabulary import EventType
from features.schema import USER_COUNT_KINDS, WINDOW_NAMES
from streams import windows

KIND_OF: dict[EventType, str] = {
    EventType.VIEW: "views",
    EventType.SEARCH: "searches",
    EventType.ADD_TO_CART: "carts",
    EventType.PURCHASE: "purchases",
    EventType.COPY_IMPRESSION: "copy_impressions",
    EventType.COPY_CLICK: "copy_clicks",
}
_INTEREST_TYPES = {EventType.VIEW, EventType.ADD_TO_CART, EventType.PURCHASE}
_INTENT_TYPES = {EventType.ADD_TO_CART, EventType.PURCHASE}


class Applied(Enum):
    NEW = "new"
    REPLAY = "replay"
    DUPLICATE = "duplicate"


@dataclass(slots=True)
class UserActivityState:
    buckets: dict[str, dict[int, int]] = field(default_factory=dict)
    category_scores: dict[str, list[float]] = field(default_factory=dict)  # cat -> [score, ts]
    price_affinity: float | None = None
    intent_events: int = 0
    intent_discounted: int = 0
    last_event_at: float = 0.0
    last_channel: str = ""
    last_locale: str = ""
    events_total: int = 0
    seen: dict[str, tuple[int, int]] = field(default_factory=dict)  # event_id -> (part, offset)

    def apply(
        self, event: BehaviourEvent, partition: int, offset: int, cfg: StreamSettings
    ) -> Applied:
        position = (partition, offset)
        known = self.seen.get(event.event_id)
        if known is not None:
            return Applied.REPLAY if tuple(known) == position else Applied.DUPLICATE
        self._remember(event.event_id, position, cfg.dedupe_max_ids)
        self._count(event, cfg)
        return Applied.NEW

    def _remember(self, event_id: str, position: tuple[int, int], limit: int) -> None:
        self.seen[event_id] = position
        while len(self.seen) > limit:
            del self.seen[next(iter(self.seen))]

    def _count(self, event: BehaviourEvent, cfg: StreamSettings) -> None:
        ts = event.ts_seconds
        self.events_total += 1
        if ts >= self.last_event_at:
            self.last_event_at = ts
            self.last_channel = event.channel.value
            self.last_locale = event.locale.value
        now_bucket = windows.bucket_of(self.last_event_at, cfg.bucket_seconds)
        keep = max(cfg.window_seconds) // cfg.bucket_seconds
        kind = KIND_OF.get(event.type)
        bucket = windows.bucket_of(ts, cfg.bucket_seconds)
        if kind is not None and windows.in_horizon(bucket, now_bucket, keep):
            kind_buckets = self.buckets.setdefault(kind, {})
            windows.add(kind_buckets, bucket)
        for kind_buckets in self.buckets.values():
            windows.prune(kind_buckets, now_bucket, keep)
        if isinstance(event, ProductEventBase) and event.type in _INTEREST_TYPES:
            self._note_interest(event, ts, cfg)

    def _note_interest(self, event: ProductEventBase, ts: float, cfg: StreamSettings) -> None:
        if self.price_affinity is None:
            self.price_affinity = event.price
        else:
            self.price_affinity += cfg.price_ewma_alpha * (event.price - self.price_affinity)
        score, seen_at = self.category_scores.get(event.category, (0.0, ts))
        decay = math.pow(0.5, max(0.0, ts - seen_at) / cfg.category_half_life_s)
        self.category_scores[event.category] = [score * decay + 1.0, max(ts, seen_at)]
        if len(self.category_scores) > cfg.max_tracked_categories:
            weakest = min(
                self.category_scores, key=lambda c: self._category_score(c, ts, cfg)
            )
            del self.category_scores[weakest]
        if event.type in _INTENT_TYPES:
            self.intent_events += 1
            self.intent_discounted += int(event.discount_pct > 0)

    def _category_score(self, category: str, now: float, cfg: StreamSettings) -> float:
        score, seen_at = self.category_scores[category]
        return score * math.pow(0.5, max(0.0, now - seen_at) / cfg.category_half_life_s)

    def features(self, cfg: StreamSettings) -> dict[str, object]:
        """Online feature values as of this user's newest event."""
        now_bucket = windows.bucket_of(self.last_event_at, cfg.bucket_seconds)
        row: dict[str, object] = {}
        for kind in USER_COUNT_KINDS:
            kind_buckets = self.buckets.get(kind, {})
            for seconds in cfg.window_seconds:
                n = windows.count(kind_buckets, now_bucket, seconds // cfg.bucket_seconds)
                row[f"{kind}_{WINDOW_NAMES[seconds]}"] = n
        ranked = sorted(
            self.category_scores,
            key=lambda c: (-round(self._category_score(c, self.last_event_at, cfg), 9), c),
        )
        row["top_categories"] = ranked[: cfg.top_categories]
        row["price_affinity"] = round(self.price_affinity or 0.0, 4)
        row["discount_sensitivity"] = round(
            (self.intent_discounted + 1) / (self.intent_events + 2), 4
        )
        row["last_channel"] = self.last_channel
        row["last_locale"] = self.last_locale
        row["last_event_at"] = int(self.last_event_at * 1000)
        row["events_total"] = self.events_total
        return row

    def to_bytes(self) -> bytes:
        doc = {
            "b": {k: [[b, n] for b, n in v.items()] for k, v in self.buckets.items()},
            "c": self.category_scores,
            "p": self.price_affinity,
            "i": [self.intent_events, self.intent_discounted],
            "l": [self.last_event_at, self.last_channel, self.last_locale, self.events_total],
            "s": [[k, p, o] for k, (p, o) in self.seen.items()],
        }
        return json.dumps(doc, separators=(",", ":")).encode()

    @classmethod
    def from_bytes(cls, raw: bytes) -> UserActivityState:
        doc = json.loads(raw)
        state = cls(
            buckets={k: {b: n for b, n in v} for k, v in doc["b"].items()},
            category_scores=doc["c"],
            price_affinity=doc["p"],
            intent_events=doc["i"][0],
            intent_discounted=doc["i"][1],
            seen={k: (p, o) for k, p, o in doc["s"]},
        )
        state.last_event_at, state.last_channel, state.last_locale, state.events_total = doc["l"]
        return state
