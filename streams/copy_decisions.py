"""Turns `user-events` micro-batches and cart checks into copy asks; pure of I/O.

Invalid events are skipped here: the activity agent, reading the same messages, dead-letters
them. A replayed event (same partition and offset, seen before a crash) re-asks with the same
request id when it had asked the first time, so a request is never lost between the state's
changelog and the `copy-requests` topic; the generator's deterministic copy ids make the
repeat harmless.
"""

from __future__ import annotations

from contracts.errors import InvalidEventError
from contracts.events import BehaviourEvent, parse_event
from contracts.settings import DecisionSettings
from streams.copy_state import CopyDecisionState, SeenEvent
from streams.copy_triggers import CopyTriggerRules, TriggerResult
from streams.messages import RawMessage
from streams.state_store import KeyedState


class CopyDecisionProcessor:
    def __init__(self, cfg: DecisionSettings, states: KeyedState[CopyDecisionState]) -> None:
        self._cfg = cfg
        self._states = states
        self._rules = CopyTriggerRules(cfg)
        self.open_carts: dict[str, int] = {}  # user id -> partition, users with open carts

    def process(self, messages: list[RawMessage]) -> TriggerResult:
        """Parse, then decide; the worker passes events its activity processor validated."""
        parsed = [(message, _parse(message)) for message in messages]
        valid = [(message, event) for message, event in parsed if event is not None]
        result = self.process_events(valid)
        if len(valid) < len(messages):
            result.skipped["unparsed"] += len(messages) - len(valid)
        return result

    def process_events(self, messages: list[tuple[RawMessage, BehaviourEvent]]) -> TriggerResult:
        result = TriggerResult()
        touched: dict[str, CopyDecisionState] = {}
        for message, event in messages:
            state = touched.get(event.user_id) or self._states.get(event.user_id)
            state = state or CopyDecisionState()
            if self._apply(state, event, message, result):
                state.partition = message.partition
                touched[event.user_id] = state
        for user_id, state in touched.items():
            self._put(user_id, state)
        return result

    def due_carts(self, now: float) -> TriggerResult:
        """Asks for carts abandoned by `now` (wall clock, seconds) among indexed users."""
        result = TriggerResult()
        for user_id in list(self.open_carts):
            state = self._states.get(user_id)
            if state is None or not state.carts:
                self.open_carts.pop(user_id, None)
                continue
            before = len(state.carts)
            self._rules.due_carts(user_id, state, now, result)
            if len(state.carts) != before:
                self._put(user_id, state)
        return result

    def index_carts(self, users: list[str]) -> None:
        """Rebuild the open-cart index from the table (after recovery or a rebalance)."""
        self.open_carts = {}
        for user_id in users:
            state = self._states.get(user_id)
            if state is not None and state.carts:
                self.open_carts[user_id] = state.partition

    def _apply(
        self,
        state: CopyDecisionState,
        event: BehaviourEvent,
        message: RawMessage,
        result: TriggerResult,
    ) -> bool:
        seen = state.seen.get(event.event_id)
        if seen is not None:
            if (seen.partition, seen.offset) == (message.partition, message.offset):
                self._replay(state, event, seen, result)
            else:
                result.skipped["duplicate_event"] += 1
            return False
        request_id = self._rules.on_event(state, event, result)
        state.remember(
            event.event_id,
            SeenEvent(message.partition, message.offset, request_id),
            self._cfg.remember_events,
        )
        return True

    def _replay(
        self,
        state: CopyDecisionState,
        event: BehaviourEvent,
        seen: SeenEvent,
        result: TriggerResult,
    ) -> None:
        ask = self._rules.ask_for(state, event) if seen.request_id else None
        if ask is not None and ask.request_id == seen.request_id:
            result.asks.append(ask)
            result.skipped["replayed"] += 1

    def _put(self, user_id: str, state: CopyDecisionState) -> None:
        self._states.put(user_id, state, state.partition)
        if state.carts:
            self.open_carts[user_id] = state.partition
        else:
            self.open_carts.pop(user_id, None)


def _parse(message: RawMessage) -> BehaviourEvent | None:
    if not message.value:
        return None
    try:
        event = parse_event(message.value)
    except InvalidEventError:
        return None
    key = message.key.decode("utf-8", "replace") if message.key is not None else None
    return event if key == event.user_id else None
