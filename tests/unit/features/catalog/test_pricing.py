from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from features.catalog.pricing import (
    ShelfPrice,
    cny_shelf_price,
    usd_list_price,
    usd_sale_price,
    usd_to_cny,
    whole_percent_off,
)

_FIXED = settings(derandomize=True, database=None, deadline=None, max_examples=200)
_LIST_PRICES = st.floats(min_value=2.99, max_value=400)
_DISCOUNTS = st.integers(min_value=5, max_value=60)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(7.3, 7.99), (19.5, 19.99), (23.0, 24.99), (131.0, 129.99), (1234.0, 1249.99)],
)
def test_list_prices_get_charm_endings(raw: float, expected: float):
    assert usd_list_price(raw) == expected


@pytest.mark.parametrize(
    ("usd", "expected"),
    [(3.99, 28.9), (9.99, 71.9), (13.99, 101.0), (99.99, 720.0)],
)
def test_cny_is_x_point_9_under_100_yuan_and_whole_yuan_above(usd: float, expected: float):
    assert usd_to_cny(usd) == expected


@_FIXED
@given(_LIST_PRICES, _DISCOUNTS)
def test_sale_price_is_below_list_and_near_the_target_discount(raw: float, discount: int):
    list_price = usd_list_price(raw)
    price = usd_sale_price(list_price, discount)
    assert 0 < price < list_price
    assert abs(whole_percent_off(price, list_price) - discount) <= 5


@_FIXED
@given(_LIST_PRICES, st.one_of(st.just(0), _DISCOUNTS))
def test_cny_listing_is_discounted_exactly_when_usd_listing_is(raw: float, discount: int):
    list_price = usd_list_price(raw)
    price = usd_sale_price(list_price, discount) if discount else list_price
    cny = cny_shelf_price(ShelfPrice(price=price, list_price=list_price))
    assert 0 < cny.price <= cny.list_price
    assert (cny.price < cny.list_price) == (price < list_price)
