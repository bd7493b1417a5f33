"""The simulated shop on the real broker: shoppers' events out, copies in, reactions out.

One thread does everything: it paces session events to `user-events` (kafka-python, keyed by
user id), polls `generated-copy` between sends (a group-less consumer that starts at the end,
so only copies made for this run are seen), and sends each reaction when its delay is due.
kafka-python's producer sends from its own I/O thread, so 50 events/s plus reactions cost a
few percent of one core.
"""

from __future__ import annotations

import heapq
import itertools
import time
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import TracebackType
from typing import Any

from contracts.copies import GeneratedCopy
from contracts.events import BehaviourEvent, event_to_json
from contracts.product import Product
from contracts.settings import Settings
from contracts.vocabulary import EventType
from simulate.copy_reader import GeneratedCopyReader
from simulate.storefront.click_model import ClickModel
from simulate.storefront.config import StorefrontConfig
from simulate.storefront.population import Population
from simulate.storefront.reactions import ReactionPlanner
from simulate.storefront.shoppers import ShopperSessions


@dataclass
class StorefrontStats:
    """What one `run` sent and saw. `observed_ctr` is clicks per impression (sampled, unlike
    `ClickModel.policy_ctr`)."""

    history_events: int = 0
    events_sent: int = 0
    copies_seen: int = 0
    unknown_copies: int = 0
    duplicate_copies: int = 0
    impressions: int = 0
    clicks: int = 0
    carts: int = 0
    purchases: int = 0
    copies_per_segment: Counter[str] = field(default_factory=Counter)
    clicks_per_segment: Counter[str] = field(default_factory=Counter)
    copies: list[GeneratedCopy] = field(default_factory=list, repr=False)
    """Every copy reacted to, in arrival order (for the caller's own evaluation)."""

    @property
    def observed_ctr(self) -> float:
        return self.clicks / self.impressions if self.impressions else 0.0


_COUNTED = {
    EventType.COPY_IMPRESSION: "impressions",
    EventType.COPY_CLICK: "clicks",
    EventType.ADD_TO_CART: "carts",
    EventType.PURCHASE: "purchases",
}


class Storefront:
    """Seeded shoppers of `config.segments` over `catalog`, live on `settings`' broker."""

    def __init__(
        self,
        settings: Settings,
        catalog: Sequence[Product],
        config: StorefrontConfig | None = None,
    ) -> None:
        self.settings = settings
        self.config = config or StorefrontConfig()
        self.population = Population.generate(
            catalog, self.config.shoppers, self.config.seed, self.config.segments
        )
        self.click_model = ClickModel(
            self.population, catalog, self.config, settings.copy_rules.low_stock_threshold
        )
        self.run_tag = self.config.run_tag or f"sf{uuid.uuid4().hex[:8]}"
        self.sessions = ShopperSessions(
            self.population, self.click_model.shelf, self.config, self.run_tag
        )
        self.reactions = ReactionPlanner(self.click_model, self.sessions.session_id)
        self._history_sent = False
        self._reacted: set[str] = set()
        self._producer: Any = None  # kafka.KafkaProducer, imported when started
        self._reader: GeneratedCopyReader | None = None
        self._due: list[tuple[float, int, BehaviourEvent]] = []  # (monotonic due, tie, event)
        self._tie = itertools.count()

    def start(self) -> Storefront:
        """Connect to the broker; the copy reader starts at the end of `generated-copy` now.
        `run` calls this itself; call it earlier to see copies asked for before `run`."""
        if self._producer is None:
            from kafka import KafkaProducer

            self._producer = KafkaProducer(
                bootstrap_servers=self.settings.kafka.bootstrap_servers, linger_ms=5
            )
            self._reader = GeneratedCopyReader(self.settings, from_beginning=False)
        return self

    def run(self, duration_s: float, events_per_s: float, drain_s: float = 5.0) -> StorefrontStats:
        """Send session events at `events_per_s` for `duration_s` (after the history, on the
        first run), reacting to copies as they arrive; then keep reacting for `drain_s` so late
        copies get their reaction. Reactions still scheduled at the end are sent at once."""
        if events_per_s <= 0 or duration_s < 0 or drain_s < 0:
            raise ValueError(
                f"need events_per_s > 0, duration_s >= 0 and drain_s >= 0; got "
                f"{events_per_s}, {duration_s}, {drain_s}"
            )
        self.start()
        stats = StorefrontStats()
        if not self._history_sent:
            for event in self.sessions.history(datetime.now(UTC)):
                self._send(event)
                stats.history_events += 1
            self._history_sent = True
        started = time.monotonic()
        sessions_end, drain_end = started + duration_s, started + duration_s + drain_s
        interval = 1.0 / events_per_s
        next_event_at = started
        while True:
            now = time.monotonic()
            if now >= drain_end:
                break
            while now < sessions_end and next_event_at <= now:
                self._send(self.sessions.next_event(datetime.now(UTC)))
                stats.events_sent += 1
                next_event_at += interval
            wakeup = min(self._next_wakeup(next_event_at, sessions_end), drain_end)
            self._read_copies(stats, until=wakeup)
            self._send_due(stats, time.monotonic())
        self._send_due(stats, float("inf"))
        self._producer.flush()
        return stats

    def close(self) -> None:
        if self._producer is not None:
            self._producer.flush()
            self._producer.close()
            self._producer = None
        if self._reader is not None:
            self._reader.close()
            self._reader = None

    def __enter__(self) -> Storefront:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _next_wakeup(self, next_event_at: float, sessions_end: float) -> float:
        wakeups = [time.monotonic() + self.config.poll_interval_s]
        if next_event_at < sessions_end:
            wakeups.append(next_event_at)
        if self._due:
            wakeups.append(self._due[0][0])
        return min(wakeups)

    def _read_copies(self, stats: StorefrontStats, until: float) -> None:
        assert self._reader is not None
        timeout_s = max(until - time.monotonic(), 0.0)
        for copy, _ in self._reader.read(timeout_s=timeout_s):
            self._on_copy(copy, stats)

    def _on_copy(self, copy: GeneratedCopy, stats: StorefrontStats) -> None:
        shopper = self.population.get(copy.user_id)
        if shopper is None:
            stats.unknown_copies += 1
            return
        if copy.copy_id in self._reacted:
            stats.duplicate_copies += 1
            return
        self._reacted.add(copy.copy_id)
        stats.copies_seen += 1
        stats.copies.append(copy)
        stats.copies_per_segment[shopper.segment.name] += 1
        reaction = self.reactions.react(copy, shopper, datetime.now(UTC))
        if reaction.clicked:
            stats.clicks_per_segment[shopper.segment.name] += 1
        arrived = time.monotonic()
        for delay_s, event in reaction.events:
            heapq.heappush(self._due, (arrived + delay_s, next(self._tie), event))

    def _send_due(self, stats: StorefrontStats, now: float) -> None:
        while self._due and self._due[0][0] <= now:
            _, _, event = heapq.heappop(self._due)
            self._send(event)
            counter = _COUNTED.get(event.type)
            if counter is not None:
                setattr(stats, counter, getattr(stats, counter) + 1)

    def _send(self, event: BehaviourEvent) -> None:
        self._producer.send(
            self.settings.kafka.topics.user_events,
            key=event.user_id.encode(),
            value=event_to_json(event),
        )
