"""Per-user activity state and the features derived from it; pure, clock passed in as data.

The state remembers the position of recent event ids so it can tell a true duplicate (same id,
another offset: skip) from the replay of an event it already applied before a crash (same id,
same offset: already counted, but its side effects must be re-emitted).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import Enum

import orjson

from contracts.events import BehaviourEvent, ProductEventBase
from contracts.settings import StreamSettings
from contracts.vocabulary import EventType
from features.schema import USER_COUNT_KINDS, WINDOW_NAMES
from streams.windows import WindowedCounter, WindowPlan

KIND_OF: dict[EventType, str] = {
    EventType.VIEW: "views",
    EventType.SEARCH: "searches",
    EventType.ADD_TO_CART: "carts",
    EventType.PURCHASE: "purchases",
    EventType.COPY_IMPRESSION: "copy_impressions",
    EventType.COPY_CLICK: "copy_clicks",
}
_INTEREST_KINDS = {"views", "carts", "purchases"}
_INTENT_KINDS = {"carts", "purchases"}


class Applied(Enum):
    NEW = "new"
    REPLAY = "replay"
    DUPLICATE = "duplicate"


@dataclass(slots=True)
class UserActivityState:
    counters: dict[str, WindowedCounter] = field(default_factory=dict)
    category_scores: dict[str, list[float]] = field(default_factory=dict)  # cat -> [score, ts]
    price_affinity: float | None = None
    intent_events: int = 0
    intent_discounted: int = 0
    last_event_at: float = 0.0
    last_channel: str = ""
    last_locale: str = ""
    events_total: int = 0
    # event_id -> (partition, offset, event ts), oldest first; bounded by count and time
    seen: dict[str, tuple[int, int, float]] = field(default_factory=dict)

    def apply(
        self, event: BehaviourEvent, partition: int, offset: int, cfg: StreamSettings
    ) -> Applied:
        known = self.seen.get(event.event_id)
        if known is not None:
            same_place = (known[0], known[1]) == (partition, offset)
            return Applied.REPLAY if same_place else Applied.DUPLICATE
        self._count(event, cfg)
        self._remember(event.event_id, (partition, offset, event.ts_seconds), cfg)
        return Applied.NEW

    def _remember(self, event_id: str, entry: tuple[int, int, float], cfg: StreamSettings) -> None:
        self.seen[event_id] = entry
        horizon = self.last_event_at - cfg.dedupe_horizon_s
        while self.seen:
            oldest = next(iter(self.seen))
            if len(self.seen) <= cfg.dedupe_max_ids and self.seen[oldest][2] >= horizon:
                break
            del self.seen[oldest]

    def _count(self, event: BehaviourEvent, cfg: StreamSettings) -> None:
        ts = event.ts_seconds
        self.events_total += 1
        if ts >= self.last_event_at:
            self.last_event_at = ts
            self.last_channel = event.channel.value
            self.last_locale = event.locale.value
        plan = WindowPlan.from_settings(cfg)
        kind = KIND_OF.get(event.type)
        if kind is not None:
            self.counters.setdefault(kind, WindowedCounter()).add(ts, self.last_event_at, plan)
        for counter in self.counters.values():
            counter.prune(self.last_event_at, plan)
        if isinstance(event, ProductEventBase) and KIND_OF.get(event.type) in _INTEREST_KINDS:
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
            weakest = min(self.category_scores, key=lambda c: self._category_score(c, ts, cfg))
            del self.category_scores[weakest]
        if KIND_OF.get(event.type) in _INTENT_KINDS:
            self.intent_events += 1
            self.intent_discounted += int(event.discount_pct > 0)

    def _category_score(self, category: str, now: float, cfg: StreamSettings) -> float:
        score, seen_at = self.category_scores[category]
        return score * math.pow(0.5, max(0.0, now - seen_at) / cfg.category_half_life_s)

    def features(self, cfg: StreamSettings) -> dict[str, object]:
        """Online feature values as of this user's newest event."""
        plan = WindowPlan.from_settings(cfg)
        row: dict[str, object] = {}
        empty = WindowedCounter()
        for kind in USER_COUNT_KINDS:
            counter = self.counters.get(kind, empty)
            for seconds in cfg.window_seconds:
                n = counter.count(seconds, self.last_event_at, plan)
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
            "b": {k: v.to_doc() for k, v in self.counters.items()},
            "c": self.category_scores,
            "p": self.price_affinity,
            "i": [self.intent_events, self.intent_discounted],
            "l": [self.last_event_at, self.last_channel, self.last_locale, self.events_total],
            "s": [[k, p, o, t] for k, (p, o, t) in self.seen.items()],
        }
        return orjson.dumps(doc)

    @classmethod
    def from_bytes(cls, raw: bytes) -> UserActivityState:
        doc = orjson.loads(raw)
        state = cls(
            counters={k: WindowedCounter.from_doc(v) for k, v in doc["b"].items()},
            category_scores=doc["c"],
            price_affinity=doc["p"],
            intent_events=doc["i"][0],
            intent_discounted=doc["i"][1],
            seen={k: (p, o, t) for k, p, o, t in doc["s"]},
        )
        state.last_event_at, state.last_channel, state.last_locale, state.events_total = doc["l"]
        return state
