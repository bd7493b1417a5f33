"""Sessions make each segment's online features distinctive, through the real feature code."""

import statistics
from collections import defaultdict
from datetime import UTC, datetime

import pytest

from contracts.events import PurchaseEvent, RemoveFromCartEvent, ViewEvent
from contracts.settings import StreamSettings
from simulate.storefront import StorefrontConfig
from simulate.storefront.shoppers import ShopperSessions
from streams.user_state import UserActivityState

CFG = StreamSettings()
NOW = datetime(2026, 1, 1, 12, tzinfo=UTC)


@pytest.fixture(scope="module")
def features_by_segment(click_model):
    """Each shopper's features after history and 3,000 live events, per segment."""
    sessions = ShopperSessions(click_model.population, click_model.shelf, StorefrontConfig(), "t")
    states: dict[str, UserActivityState] = defaultdict(UserActivityState)
    events = [*sessions.history(NOW), *sessions.events(3_000, NOW)]
    for offset, event in enumerate(events):
        states[event.user_id].apply(event, 0, offset, CFG)
    by_segment: dict[str, list[dict]] = defaultdict(list)
    for shopper in click_model.population.shoppers:
        by_segment[shopper.segment.name].append(states[shopper.user_id].features(CFG))
    return by_segment


def _values(rows, name):
    return [row[name] for row in rows]


def test_same_seed_and_tag_give_the_same_events(click_model):
    def run():
        sessions = ShopperSessions(
            click_model.population, click_model.shelf, StorefrontConfig(), "t"
        )
        return [*sessions.history(NOW), *sessions.events(200, NOW)]

    assert run() == run()


def test_history_asks_for_no_copy_and_leaves_no_cart_open(click_model):
    sessions = ShopperSessions(click_model.population, click_model.shelf, StorefrontConfig(), "t")
    history = sessions.history(NOW)
    assert not any(isinstance(event, ViewEvent) for event in history)
    open_carts: set[tuple[str, str]] = set()
    for event in history:
        key = (event.user_id, getattr(event, "product_id", ""))
        if event.type == "add_to_cart":
            open_carts.add(key)
        elif isinstance(event, PurchaseEvent | RemoveFromCartEvent):
            open_carts.discard(key)
    assert not open_carts
    assert max(event.ts for event in history) < NOW


def test_bargain_hunters_are_discount_sensitive_and_premium_shoppers_are_not(features_by_segment):
    bargain = _values(features_by_segment["bargain_hunter"], "discount_sensitivity")
    premium = _values(features_by_segment["premium"], "discount_sensitivity")
    others = [
        value
        for name in ("app_trend", "gift_giver", "researcher")
        for value in _values(features_by_segment[name], "discount_sensitivity")
    ]
    assert min(bargain) >= 0.8
    assert max(premium) <= 0.2
    assert max(premium) < statistics.median(others) < min(bargain)


def test_premium_shoppers_have_the_highest_price_affinity(features_by_segment):
    def median_affinity(name):
        # en shoppers only: zh-CN shoppers see prices in yuan
        rows = [r for r in features_by_segment[name] if r["last_locale"] == "en"]
        return statistics.median(_values(rows, "price_affinity"))

    premium = median_affinity("premium")
    assert premium > 2 * median_affinity("bargain_hunter")
    for name in ("app_trend", "gift_giver", "researcher"):
        assert premium > median_affinity(name)


def test_top_categories_are_the_segments_focus(features_by_segment, click_model):
    for segment in click_model.population.segments:
        rows = features_by_segment[segment.name]
        in_focus = [row["top_categories"][0] in segment.focus_categories for row in rows]
        assert sum(in_focus) / len(rows) >= 0.9, segment.name


def test_researchers_search_most(features_by_segment):
    def mean_searches(name):
        return statistics.mean(_values(features_by_segment[name], "searches_24h"))

    for name in ("bargain_hunter", "premium", "app_trend", "gift_giver"):
        assert mean_searches("researcher") > 2 * mean_searches(name)


def test_live_views_are_on_the_shoppers_channel_so_they_ask_for_banner_copy(click_model):
    sessions = ShopperSessions(click_model.population, click_model.shelf, StorefrontConfig(), "t")
    views = [e for e in sessions.events(500, NOW) if isinstance(e, ViewEvent)]
    assert len(views) > 300
    for view in views:
        assert view.channel == click_model.shopper(view.user_id).channel
