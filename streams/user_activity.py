"""Turns a micro-batch of raw `user-events` messages into state updates and feature rows.

Pure of I/O: the caller sends the dead letters and product activity and writes the rows.
Invalid messages become dead letters with a reason; nothing raises on bad input.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from contracts.activity import ActivityItem, ProductActivityBatch
from contracts.dead_letter import DeadLetter
from contracts.errors import InvalidEventError
from contracts.events import BehaviourEvent, EventAdmission, ProductEventBase
from contracts.settings import Settings
from streams.messages import RawMessage
from streams.state_store import KeyedState
from streams.user_state import KIND_OF, Applied, UserActivityState

_POPULARITY_KINDS = {"views", "carts", "purchases"}


@dataclass
class UserBatchResult:
    rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    timestamps: dict[str, float] = field(default_factory=dict)
    dead_letters: list[DeadLetter] = field(default_factory=list)
    product_activity: dict[int, list[ProductActivityBatch]] = field(default_factory=dict)
    events: list[BehaviourEvent] = field(default_factory=list)  # applied for the first time
    valid: list[tuple[RawMessage, BehaviourEvent]] = field(default_factory=list)  # in order
    outcomes: Counter[str] = field(default_factory=Counter)


class UserActivityProcessor:
    """Deduplicates by event id, updates windowed per-user state, derives feature rows."""

    def __init__(
        self,
        settings: Settings,
        states: KeyedState[UserActivityState],
        worker: str,
        route_product: Callable[[str], int],
        clock: Callable[[], float] = time.time,
    ):
        self._cfg = settings.streams
        self._admission = EventAdmission.of(settings.kafka)
        self._clock = clock
        self._states = states
        self._worker = worker
        self._route_product = route_product

    def process(self, messages: list[RawMessage]) -> UserBatchResult:
        result = UserBatchResult()
        now = self._clock()
        touched: dict[str, tuple[UserActivityState, int]] = {}
        forwards: dict[tuple[str, int], list[ActivityItem]] = defaultdict(list)
        for message in messages:
            event = self._parse(message, now, result)
            if event is None:
                continue
            result.valid.append((message, event))
            state = self._state_for(event.user_id, touched)
            applied = state.apply(event, message.partition, message.offset, self._cfg)
            result.outcomes[applied.value] += 1
            if applied is Applied.DUPLICATE:
                continue
            if applied is Applied.NEW:
                result.events.append(event)
            touched[event.user_id] = (state, message.partition)
            kind = KIND_OF.get(event.type)
            if isinstance(event, ProductEventBase) and kind in _POPULARITY_KINDS:
                forwards[(event.product_id, message.partition)].append(
                    (message.offset, kind, event.ts_seconds)
                )
        for user_id, (state, partition) in touched.items():
            self._states.put(user_id, state, partition)
            result.rows[user_id] = state.features(self._cfg)
            result.timestamps[user_id] = state.last_event_at
        result.product_activity = self._route(forwards)
        return result

    def _route(
        self, forwards: dict[tuple[str, int], list[ActivityItem]]
    ) -> dict[int, list[ProductActivityBatch]]:
        """One message per (target partition, source partition) instead of one per product."""
        grouped: dict[tuple[int, int], dict[str, list[ActivityItem]]] = defaultdict(dict)
        for (product_id, source), items in forwards.items():
            grouped[(self._route_product(product_id), source)][product_id] = items
        routed: dict[int, list[ProductActivityBatch]] = defaultdict(list)
        for (target, source), products in grouped.items():
            routed[target].append(ProductActivityBatch(source_partition=source, products=products))
        return dict(routed)

    def _state_for(
        self, user_id: str, touched: dict[str, tuple[UserActivityState, int]]
    ) -> UserActivityState:
        if user_id in touched:
            return touched[user_id][0]
        return self._states.get(user_id) or UserActivityState()

    def _parse(
        self, message: RawMessage, now: float, result: UserBatchResult
    ) -> BehaviourEvent | None:
        try:
            return self._admission.admit(message.key, message.value, message.timestamp, now)
        except InvalidEventError as exc:
            result.outcomes["invalid"] += 1
            result.dead_letters.append(
                message.dead_letter(exc.error_type, exc.reason, self._worker)
            )
            return None
