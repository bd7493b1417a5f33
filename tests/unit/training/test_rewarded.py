"""Rewarded copies: briefs rebuilt like serving's, weights relative to the mean, skips counted."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from contracts.outcomes import CopyOutcomeRecord
from contracts.settings import CopyRuleSettings
from contracts.vocabulary import Angle
from features.catalog.generator import CatalogGenerator
from serving.facts import ProductFacts
from training.corpus import CopyCorpusBuilder, CopyExample
from training.rewarded import rewarded_copies, select_rewarded_copies

RULES = CopyRuleSettings()
PRODUCTS = CatalogGenerator(seed=7, products=12).generate()
NOW = datetime(2026, 11, 2, 12, tzinfo=UTC)


@pytest.fixture(scope="module")
def examples() -> list[CopyExample]:
    return CopyCorpusBuilder(RULES, seed=5, copies_per_angle=1).build(PRODUCTS[:3])


def _record(example: CopyExample, reward: float, **changes: object) -> CopyOutcomeRecord:
    fields: dict[str, object] = {
        "copy_id": "c1",
        "request_id": "r1",
        "user_id": "u1",
        "product_id": example.brief.facts.product_id,
        "channel": example.brief.channel,
        "slot": "banner",
        "locale": example.brief.locale,
        "trigger": "product_view",
        "angle": example.brief.written_angle,
        "requested_angle": example.brief.angle,
        "propensity": 0.1,
        "policy_version": "uniform",
        "model_version": "bootstrap-x",
        "text": example.text,
        "fallback_used": False,
        "features_snapshot_id": "s1",
        "created_at": NOW,
        "shown_at": NOW,
        "closed_at": NOW,
        "impressions": 1,
        "clicks": int(reward > 0),
        "add_to_carts": 0,
        "purchases": 0,
        "reward": reward,
    }
    return CopyOutcomeRecord.model_validate({**fields, **changes})


def test_weights_are_rewards_relative_to_their_mean(examples):
    records = [_record(examples[0], 1.0), _record(examples[1], 6.0), _record(examples[2], 2.0)]
    copies = rewarded_copies(records, PRODUCTS, RULES)
    assert [copy.weight for copy in copies] == pytest.approx([1 / 3, 2.0, 2 / 3])
    assert sum(copy.weight for copy in copies) / len(copies) == pytest.approx(1.0)
    assert [copy.text for copy in copies] == [example.text for example in examples[:3]]


def test_brief_is_rebuilt_like_the_generator_service_builds_it(examples):
    example = next(e for e in examples if e.brief.search_query)
    (copy,) = rewarded_copies([_record(example, 1.0)], PRODUCTS, RULES)
    product = next(p for p in PRODUCTS if p.product_id == example.brief.facts.product_id)
    assert copy.brief.facts == ProductFacts.of(
        product, example.brief.locale, RULES.low_stock_threshold
    )
    assert (copy.brief.channel, copy.brief.angle) == (example.brief.channel, example.brief.angle)
    assert copy.brief.search_query is None, "outcome records carry no query"


def test_unrewarded_records_and_templates_are_left_out(examples):
    records = [
        _record(examples[0], 0.0),
        _record(examples[1], -1.0),
        _record(examples[2], 5.0, fallback_used=True),
        _record(examples[3], 1.0),
    ]
    selection = select_rewarded_copies(records, PRODUCTS, RULES)
    assert [copy.text for copy in selection.copies] == [examples[3].text]
    assert (selection.unrewarded, selection.templates) == (2, 1)
    with_templates = rewarded_copies(records, PRODUCTS, RULES, include_templates=True)
    assert [copy.text for copy in with_templates] == [examples[2].text, examples[3].text]


def test_unknown_products_are_skipped_and_counted(examples):
    records = [_record(examples[0], 1.0, product_id="gone-product"), _record(examples[1], 1.0)]
    by_id = {product.product_id: product for product in PRODUCTS}
    selection = select_rewarded_copies(records, by_id, RULES)
    assert len(selection.copies) == 1 and selection.unknown_product == 1
    assert selection.copies[0].weight == pytest.approx(1.0)


def test_texts_that_no_longer_pass_the_checker_are_skipped_with_their_rule(examples):
    english = next(e for e in examples if e.brief.locale.value == "en")
    wrong_price = _record(english, 1.0, text=f"{english.brief.facts.title} now only $0.50")
    banned = _record(english, 1.0, text=f"Guaranteed: {english.brief.facts.title}")
    selection = select_rewarded_copies(
        [wrong_price, banned, _record(english, 1.0)], PRODUCTS, RULES
    )
    assert [copy.text for copy in selection.copies] == [english.text]
    assert selection.failing_checks == 2
    assert selection.failing_rules.get("money") == 1
    assert selection.failing_rules.get("banned_term") == 1
    assert selection.skipped == 2


def test_copies_whose_written_angle_no_longer_fits_the_facts_are_skipped(examples):
    example = next(e for e in examples if e.brief.written_angle is not Angle.GIFT)
    stale = _record(example, 1.0, angle=Angle.GIFT)  # written for another prompt than today's
    selection = select_rewarded_copies([stale], PRODUCTS, RULES)
    assert selection.copies == [] and selection.angle_changed == 1


def test_no_rewarded_record_gives_no_copies(examples):
    assert rewarded_copies([_record(examples[0], 0.0)], PRODUCTS, RULES) == []
