"""Seeded shopper behaviour: a backdated history per shopper, then live session steps.

History is carts followed by a purchase or a removal (never a view, which would ask for copy,
and never an open cart, which would fire a cart reminder at once), so when a shopper's first
live view asks for copy, the features already show the segment: a bargain hunter has carted
only discounted products, a premium shopper only full-price, dear ones, and everyone's top
categories are their focus. Live steps are views (each asks for copy on web/app), searches and
carts with a purchase, removal or nothing after them.

The same seed gives the same events in the same order; timestamps and event ids come from the
caller (`now`, `run_tag`), so event content never depends on the wall clock.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import datetime, timedelta

from contracts.events import (
    AddToCartEvent,
    BehaviourEvent,
    PurchaseEvent,
    RemoveFromCartEvent,
    SearchEvent,
    ViewEvent,
)
from contracts.product import Product
from contracts.vocabulary import EventType
from simulate.storefront.config import StorefrontConfig
from simulate.storefront.population import Population, Shopper
from simulate.storefront.shelf import CatalogShelf


class ShopperSessions:
    def __init__(
        self,
        population: Population,
        shelf: CatalogShelf,
        config: StorefrontConfig,
        run_tag: str,
    ) -> None:
        self.population = population
        self.shelf = shelf
        self.config = config
        self.run_tag = run_tag
        self._rng = random.Random(f"{config.seed}|sessions")
        self._serial = 0
        self._pending: dict[str, Product] = {}  # user id -> product carted at the last step

    def session_id(self, shopper: Shopper) -> str:
        return f"{shopper.user_id}-{self.run_tag}"

    # History
    def history(self, now: datetime) -> list[BehaviourEvent]:
        """Every shopper's backdated history, oldest first, ending before `now`."""
        events: list[BehaviourEvent] = []
        span = self.config.history_span_s
        for shopper in self.population.shoppers:
            rng = random.Random(f"{self.config.seed}|history|{shopper.user_id}")
            steps = self._history_steps(shopper, rng)
            gap = span / (len(steps) + 1)
            start = now - timedelta(seconds=span)
            for index, (kind, product, query) in enumerate(steps, start=1):
                ts = start + timedelta(seconds=gap * index + rng.uniform(0, gap / 2))
                events.append(self._event(kind, shopper, ts, product, query))
        events.sort(key=lambda event: event.ts)
        return events

    def _history_steps(
        self, shopper: Shopper, rng: random.Random
    ) -> list[tuple[EventType, Product | None, str | None]]:
        steps: list[tuple[EventType, Product | None, str | None]] = []
        for _ in range(self.config.history_intents):
            if rng.random() < shopper.segment.search_share * 2:
                steps.append((EventType.SEARCH, None, self._query(shopper, rng)))
            product = self._pick(shopper, rng, intent=True)
            steps.append((EventType.ADD_TO_CART, product, None))
            bought = rng.random() < self.config.history_purchase_share
            steps.append(
                (EventType.PURCHASE if bought else EventType.REMOVE_FROM_CART, product, None)
            )
        return steps

    # Live
    def next_event(self, now: datetime) -> BehaviourEvent:
        """The next live step of a randomly chosen shopper, stamped `now`."""
        shopper = self._rng.choice(self.population.shoppers)
        carted = self._pending.pop(shopper.user_id, None)
        if carted is not None:
            return self._after_cart(shopper, carted, now)
        roll = self._rng.random()
        segment = shopper.segment
        if roll < segment.search_share:
            return self._event(
                EventType.SEARCH, shopper, now, None, self._query(shopper, self._rng)
            )
        if roll < segment.search_share + self.config.cart_share:
            product = self._pick(shopper, self._rng, intent=True)
            self._pending[shopper.user_id] = product
            return self._event(EventType.ADD_TO_CART, shopper, now, product, None)
        product = self._pick(shopper, self._rng, intent=False)
        return self._event(EventType.VIEW, shopper, now, product, None)

    def events(
        self, count: int, start: datetime, spacing_ms: float = 20.0
    ) -> Iterator[BehaviourEvent]:
        """`count` live events, `spacing_ms` apart in event time (for offline use and tests)."""
        for index in range(count):
            yield self.next_event(start + timedelta(milliseconds=index * spacing_ms))

    def _after_cart(self, shopper: Shopper, product: Product, now: datetime) -> BehaviourEvent:
        roll = self._rng.random()
        if roll < self.config.cart_purchase_share:
            return self._event(EventType.PURCHASE, shopper, now, product, None)
        if roll < self.config.cart_purchase_share + self.config.cart_open_share:
            # left open: the stream worker sends a cart reminder later; browse on meanwhile
            product = self._pick(shopper, self._rng, intent=False)
            return self._event(EventType.VIEW, shopper, now, product, None)
        return self._event(EventType.REMOVE_FROM_CART, shopper, now, product, None)

    # Choices
    def _pick(self, shopper: Shopper, rng: random.Random, intent: bool) -> Product:
        """A product the shopper would look at (or cart, when `intent`): mostly in the focus
        categories and on the segment's price shelf; carts follow the segment's discount taste."""
        segment = shopper.segment
        category = None
        if rng.random() < self.config.focus_share:
            category = rng.choice(segment.focus_categories)
        if intent:
            wants_discount: bool | None = rng.random() < segment.discount_taste
        elif (
            segment.discount_taste >= 1.0
            and rng.random() < self.config.bargain_view_discounted_share
        ):
            wants_discount = True
        else:
            wants_discount = None
        pool = self.shelf.pool(category, segment.price_level, wants_discount)
        return rng.choice(pool)

    @staticmethod
    def _query(shopper: Shopper, rng: random.Random) -> str:
        category = rng.choice(shopper.segment.focus_categories).replace("_", " ")
        return f"{category} {rng.choice(('best', 'deals', 'reviews', 'new', 'gift'))}"

    def _event(
        self,
        kind: EventType,
        shopper: Shopper,
        ts: datetime,
        product: Product | None,
        query: str | None,
    ) -> BehaviourEvent:
        self._serial += 1
        common = {
            "event_id": f"{self.run_tag}-{self._serial:08d}",
            "user_id": shopper.user_id,
            "session_id": self.session_id(shopper),
            "ts": ts,
            "channel": shopper.channel,
            "locale": shopper.locale,
        }
        if kind is EventType.SEARCH:
            assert query is not None
            return SearchEvent(type=EventType.SEARCH, query=query, **common)
        assert product is not None
        facts = product_facts(product, shopper)
        if kind is EventType.VIEW:
            return ViewEvent(type=EventType.VIEW, **facts, **common)
        if kind is EventType.ADD_TO_CART:
            return AddToCartEvent(type=EventType.ADD_TO_CART, **facts, **common)
        if kind is EventType.PURCHASE:
            return PurchaseEvent(type=EventType.PURCHASE, **facts, **common)
        return RemoveFromCartEvent(type=EventType.REMOVE_FROM_CART, **facts, **common)


def product_facts(product: Product, shopper: Shopper) -> dict[str, object]:
    """The product fields a behaviour event carries, as this shopper's shop page showed them."""
    return {
        "product_id": product.product_id,
        "category": product.category,
        "price": product.localized(shopper.locale).price,
        "discount_pct": product.discount_pct,
    }
