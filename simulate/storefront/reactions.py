"""What a shopper does with one copy: impression, click, cart, purchase; seeded per copy id.

Every draw comes from a generator seeded with (seed, copy id), in a fixed order, so a copy gets
the same reaction whenever and in whatever order it arrives, and a copy delivered twice gets
the same events with the same ids (the stream worker drops the second as duplicates).
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from contracts.copies import GeneratedCopy
from contracts.events import (
    AddToCartEvent,
    BehaviourEvent,
    CopyClickEvent,
    CopyImpressionEvent,
    PurchaseEvent,
    RemoveFromCartEvent,
)
from contracts.vocabulary import EventType
from simulate.storefront.click_model import ClickModel
from simulate.storefront.population import Shopper
from simulate.storefront.shoppers import product_facts


@dataclass(frozen=True)
class Reaction:
    """The events one copy causes, each with its delay after the copy arrived (seconds)."""

    copy_id: str
    shown: bool
    clicked: bool
    carted: bool
    purchased: bool
    events: tuple[tuple[float, BehaviourEvent], ...] = field(default=())


def reaction_seed(seed: int, copy_id: str) -> int:
    """A stable 64-bit seed per (storefront seed, copy id); Python's `hash` is salted per run."""
    digest = hashlib.blake2b(f"{seed}|{copy_id}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big")


class ReactionPlanner:
    def __init__(self, click_model: ClickModel, session_id: Callable[[Shopper], str]) -> None:
        """`session_id` names the shopper's current session (outcome events carry it)."""
        self.click_model = click_model
        self.config = click_model.config
        self._session_id = session_id

    def react(self, copy: GeneratedCopy, shopper: Shopper, arrived: datetime) -> Reaction:
        """The shopper's reaction to `copy`; events are stamped `arrived` plus their delay."""
        rng = random.Random(reaction_seed(self.config.seed, copy.copy_id))
        # Every draw is made, used or not, so each decision keeps its own uniform.
        u_show, u_click, u_cart, u_copy_id, u_remove = (rng.random() for _ in range(5))
        low, high = self.config.reaction_delay_ms
        delays = [rng.uniform(low, high) / 1000 for _ in range(3)]

        model = self.click_model
        product = model.shelf.product(copy.product_id)
        shown = u_show < self.config.show_probability
        p_click = model.click_probability(
            shopper, product, copy.channel, copy.requested_angle, copy.locale
        )
        clicked = shown and u_click < p_click
        p_cart = model.cart_probability(shopper, product, copy.text, clicked, copy.locale)
        p_purchase = model.purchase_probability(shopper, product, copy.text, clicked, copy.locale)
        carted = clicked and u_cart < p_cart
        purchased = clicked and u_cart < p_purchase  # nested in the cart draw: bought ⊂ carted

        events: list[tuple[float, BehaviourEvent]] = []
        at = 0.0
        common = self._common(copy, shopper)
        if shown:
            at += delays[0]
            events.append((at, self._impression(copy, common, arrived, at)))
        if clicked:
            at += delays[1]
            events.append((at, self._click(copy, common, arrived, at)))
        if carted:
            at += delays[2]
            facts = product_facts(product, shopper)
            stamp = _stamp(copy, "cart", arrived, at)
            events.append(
                (
                    at,
                    AddToCartEvent(
                        type=EventType.ADD_TO_CART, copy_id=copy.copy_id, **stamp, **facts, **common
                    ),
                )
            )
            at += delays[2]
            if purchased:
                keep_id = u_copy_id >= self.config.purchase_without_copy_id_share
                stamp = _stamp(copy, "purchase", arrived, at)
                events.append(
                    (
                        at,
                        PurchaseEvent(
                            type=EventType.PURCHASE,
                            copy_id=copy.copy_id if keep_id else None,
                            **stamp,
                            **facts,
                            **common,
                        ),
                    )
                )
            elif u_remove < self.config.cart_removal_share:
                stamp = _stamp(copy, "remove", arrived, at)
                events.append(
                    (
                        at,
                        RemoveFromCartEvent(
                            type=EventType.REMOVE_FROM_CART, **stamp, **facts, **common
                        ),
                    )
                )
        return Reaction(copy.copy_id, shown, clicked, carted, purchased, tuple(events))

    def _common(self, copy: GeneratedCopy, shopper: Shopper) -> dict[str, object]:
        """Outcome events happen where the copy was shown: its channel and locale."""
        return {
            "user_id": copy.user_id,
            "session_id": self._session_id(shopper),
            "channel": copy.channel,
            "locale": copy.locale,
        }

    @staticmethod
    def _impression(
        copy: GeneratedCopy, common: dict[str, object], arrived: datetime, at: float
    ) -> CopyImpressionEvent:
        return CopyImpressionEvent(
            type=EventType.COPY_IMPRESSION,
            copy_id=copy.copy_id,
            product_id=copy.product_id,
            slot=copy.slot,
            **_stamp(copy, "impression", arrived, at),
            **common,
        )

    @staticmethod
    def _click(
        copy: GeneratedCopy, common: dict[str, object], arrived: datetime, at: float
    ) -> CopyClickEvent:
        return CopyClickEvent(
            type=EventType.COPY_CLICK,
            copy_id=copy.copy_id,
            product_id=copy.product_id,
            slot=copy.slot,
            **_stamp(copy, "click", arrived, at),
            **common,
        )


def _stamp(copy: GeneratedCopy, what: str, arrived: datetime, at: float) -> dict[str, object]:
    """Event id derived from the copy id (a redelivered copy repeats it) and the event time."""
    return {"event_id": f"{copy.copy_id}-{what}", "ts": arrived + timedelta(seconds=at)}
