"""Joins copies to what their shoppers did, and closes each copy's attribution window; pure of
I/O (the caller passes the wall clock in).

Attribution rules:
- Impressions and clicks count for the copy named by their `copy_id`; so do carts and
  purchases that name one.
- A cart or purchase naming no copy counts for the most recently shown copy of that product
  for that user whose window holds the event (`shown_at <= ts <= shown_at + window`, event
  time); only one copy gets it.
- Each event id counts once per copy: duplicates and replays after a crash are dropped.
- An event for a copy whose window is over (by event time, or its record already written) is
  late: counted under `late`, never re-opening the record.
- Events may arrive before their copy (the copy takes another topic): they are kept for the
  copy until it comes. A copy, or events for one, with no impression within `unshown_ttl_s`
  is dropped (no impression: not a training example).
- A shown copy's record is due at `shown_at + window + close_grace_s` (wall clock), once the
  worker has caught up on the copy's partition (see `OutcomeJoiner.due`).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from pydantic import ValidationError

from contracts.copies import FeatureValue, GeneratedCopy
from contracts.errors import InvalidEventError
from contracts.events import (
    AddToCartEvent,
    BehaviourEvent,
    CopyClickEvent,
    CopyImpressionEvent,
    EventAdmission,
    PurchaseEvent,
)
from contracts.logs import get_logger
from contracts.outcomes import CopyOutcomeRecord, OutcomeKind
from contracts.settings import OutcomeSettings
from streams.messages import RawMessage
from streams.outcomes.state import CopyOutcomeState, OutcomeStates, state_key

log = get_logger(__name__)
COPY = "copy"  # the `kind` label of copies from `generated-copy`
UserProduct = tuple[str, str]


@dataclass
class JoinResult:
    """How each message went, as (kind, result) counts: matched, attributed, buffered,
    duplicate, late, unattributed, ignored, invalid."""

    outcomes: Counter[tuple[str, str]] = field(default_factory=Counter)


@dataclass
class DueCopies:
    """Records whose windows closed (write them, then `finish`), and entries dropped."""

    records: list[tuple[str, CopyOutcomeRecord]] = field(default_factory=list)
    dropped: Counter[str] = field(default_factory=Counter)  # reason -> entries


class OutcomeJoiner:
    def __init__(
        self, cfg: OutcomeSettings, states: OutcomeStates, admission: EventAdmission
    ) -> None:
        self._cfg = cfg
        self._admission = admission
        self._states = states
        self._by_product: dict[UserProduct, set[str]] = {}
        self._deadlines: dict[str, float] = {}  # key -> when `due` must look at it next
        self._stream_time: dict[int, float] = {}  # partition -> latest event time read
        self._busy_at: dict[int, float] = {}  # partition -> wall clock of its latest message

    def reindex(self, keys: Iterable[str], partitions: Iterable[int], now: float) -> None:
        """Rebuild the in-memory indexes from the table (after recovery or a rebalance); the
        assigned `partitions` count as busy from `now`, so a backlog is read before windows
        close."""
        self._by_product, self._deadlines = {}, {}
        self._busy_at = dict.fromkeys(partitions, now)
        for key in keys:
            state = self._states.get(key)
            if state is not None:
                self._index(key, state)

    def process(self, messages: list[RawMessage], copies_topic: str, now: float) -> JoinResult:
        """Apply a micro-batch from `user-events` and the re-keyed copies topic, in order."""
        result = JoinResult()
        for message in messages:
            self._busy_at[message.partition] = now
            if message.topic == copies_topic:
                outcome = (COPY, self._on_copy(message, now))
            else:
                outcome = self._on_event(message, now)
            result.outcomes[outcome] += 1
        return result

    def due(self, now: float) -> DueCopies:
        """Records of windows closed by `now`; unshown and forgotten entries are deleted here.

        A window closes once `now` is past its deadline and its partition has caught up: its
        stream time (latest event time, capped at `now`) is past the deadline too, or it has
        had nothing to read for `close_grace_s`. A worker reading a backlog (after a crash, or
        behind) thus counts every event of a window before closing it.
        """
        due = DueCopies()
        for key, deadline in list(self._deadlines.items()):
            if deadline > now:
                continue
            state = self._states.get(key)
            if state is None:
                self._deadlines.pop(key, None)
            elif state.written:
                self._drop(key, state)
            elif not self._caught_up(state.partition, deadline, now):
                continue
            elif state.shown_at is not None and state.copy_json is not None:
                due.records.append((key, self._record(state)))
            else:
                reason = "unshown_expired" if state.copy_json is not None else "orphan_expired"
                if state.shown_at is not None:
                    reason = "copy_missing"  # shown, but the copy itself never arrived
                    log.warning("outcome_copy_missing", copy_id=state.copy_id, user=state.user_id)
                due.dropped[reason] += 1
                self._drop(key, state)
        return due

    def _caught_up(self, partition: int, deadline: float, now: float) -> bool:
        if self._stream_time.get(partition, 0.0) >= deadline:
            return True
        return now - self._busy_at.get(partition, 0.0) >= self._cfg.close_grace_s

    def finish(self, written: list[tuple[str, CopyOutcomeRecord]], now: float) -> None:
        """Mark records as written (call only once they are durable): tombstones remain one
        more window to recognise late events."""
        for key, _ in written:
            state = self._states.get(key)
            if state is None:
                continue
            state.copy_json, state.counts, state.seen = None, {}, []
            state.forget_at = now + self._cfg.attribution_window_s
            self._put(key, state)

    # --- copies and events ---------------------------------------------------------------

    def _on_copy(self, message: RawMessage, now: float) -> str:
        raw = message.value or b""
        try:
            copy = GeneratedCopy.model_validate_json(raw)
        except ValidationError:
            return "invalid"  # dead-lettered by the forwarding agent, never re-keyed
        key = state_key(copy.user_id, copy.copy_id)
        state = self._states.get(key)
        if state is None:
            state = CopyOutcomeState(
                copy.copy_id, copy.user_id, copy.product_id, message.partition, now
            )
        elif state.written or state.copy_json is not None:
            return "duplicate"
        if state.product_id != copy.product_id:  # events named another product: trust the copy
            self._unindex(key, state)
            state.product_id = copy.product_id
        state.copy_json = raw.decode()
        self._put(key, state)
        return "matched"

    def _on_event(self, message: RawMessage, now: float) -> tuple[str, str]:
        try:  # the feature worker's door: what it dead-letters is never joined here
            event = self._admission.admit(message.key, message.value, message.timestamp, now)
        except InvalidEventError:
            return "unparsed", "invalid"
        latest = self._stream_time.get(message.partition, 0.0)
        self._stream_time[message.partition] = max(latest, min(event.ts_seconds, now))
        kind = _kind(event)
        if kind is None:
            return event.type.value, "ignored"
        copy_id: str | None = getattr(event, "copy_id", None)
        if copy_id is not None:
            return kind.value, self._by_copy_id(event, copy_id, kind, message.partition, now)
        return kind.value, self._by_product_window(event, kind)

    def _by_copy_id(
        self, event: BehaviourEvent, copy_id: str, kind: OutcomeKind, partition: int, now: float
    ) -> str:
        key = state_key(event.user_id, copy_id)
        state = self._states.get(key)
        result = "matched"
        if state is None:  # the copy is still on its way: keep the event for it
            product_id = str(getattr(event, "product_id", ""))
            state = CopyOutcomeState(copy_id, event.user_id, product_id, partition, now)
            result = "buffered"
        if state.written:
            return self._late(event, state, kind)
        if event.event_id in state.seen:
            return "duplicate"
        ts = event.ts_seconds
        if state.shown_at is not None and ts > state.shown_at + self._cfg.attribution_window_s:
            return self._late(event, state, kind)
        if kind is OutcomeKind.IMPRESSION:
            state.shown_at = ts if state.shown_at is None else min(state.shown_at, ts)
        self._count(key, state, event.event_id, kind)
        return result

    def _by_product_window(self, event: BehaviourEvent, kind: OutcomeKind) -> str:
        product_id = str(getattr(event, "product_id", ""))
        candidates = []
        for key in self._by_product.get((event.user_id, product_id), ()):
            state = self._states.get(key)
            if state is None:
                continue
            if event.event_id in state.seen:
                return "duplicate"
            if state.shown_at is not None and state.shown_at <= event.ts_seconds:
                candidates.append((state.shown_at, state.copy_id, key, state))
        if not candidates:
            return "unattributed"
        shown_at, _, key, state = max(candidates)
        if event.ts_seconds > shown_at + self._cfg.attribution_window_s:
            return "unattributed"
        if state.written:
            return self._late(event, state, kind)
        self._count(key, state, event.event_id, kind)
        return "attributed"

    def _late(self, event: BehaviourEvent, state: CopyOutcomeState, kind: OutcomeKind) -> str:
        log.info(
            "outcome_event_late",
            event_id=event.event_id,
            copy_id=state.copy_id,
            kind=kind.value,
            written=state.written,
        )
        return "late"

    def _count(self, key: str, state: CopyOutcomeState, event_id: str, kind: OutcomeKind) -> None:
        state.counts[kind.value] = state.counts.get(kind.value, 0) + 1
        state.seen.append(event_id)
        self._put(key, state)

    # --- records and indexes -------------------------------------------------------------

    def _record(self, state: CopyOutcomeState) -> CopyOutcomeRecord:
        assert state.copy_json is not None and state.shown_at is not None
        copy = GeneratedCopy.model_validate_json(state.copy_json)
        counts = {kind: state.counts.get(kind.value, 0) for kind in OutcomeKind}
        reward = sum(
            weight for kind, weight in self._cfg.reward_weights.items() if counts[kind] > 0
        )
        features = copy.features
        return CopyOutcomeRecord(
            copy_id=copy.copy_id,
            request_id=copy.request_id,
            user_id=copy.user_id,
            product_id=copy.product_id,
            channel=copy.channel,
            slot=copy.slot,
            locale=copy.locale,
            trigger=copy.trigger.value,
            angle=copy.angle,
            requested_angle=copy.requested_angle,
            propensity=copy.propensity,
            angle_pmf=copy.angle_pmf,
            policy_version=copy.policy_version,
            model_version=copy.model_version,
            text=copy.text,
            fallback_used=copy.fallback.used,
            features_snapshot_id=copy.features_snapshot_id,
            user_features_json=_features_json(features.user if features else {}),
            product_features_json=_features_json(features.product if features else {}),
            created_at=copy.created_at,
            shown_at=datetime.fromtimestamp(state.shown_at, UTC),
            closed_at=datetime.fromtimestamp(state.shown_at + self._cfg.attribution_window_s, UTC),
            impressions=max(counts[OutcomeKind.IMPRESSION], 1),
            clicks=counts[OutcomeKind.CLICK],
            add_to_carts=counts[OutcomeKind.ADD_TO_CART],
            purchases=counts[OutcomeKind.PURCHASE],
            reward=float(reward),
        )

    def _put(self, key: str, state: CopyOutcomeState) -> None:
        self._states.put(key, state)
        self._index(key, state)

    def _drop(self, key: str, state: CopyOutcomeState) -> None:
        self._states.delete(key, state.partition)
        self._deadlines.pop(key, None)
        self._unindex(key, state)

    def _unindex(self, key: str, state: CopyOutcomeState) -> None:
        keys = self._by_product.get((state.user_id, state.product_id))
        if keys is not None:
            keys.discard(key)
            if not keys:
                del self._by_product[(state.user_id, state.product_id)]

    def _index(self, key: str, state: CopyOutcomeState) -> None:
        self._by_product.setdefault((state.user_id, state.product_id), set()).add(key)
        self._deadlines[key] = self._deadline(state)

    def _deadline(self, state: CopyOutcomeState) -> float:
        cfg = self._cfg
        if state.forget_at is not None:
            return state.forget_at
        unshown_until = state.first_seen + cfg.unshown_ttl_s
        if state.shown_at is None:
            return unshown_until
        closes = state.shown_at + cfg.attribution_window_s + cfg.close_grace_s
        return closes if state.copy_json is not None else max(closes, unshown_until)


def _kind(event: BehaviourEvent) -> OutcomeKind | None:
    if isinstance(event, CopyImpressionEvent):
        return OutcomeKind.IMPRESSION
    if isinstance(event, CopyClickEvent):
        return OutcomeKind.CLICK
    if isinstance(event, AddToCartEvent):
        return OutcomeKind.ADD_TO_CART
    if isinstance(event, PurchaseEvent):
        return OutcomeKind.PURCHASE
    return None


def _features_json(values: Mapping[str, FeatureValue]) -> str:
    return json.dumps(values, ensure_ascii=False, sort_keys=True)
