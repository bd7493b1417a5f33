"""Per-user memory of the copy decider: open carts, recent requests, pending asks, seen events.

Kept in a changelog-backed table like the activity state, so a restarted worker still knows
which carts are open and how many requests a user had, and can tell a replayed event (same
partition and offset: re-send the same request) from a duplicate (another offset: ignore).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import orjson


@dataclass(frozen=True, slots=True)
class OpenCart:
    """A product in a cart, since `added_at` (event time, seconds); cleared on buy or removal."""

    product_id: str
    added_at: float
    event_id: str
    channel: str
    locale: str


@dataclass(frozen=True, slots=True)
class SeenEvent:
    partition: int
    offset: int
    request_id: str  # "" when the event asked for nothing


@dataclass(slots=True)
class CopyDecisionState:
    partition: int = 0  # the user's user-events partition (also its changelog partition)
    carts: dict[str, OpenCart] = field(default_factory=dict)
    recent: list[float] = field(default_factory=list)  # when requests were made, oldest first
    pending: dict[str, tuple[str, float]] = field(default_factory=dict)  # key -> (id, until)
    seen: dict[str, SeenEvent] = field(default_factory=dict)  # event id -> where, oldest first
    last_search: tuple[str, float] | None = None  # (query, event time)

    def remember(self, event_id: str, seen: SeenEvent, limit: int) -> None:
        self.seen[event_id] = seen
        while len(self.seen) > limit:
            del self.seen[next(iter(self.seen))]

    def to_bytes(self) -> bytes:
        return orjson.dumps(
            {
                "p": self.partition,
                "c": [
                    [c.product_id, c.added_at, c.event_id, c.channel, c.locale]
                    for c in self.carts.values()
                ],
                "r": self.recent,
                "q": self.pending,
                "s": [[k, s.partition, s.offset, s.request_id] for k, s in self.seen.items()],
                "l": self.last_search,
            }
        )

    @classmethod
    def from_bytes(cls, raw: bytes) -> CopyDecisionState:
        doc = orjson.loads(raw)
        return cls(
            partition=doc["p"],
            carts={c[0]: OpenCart(*c) for c in doc["c"]},
            recent=doc["r"],
            pending={k: (v[0], v[1]) for k, v in doc["q"].items()},
            seen={k: SeenEvent(p, o, r) for k, p, o, r in doc["s"]},
            last_search=(doc["l"][0], doc["l"][1]) if doc["l"] else None,
        )
