"""Reactions to copy: seeded per copy id, shaped like the shop's own events."""

from datetime import UTC, datetime

import pytest

from contracts.events import (
    AddToCartEvent,
    CopyClickEvent,
    CopyImpressionEvent,
    PurchaseEvent,
)
from contracts.vocabulary import Angle
from simulate.storefront.reactions import ReactionPlanner
from tests.unit.simulate.copies import make_copy

ARRIVED = datetime(2026, 1, 1, 12, tzinfo=UTC)


@pytest.fixture(scope="module")
def planner(click_model):
    return ReactionPlanner(click_model, lambda shopper: f"{shopper.user_id}-s")


def _bargain_copies(click_model, n, angle=Angle.DISCOUNT):
    shopper = click_model.population.in_segment("bargain_hunter")[0]
    sale = next(
        p
        for p in click_model.shelf.products
        if p.discount_pct > 0 and p.category in shopper.segment.focus_categories
    )
    copies = [
        make_copy(f"c{i:05d}", shopper.user_id, sale.product_id, angle, shopper.channel)
        for i in range(n)
    ]
    return shopper, sale, copies


def test_same_copy_id_gets_the_same_reaction_in_any_order(click_model, planner):
    shopper, _, copies = _bargain_copies(click_model, 60)
    forward = {c.copy_id: planner.react(c, shopper, ARRIVED) for c in copies}
    backward = {c.copy_id: planner.react(c, shopper, ARRIVED) for c in reversed(copies)}
    assert forward == backward
    assert len({r.clicked for r in forward.values()}) == 2  # not all alike: real draws


def test_click_rate_follows_the_click_model(click_model, planner):
    shopper, sale, copies = _bargain_copies(click_model, 3_000)
    clicks = sum(planner.react(c, shopper, ARRIVED).clicked for c in copies)
    expected = click_model.click_probability(shopper, sale, shopper.channel, Angle.DISCOUNT)
    assert clicks / len(copies) == pytest.approx(expected, abs=0.03)


def test_events_carry_the_copy_id_and_where_it_was_shown(click_model, planner):
    shopper, _, copies = _bargain_copies(click_model, 400)
    reactions = [planner.react(c, shopper, ARRIVED) for c in copies]
    carted = [r for r in reactions if r.carted]
    assert carted, "some copies should lead to a cart"
    for reaction in reactions:
        kinds = [type(event) for _, event in reaction.events]
        assert kinds[0] is CopyImpressionEvent
        assert (CopyClickEvent in kinds) == reaction.clicked
        assert (PurchaseEvent in kinds) == reaction.purchased
        assert not reaction.purchased or reaction.carted
        delays = [delay for delay, _ in reaction.events]
        assert delays == sorted(delays) and delays[0] > 0
        for _, event in reaction.events:
            assert event.user_id == shopper.user_id
            assert event.session_id == f"{shopper.user_id}-s"
            assert event.channel == shopper.channel and event.locale == copies[0].locale
            assert event.event_id.startswith(reaction.copy_id)
            if isinstance(event, CopyImpressionEvent | CopyClickEvent | AddToCartEvent):
                assert event.copy_id == reaction.copy_id
    purchases = [e for r in reactions for _, e in r.events if isinstance(e, PurchaseEvent)]
    assert {p.copy_id is None for p in purchases} == {True, False}  # some left to attribution


def test_unshown_copies_cause_nothing(click_model):
    from dataclasses import replace

    from simulate.storefront import StorefrontConfig
    from simulate.storefront.click_model import ClickModel

    hidden = ClickModel(
        click_model.population,
        click_model.shelf.products,
        replace(StorefrontConfig(), show_probability=0.0),
    )
    planner = ReactionPlanner(hidden, lambda shopper: "s")
    shopper, _, copies = _bargain_copies(click_model, 50)
    assert all(not planner.react(c, shopper, ARRIVED).events for c in copies)


def test_stating_the_real_discount_sells_more_to_bargain_hunters(click_model, planner):
    shopper, sale, copies = _bargain_copies(click_model, 4_000)
    facts = click_model.facts(sale, shopper.locale)
    stated = [
        c.model_copy(update={"text": f"{facts.discount_pct}% off {facts.title}"}) for c in copies
    ]
    plain_buys = sum(planner.react(c, shopper, ARRIVED).purchased for c in copies)
    stated_buys = sum(planner.react(c, shopper, ARRIVED).purchased for c in stated)
    assert stated_buys > 1.8 * plain_buys
