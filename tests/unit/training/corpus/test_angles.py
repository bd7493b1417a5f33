"""The pivot rules: an angle whose premise is false is written as one that is true."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from contracts.vocabulary import Angle, Locale
from features.catalog import CatalogGenerator
from serving.facts import ProductFacts
from training.corpus.angles import needs_met, written_angle
from training.corpus.templates import Need

PLAIN = replace(
    ProductFacts.of(CatalogGenerator(seed=7, products=1).generate()[0], Locale.EN, 10),
    price=100.0,
    list_price=100.0,
    discount_pct=0,
    rating=4.5,
    review_count=100,
    stock=200,
    is_new=False,
    free_shipping=False,
    low_stock=False,
)


@pytest.mark.parametrize(
    ("angle", "changes", "expected"),
    [
        (Angle.DISCOUNT, {}, Angle.VALUE),
        (Angle.DISCOUNT, {"discount_pct": 20, "list_price": 125.0}, Angle.DISCOUNT),
        (Angle.FREE_SHIPPING, {}, Angle.VALUE),
        (Angle.FREE_SHIPPING, {"free_shipping": True}, Angle.FREE_SHIPPING),
        (Angle.NEW_ARRIVAL, {}, Angle.BRAND_STORY),
        (Angle.NEW_ARRIVAL, {"is_new": True}, Angle.NEW_ARRIVAL),
        (Angle.SCARCITY, {}, Angle.URGENCY),
        (Angle.SCARCITY, {"stock": 3, "low_stock": True}, Angle.SCARCITY),
        (Angle.SCARCITY, {"stock": 0}, Angle.QUALITY),
        (Angle.URGENCY, {}, Angle.URGENCY),
        (Angle.URGENCY, {"stock": 0}, Angle.QUALITY),
        (Angle.SOCIAL_PROOF, {}, Angle.SOCIAL_PROOF),
        (Angle.SOCIAL_PROOF, {"review_count": 19}, Angle.QUALITY),
        (Angle.SOCIAL_PROOF, {"rating": 3.6}, Angle.QUALITY),
        (Angle.QUALITY, {}, Angle.QUALITY),
        (Angle.BRAND_STORY, {}, Angle.BRAND_STORY),
        (Angle.GIFT, {}, Angle.GIFT),
        (Angle.VALUE, {}, Angle.VALUE),
    ],
)
def test_angle_is_written_as_one_whose_premise_holds(
    angle: Angle, changes: dict[str, Any], expected: Angle
):
    assert written_angle(angle, replace(PLAIN, **changes)) is expected


def test_rating_is_quotable_with_five_good_reviews_and_social_proof_needs_twenty():
    assert Need.RATED not in needs_met(replace(PLAIN, review_count=4), has_feature=True)
    few = needs_met(replace(PLAIN, review_count=5), has_feature=True)
    assert Need.RATED in few and Need.REVIEWED not in few
    assert Need.REVIEWED in needs_met(replace(PLAIN, review_count=20), has_feature=True)
    assert not {Need.RATED, Need.REVIEWED} & needs_met(replace(PLAIN, rating=3.9), True)


def test_needs_follow_the_facts():
    assert needs_met(PLAIN, has_feature=False) == {Need.IN_STOCK, Need.RATED, Need.REVIEWED}
    sold_out = needs_met(replace(PLAIN, stock=0), has_feature=True)
    assert Need.IN_STOCK not in sold_out and Need.FEATURE in sold_out
