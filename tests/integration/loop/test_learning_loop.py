"""One turn of the whole learning loop on the real parts: storefront shoppers on Kafka → stream
worker → generator service (tiny model) → outcome joiner → Parquet log → retraining round →
release → hot reload → the next traffic is decided and written by the new release.

The gate is opened wide here: whether a challenger deserves promotion is the gate's own tests'
business; this test checks that a promoted release really goes round the loop.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from contracts.product import Product
from contracts.settings import Settings
from features.catalog import CatalogGenerator
from policy.uniform import UNIFORM_VERSION
from simulate.learning_loop import LearningLoop, LoopPlan, loop_settings
from simulate.loop_report import loop_summary, plot_ctr_by_round
from simulate.storefront.config import StorefrontConfig
from simulate.storefront.population import DEFAULT_SEGMENTS
from tests.integration.service.kafka_io import free_port
from tests.integration.tiny_model import TINY_TRAINING
from training.bootstrap import BootstrapResult

pytestmark = pytest.mark.integration

WIDE_OPEN_GATE = {
    "min_examples": 30,
    "max_perplexity_increase": 10.0,
    "max_pass_rate_drop": 1.0,
    "max_distinct_drop": 1.0,
    "max_policy_value_drop": 1.0,
    "max_reward_model_loss_increase": 10.0,
}


def _loop_catalog(tiny_catalog: list[Product]) -> list[Product]:
    """Enough products for every segment's shelf, in the categories the tiny model knows."""
    known = {product.category for product in tiny_catalog}
    return [p for p in CatalogGenerator(seed=7, products=200).generate() if p.category in known]


def _segments_for(catalog: list[Product]) -> tuple:
    """The default segments, focused on the categories the catalog has."""
    present = {product.category for product in catalog}
    return tuple(
        replace(
            segment, focus_categories=tuple(c for c in segment.focus_categories if c in present)
        )
        for segment in DEFAULT_SEGMENTS
    )


def test_a_round_of_the_loop_publishes_a_release_that_serves_the_next_traffic(
    infra: Settings,
    tiny_model: BootstrapResult,
    tiny_catalog: list[Product],
    tmp_path: Path,
) -> None:
    catalog = _loop_catalog(tiny_catalog)
    base = Settings(
        home=tmp_path,
        kafka=infra.kafka.model_dump(),
        redis=infra.redis.model_dump(),
        catalog={"products": len(catalog)},
        training=TINY_TRAINING,
        generator={"intra_op_threads": 1},
        service={"reload_check_interval_s": 0.5},
        decisions={"policy_reload_interval_s": 0.5},
        outcomes={"close_check_interval_s": 0.5, "close_grace_s": 2.0},
        retraining={
            "eval_briefs": 6,
            "eval_samples_per_brief": 1,
            "bootstrap_samples": 50,
            "gate": WIDE_OPEN_GATE,
            "finetune": {"steps": 6, "batch_size": 8, "max_minutes": 1.0},
        },
    )
    (tmp_path / "models").mkdir()
    (tmp_path / "models" / "bootstrap").symlink_to(tiny_model.folder)
    plan = LoopPlan(
        rounds=1,
        traffic_s=15.0,
        events_per_s=25.0,
        drain_s=3.0,
        shoppers=40,
        attribution_window_s=2.0,
        outcome_wait_s=60.0,
        reload_timeout_s=60.0,
        http_port=free_port(),
    )
    settings = loop_settings(base, plan)
    storefront = StorefrontConfig(segments=_segments_for(catalog))

    result = LearningLoop(settings, catalog, plan, storefront).run()

    before, after = result.traffic
    (retraining,) = result.retraining
    assert before.copies > 30 and after.copies > 0
    assert before.unchecked == after.unchecked == 0  # every copy shoppers saw passes the checks
    assert before.policy_version == UNIFORM_VERSION
    assert before.served_by == {"bootstrap": before.copies}
    assert before.outcomes_logged >= 0.9 * before.impressions  # the joiner logged them
    assert retraining.published is not None
    assert "angle_policy" in retraining.promoted
    # The next traffic was decided by the new policy and written by the new release.
    assert after.release == retraining.published
    assert after.policy_version.startswith("vw-")
    assert after.served_by.get(retraining.published, 0) >= after.copies - after.decided_by_others
    assert retraining.ope is not None and 0.0 <= retraining.ope["true"] <= 1.0
    # every decision logged its distribution and its snapshot's premises: weighed per copy
    assert retraining.ope["weighed_per_copy"] == retraining.ope["held_out"] > 0
    summary = loop_summary(result)
    assert summary["rounds"] == 1 and len(summary["ctr_by_round"]) == 2
    assert summary["faithful_compliant_share"] == 1.0
    assert plot_ctr_by_round(result, tmp_path / "ctr.png").stat().st_size > 10_000
