"""Seeded shopper sessions: views, searches, carts and purchases over a catalog.

Each shopper has a favourite category and a price level, so per-user features are non-trivial.
Events are deterministic for a seed and carry consecutive timestamps from `start`.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from contracts.events import (
    AddToCartEvent,
    BehaviourEvent,
    PurchaseEvent,
    SearchEvent,
    ViewEvent,
)
from contracts.product import Product
from contracts.vocabulary import Channel, EventType, Locale


@dataclass(frozen=True)
class Shopper:
    user_id: str
    favourite_category: str
    locale: Locale
    channel: Channel
    buys_discounts: bool


class ShopperSessionGenerator:
    def __init__(self, catalog: list[Product], users: int, seed: int) -> None:
        if not catalog:
            raise ValueError("the catalog is empty: generate or import one first")
        self._rng = random.Random(seed)
        self._by_category: dict[str, list[Product]] = {}
        for product in catalog:
            self._by_category.setdefault(product.category, []).append(product)
        categories = sorted(self._by_category)
        self.shoppers = [
            Shopper(
                user_id=f"u{i:05d}",
                favourite_category=self._rng.choice(categories),
                locale=Locale.ZH_CN if self._rng.random() < 0.3 else Locale.EN,
                channel=self._rng.choice([Channel.WEB, Channel.APP]),
                buys_discounts=self._rng.random() < 0.5,
            )
            for i in range(users)
        ]
        self._catalog = catalog
        self._serial = 0

    def events(
        self, count: int, start: datetime | None = None, spacing_ms: float = 10.0
    ) -> Iterator[BehaviourEvent]:
        """`count` events from interleaved shoppers, `spacing_ms` apart in event time."""
        ts = start or datetime.now(UTC)
        for _ in range(count):
            shopper = self._rng.choice(self.shoppers)
            yield self._next_event(shopper, ts)
            ts += timedelta(milliseconds=spacing_ms)

    def _pick_product(self, shopper: Shopper) -> Product:
        if self._rng.random() < 0.7:
            return self._rng.choice(self._by_category[shopper.favourite_category])
        return self._rng.choice(self._catalog)

    def _next_event(self, shopper: Shopper, ts: datetime) -> BehaviourEvent:
        self._serial += 1
        common = {
            "event_id": f"sim-{self._serial:09d}",
            "user_id": shopper.user_id,
            "session_id": f"{shopper.user_id}-s{ts.hour}",
            "ts": ts,
            "channel": shopper.channel,
            "locale": shopper.locale,
        }
        roll = self._rng.random()
        if roll < 0.08:
            query = f"{shopper.favourite_category.replace('_', ' ')} deals"
            return SearchEvent(type=EventType.SEARCH, query=query, **common)
        product = self._pick_product(shopper)
        listing = product.localized(shopper.locale)
        facts = {
            "product_id": product.product_id,
            "category": product.category,
            "price": listing.price,
            "discount_pct": product.discount_pct,
        }
        wants = not shopper.buys_discounts or product.discount_pct > 0
        if roll < 0.90 or not wants:
            return ViewEvent(type=EventType.VIEW, **facts, **common)
        if roll < 0.97:
            return AddToCartEvent(type=EventType.ADD_TO_CART, quantity=1, **facts, **common)
        return PurchaseEvent(type=EventType.PURCHASE, quantity=1, **facts, **common)


def probe_event(user_id: str, category: str = "probe") -> ViewEvent:
    """A view for a throw-away user: its features appear once the pipeline has handled it."""
    return ViewEvent(
        type=EventType.VIEW,
        event_id=f"probe-{user_id}",
        user_id=user_id,
        session_id=user_id,
        ts=datetime.now(UTC),
        channel=Channel.WEB,
        locale=Locale.EN,
        product_id="p00001",
        category=category,
        price=1.0,
    )
