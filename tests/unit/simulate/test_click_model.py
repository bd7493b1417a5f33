"""The hidden click model: pivots, the oracle, and exact policy CTRs."""

import random
from collections import Counter, defaultdict

import pytest

from contracts.copies import CopyTrigger
from contracts.vocabulary import Angle, Channel, Locale
from policy.decision import ANGLES
from simulate.storefront import ShownContext
from simulate.storefront.errors import UnknownShopperError


@pytest.fixture(scope="module")
def contexts(click_model):
    """Views as shoppers make them: their own channel, products of all kinds."""
    rng = random.Random(5)
    products = click_model.shelf.products
    return [
        ShownContext(shopper.user_id, product.product_id, shopper.channel, shopper.locale)
        for shopper in click_model.population.shoppers
        for product in rng.sample(products, 15)
    ]


def _first(click_model, segment, **wanted):
    shopper = click_model.population.in_segment(segment)[0]
    for product in click_model.shelf.products:
        facts = click_model.facts(product, shopper.locale)
        if all(getattr(facts, name) == value for name, value in wanted.items()):
            return shopper, product
    raise AssertionError(f"no product with {wanted}")


def test_discount_on_a_full_price_product_is_judged_as_the_value_copy_it_becomes(click_model):
    shopper, product = _first(click_model, "bargain_hunter", discounted=False)
    rate = click_model.click_probability
    discount = rate(shopper, product, shopper.channel, Angle.DISCOUNT)
    assert discount == rate(shopper, product, shopper.channel, Angle.VALUE)
    shopper, sale = _first(click_model, "bargain_hunter", discounted=True)
    assert rate(shopper, sale, shopper.channel, Angle.DISCOUNT) > 2 * rate(
        shopper, sale, shopper.channel, Angle.VALUE
    )


def test_oracle_angle_is_the_segments_best_on_its_own_channel(click_model):
    shopper, product = _first(click_model, "gift_giver", discounted=True)
    assert click_model.oracle_angle(shopper, product, shopper.channel) is Angle.GIFT
    shopper, product = _first(click_model, "bargain_hunter", discounted=True)
    assert click_model.oracle_angle(shopper, product, Channel.EMAIL) is Angle.DISCOUNT


def test_best_angle_is_far_ahead_of_the_rest(click_model, contexts):
    flat = 0
    for context in contexts:
        rates = sorted(set(click_model.click_probabilities(context)), reverse=True)
        if len(rates) == 1:  # e.g. urgency for an app shopper on a sold-out product
            flat += 1
            continue
        assert rates[0] >= 2 * rates[1]
    assert flat < 0.02 * len(contexts)


def test_random_ctr_is_the_mean_of_the_fixed_angle_ctrs(click_model, contexts):
    fixed = [click_model.angle_ctr(contexts, angle) for angle in ANGLES]
    assert click_model.random_ctr(contexts) == pytest.approx(sum(fixed) / len(fixed))


def test_oracle_beats_every_fixed_angle_which_beats_the_worst(click_model, contexts):
    fixed = sorted(click_model.angle_ctr(contexts, angle) for angle in ANGLES)
    oracle, random_ctr = click_model.oracle_ctr(contexts), click_model.random_ctr(contexts)
    assert oracle > 1.5 * fixed[-1]
    assert fixed[-1] > random_ctr > fixed[0]
    assert oracle - random_ctr > 0.15  # random products: mostly off focus, so lower rates


def test_policy_ctr_of_the_oracle_pmf_is_the_oracle_ctr(click_model, contexts):
    assert click_model.policy_ctr(contexts, click_model.oracle_pmf) == pytest.approx(
        click_model.oracle_ctr(contexts)
    )


def test_policy_ctr_of_a_segment_aware_pmf_sits_between_random_and_oracle(click_model, contexts):
    """A policy that knows the segment but not the product: 90% on the segment's best angle."""

    def pmf(context):
        best = click_model.shopper(context.user_id).segment.best_written_angle
        return tuple(0.9 + 0.01 if a is best else 0.01 for a in ANGLES)

    ctr = click_model.policy_ctr(contexts, pmf)
    oracle, random_ctr = click_model.oracle_ctr(contexts), click_model.random_ctr(contexts)
    assert random_ctr + 0.8 * (oracle - random_ctr) < ctr < oracle


def test_each_segment_has_its_own_usual_best_angle(click_model, contexts):
    best_by_segment = defaultdict(Counter)
    for context in contexts:
        segment = click_model.shopper(context.user_id).segment.name
        rates = click_model.click_probabilities(context)
        best_by_segment[segment][ANGLES[rates.index(max(rates))]] += 1
    usual = {name: best.most_common(1)[0] for name, best in best_by_segment.items()}
    assert len({angle for angle, _ in usual.values()}) == len(usual)
    for name, (_, count) in usual.items():  # bargain hunters see value copy on full price
        assert count >= 0.4 * sum(best_by_segment[name].values()), name


def test_pmf_from_logged_features_goes_through_a_decision_context(click_model):
    shopper = click_model.population.shoppers[0]
    context = ShownContext(
        shopper.user_id,
        "p00001",
        shopper.channel,
        shopper.locale,
        CopyTrigger.PRODUCT_VIEW,
        {"discount_sensitivity": 0.9},
        {"discount_pct": 20},
    )
    decision = context.decision_context()
    assert decision.user == {"discount_sensitivity": 0.9}
    assert decision.product == {"discount_pct": 20}
    assert decision.channel == shopper.channel


def test_unknown_shopper_is_refused_with_what_to_do(click_model):
    context = ShownContext("nobody", "p00001", Channel.WEB, Locale.EN)
    with pytest.raises(UnknownShopperError, match="same seed and size"):
        click_model.oracle_ctr([context])


def test_a_context_from_the_outcome_log_keeps_the_decision_trigger_and_snapshot():
    from tests.unit.training.synthetic_outcomes import make_record

    record = make_record(
        3,
        user={"views_total": 4, "preferred_channel": "web"},
        product={"price": 19.5},
        angle=Angle.URGENCY,
        text="Hurry",
        clicked=True,
        purchased=False,
    ).model_copy(update={"trigger": CopyTrigger.CART_ABANDONED.value})
    context = ShownContext.of_record(record)
    assert context.trigger is CopyTrigger.CART_ABANDONED  # not the product-view default
    decision = context.decision_context()
    assert (decision.user_id, decision.product_id) == (record.user_id, record.product_id)
    assert dict(decision.user) == {"views_total": 4, "preferred_channel": "web"}
    assert dict(decision.product) == {"price": 19.5}
