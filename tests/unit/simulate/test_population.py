from collections import Counter

import pytest

from contracts.vocabulary import Angle, Channel
from simulate.storefront import DEFAULT_SEGMENTS, Population, Segment
from simulate.storefront.errors import SegmentError


def test_same_seed_gives_the_same_population(catalog):
    assert Population.generate(catalog, 120, seed=3) == Population.generate(catalog, 120, seed=3)


def test_another_seed_shuffles_who_is_in_which_segment(catalog):
    first = Population.generate(catalog, 120, seed=3)
    second = Population.generate(catalog, 120, seed=4)
    assert [s.segment.name for s in first.shoppers] != [s.segment.name for s in second.shoppers]


def test_segments_get_exact_shares_of_the_population(population):
    sizes = Counter(shopper.segment.name for shopper in population.shoppers)
    total_weight = sum(segment.weight for segment in DEFAULT_SEGMENTS)
    for segment in DEFAULT_SEGMENTS:
        assert sizes[segment.name] == round(200 * segment.weight / total_weight)


def test_shoppers_use_their_segments_channel(population):
    channels = {
        name: {s.channel for s in population.in_segment(name)} for name in ("app_trend", "premium")
    }
    assert channels == {"app_trend": {Channel.APP}, "premium": {Channel.WEB}}


def test_segments_prefer_different_angles():
    best = {segment.name: segment.best_written_angle for segment in DEFAULT_SEGMENTS}
    assert len(set(best.values())) == len(DEFAULT_SEGMENTS)
    assert best["bargain_hunter"] is Angle.DISCOUNT


def test_segment_focusing_on_a_category_the_catalog_lacks_is_refused(catalog):
    odd = Segment(
        name="odd",
        weight=1.0,
        angle_ctr=dict.fromkeys(Angle, 0.1),
        focus_categories=("spaceships",),
        price_level=DEFAULT_SEGMENTS[0].price_level,
        channel_mix={Channel.WEB: 1.0},
        zh_share=0.0,
        discount_taste=0.0,
        search_share=0.0,
        purchase_rate=0.1,
    )
    with pytest.raises(SegmentError, match="spaceships"):
        Population.generate(catalog, 10, seed=1, segments=[odd])
