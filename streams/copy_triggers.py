"""When a shopper needs copy: product views, abandoned carts and explicit asks; pure rules.

Time is passed in (event time for events, wall time for cart checks), so every rule is tested
without a broker or a clock. Admission applies per user: at most `max_requests_per_user` per
`rate_window_s`, and an ask identical (product, channel, slot) to one still pending is dropped.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from contracts.copies import CopyTrigger
from contracts.events import (
    AddToCartEvent,
    BehaviourEvent,
    CopyRequestEvent,
    PurchaseEvent,
    RemoveFromCartEvent,
    SearchEvent,
    ViewEvent,
)
from contracts.settings import DecisionSettings
from contracts.vocabulary import Channel, Locale
from policy.requests import CopyAsk, request_id_for
from streams.copy_state import CopyDecisionState, OpenCart

VIEW_SLOT = "pdp-banner"
CART_SLOT = "cart-reminder"
SEARCH_MEMORY_S = 600.0
"""A search this recent colours the copy (the query goes into the brief)."""


class Skipped:
    """Why an ask was not sent (metric label values)."""

    RATE_LIMITED = "rate_limited"
    DUPLICATE_PENDING = "duplicate_pending"


@dataclass
class TriggerResult:
    asks: list[CopyAsk] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)


class CopyTriggerRules:
    def __init__(self, cfg: DecisionSettings) -> None:
        self._cfg = cfg

    def on_event(
        self, state: CopyDecisionState, event: BehaviourEvent, result: TriggerResult
    ) -> str:
        """Apply one new event; returns the id of the request it made, or ""."""
        now = event.ts_seconds
        if isinstance(event, SearchEvent):
            state.last_search = (event.query, now)
        elif isinstance(event, AddToCartEvent):
            state.carts[event.product_id] = OpenCart(
                event.product_id, now, event.event_id, event.channel.value, event.locale.value
            )
        elif isinstance(event, PurchaseEvent | RemoveFromCartEvent):
            state.carts.pop(event.product_id, None)
        ask = self.ask_for(state, event)
        if ask is None or not self._admit(state, ask, now, result):
            return ""
        result.asks.append(ask)
        return ask.request_id

    def ask_for(self, state: CopyDecisionState, event: BehaviourEvent) -> CopyAsk | None:
        """The ask an event makes, before admission (also used to re-send a replayed one)."""
        if isinstance(event, ViewEvent) and event.channel in self._cfg.view_channels:
            trigger, slot, cause = CopyTrigger.PRODUCT_VIEW, VIEW_SLOT, "view"
        elif isinstance(event, CopyRequestEvent):
            trigger, slot, cause = CopyTrigger.EXPLICIT, event.slot, "explicit"
        else:
            return None
        return CopyAsk(
            request_id=request_id_for(cause, event.event_id),
            user_id=event.user_id,
            product_id=event.product_id,
            channel=event.channel,
            locale=event.locale,
            slot=slot,
            trigger=trigger,
            search_query=self._recent_query(state, event.ts_seconds),
        )

    def due_carts(
        self, user_id: str, state: CopyDecisionState, now: float, result: TriggerResult
    ) -> None:
        """Carts untouched for `cart_abandon_after_s` become push (app shoppers) or email asks;
        each cart fires once, admitted or not."""
        after = self._cfg.cart_abandon_after_s
        due = [cart for cart in state.carts.values() if now - cart.added_at >= after]
        for cart in due:
            del state.carts[cart.product_id]
            ask = CopyAsk(
                request_id=request_id_for("cart", user_id, cart.event_id),
                user_id=user_id,
                product_id=cart.product_id,
                channel=Channel.PUSH if cart.channel == Channel.APP else Channel.EMAIL,
                locale=Locale(cart.locale),
                slot=CART_SLOT,
                trigger=CopyTrigger.CART_ABANDONED,
                search_query=None,
            )
            if self._admit(state, ask, now, result):
                result.asks.append(ask)

    def _admit(
        self, state: CopyDecisionState, ask: CopyAsk, now: float, result: TriggerResult
    ) -> bool:
        window = self._cfg.rate_window_s
        state.recent = [t for t in state.recent if now - t < window]
        state.pending = {k: v for k, v in state.pending.items() if v[1] > now}
        key = f"{ask.product_id}|{ask.channel.value}|{ask.slot}"
        if key in state.pending:
            result.skipped[Skipped.DUPLICATE_PENDING] += 1
            return False
        if len(state.recent) >= self._cfg.max_requests_per_user:
            result.skipped[Skipped.RATE_LIMITED] += 1
            return False
        state.recent.append(now)
        state.pending[key] = (ask.request_id, now + self._cfg.deadline_ms[ask.trigger] / 1000)
        return True

    @staticmethod
    def _recent_query(state: CopyDecisionState, now: float) -> str | None:
        if state.last_search is None:
            return None
        query, at = state.last_search
        return query[:200] if 0 <= now - at <= SEARCH_MEMORY_S else None
