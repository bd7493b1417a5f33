"""Shelf prices as shops show them: USD charm endings, CNY converted at a fixed rate.

Every function here is pure; the generator supplies the randomness.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

USD_TO_CNY = 7.2
"""Yuan per US dollar. A modelling choice, not a live FX rate: a fixed rate keeps the zh-CN prices
a pure function of the en ones, so a seed always gives the same catalog."""


@dataclass(frozen=True)
class ShelfPrice:
    """What one listing charges; `price <= list_price`, both in the listing's currency."""

    price: float
    list_price: float


def usd_list_price(raw: float) -> float:
    """Round a raw USD amount to a charm list price: 7.99, 24.99, 129.99 or 1249.99."""
    if raw < 20:
        return round(max(math.floor(raw), 0) + 0.99, 2)
    step = 5 if raw < 100 else 10 if raw < 1_000 else 50
    return round(max(round(raw / step), 1) * step - 0.01, 2)


def usd_sale_price(list_price: float, discount_pct: int) -> float:
    """The USD price after `discount_pct` off, on an .99 ending where that stays near the target.

    The result is always below `list_price` and its whole-percent discount is within 5 points
    of `discount_pct` (cheap items fall back to exact cents, as shops do: 3.99 -> 3.59).
    """
    exact = list_price * (1 - discount_pct / 100)
    charm = round(math.floor(exact + 0.01) - 0.01, 2)
    if charm > 0 and abs(whole_percent_off(charm, list_price) - discount_pct) <= 5:
        return charm
    return round(exact, 2)


def usd_to_cny(usd: float) -> float:
    """Convert at `USD_TO_CNY`: under 100 yuan to the nearest x.9 (29.9), above to whole yuan.

    Monotonic; amounts at least 1 yuan apart never land on the same price.
    """
    yuan = usd * USD_TO_CNY
    if yuan < 100:
        return round(max(round(yuan - 0.9), 0) + 0.9, 1)
    return float(round(yuan))


def cny_shelf_price(usd: ShelfPrice) -> ShelfPrice:
    """The zh-CN prices of a USD listing; discounted in CNY exactly when discounted in USD."""
    list_price = usd_to_cny(usd.list_price)
    price = usd_to_cny(usd.price)
    if usd.price < usd.list_price and price >= list_price:
        # Only a sub-yuan discount can collapse on rounding; keep it visible rather than lose it.
        price = round(max(list_price - 1, 0.1), 1)
    return ShelfPrice(price=price, list_price=list_price)


def whole_percent_off(price: float, list_price: float) -> int:
    """Discount in whole percent, rounded like `Product.discount_pct`."""
    return round(100 * (1 - price / list_price))
