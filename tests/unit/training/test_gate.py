import math
from dataclasses import dataclass

import pytest

from contracts.settings import GateSettings
from releases.manifest import Component
from training.gate import (
    decide,
    judge_angle_policy,
    judge_copy_model,
    judge_reward_model,
    not_trained,
    refuse_all,
)
from training.ope import Interval, PolicyValueEstimate

GATE = GateSettings()


@dataclass(frozen=True)
class Quality:
    perplexity: float = 1.80
    pass_rate: float = 0.83
    distinct_2: float = 0.40


def value(snips: float, version: str = "vw-x") -> PolicyValueEstimate:
    return PolicyValueEstimate(
        version,
        1_000,
        snips,
        Interval(snips - 0.02, snips + 0.02),
        snips,
        Interval(snips - 0.02, snips + 0.02),
        800.0,
        0,
        0.95,
    )


def test_too_little_data_refuses_every_component_and_says_how_many_were_found():
    decision = refuse_all(GATE, 42, tuple(Component))
    assert decision.promoted == ()
    assert not decision.enough_data
    for verdict in decision.verdicts:
        assert "42 logged outcomes" in verdict.reason
        assert "300 needed" in verdict.reason


def test_too_little_data_overrides_verdicts_that_would_promote():
    good = judge_copy_model(GATE, Quality(), Quality(perplexity=1.5))
    assert good.promote
    decision = decide(GATE, 299, (good,))
    assert decision.promoted == ()
    assert "299 logged outcomes in the window, 300 needed" in decision.verdicts[0].reason
    assert decide(GATE, 300, (good,)).promoted == (Component.COPY_MODEL,)


def test_a_copy_model_with_much_higher_perplexity_is_rejected_with_the_numbers():
    verdict = judge_copy_model(GATE, Quality(), Quality(perplexity=1.80 * 1.2))
    assert not verdict.promote
    assert verdict.failed == ("perplexity",)
    assert "perplexity 2.16 vs champion 1.8" in verdict.reason
    assert "allowed +5.0%" in verdict.reason


@pytest.mark.parametrize(
    ("challenger", "rule"),
    [
        (Quality(pass_rate=0.79), "pass_rate"),
        (Quality(distinct_2=0.34), "distinct_2"),
        (Quality(perplexity=math.nan), "perplexity"),
    ],
)
def test_a_deliberately_worse_copy_model_is_rejected(challenger, rule):
    verdict = judge_copy_model(GATE, Quality(), challenger)
    assert not verdict.promote
    assert rule in verdict.failed


def test_a_copy_model_within_every_tolerance_is_promoted():
    challenger = Quality(perplexity=1.80 * 1.04, pass_rate=0.82, distinct_2=0.36)
    verdict = judge_copy_model(GATE, Quality(), challenger)
    assert verdict.promote
    assert verdict.reason.startswith("not worse")


def test_a_policy_with_a_lower_snips_value_is_rejected_and_an_equal_one_promoted():
    worse = judge_angle_policy(GATE, value(0.20, "vw-champ"), value(0.18))
    assert not worse.promote
    assert "vw-champ" in worse.reason and "SNIPS value 0.18" in worse.reason
    assert judge_angle_policy(GATE, value(0.20), value(0.20)).promote


def test_the_policy_tolerance_is_relative_to_the_champion_value():
    gate = GateSettings(max_policy_value_drop=0.1)
    assert judge_angle_policy(gate, value(0.20), value(0.181)).promote
    assert not judge_angle_policy(gate, value(0.20), value(0.179)).promote


def test_a_reward_model_is_judged_per_head():
    champion = {"click": 0.50, "purchase": 0.20}
    worse_purchase = judge_reward_model(GATE, champion, {"click": 0.45, "purchase": 0.21})
    assert not worse_purchase.promote
    assert worse_purchase.failed == ("purchase_log_loss",)
    assert judge_reward_model(GATE, champion, {"click": 0.45, "purchase": 0.20}).promote


def test_a_new_reward_head_without_a_champion_number_is_not_held_against_it():
    verdict = judge_reward_model(GATE, {"click": 0.5}, {"click": 0.49, "add_to_cart": 0.3})
    assert verdict.promote


def test_a_component_that_was_not_trained_is_kept_with_its_reason():
    verdict = not_trained(Component.COPY_MODEL, "skipped on request (--skip-copy-model)")
    decision = decide(GATE, 1_000, (verdict,))
    assert decision.promoted == ()
    assert "--skip-copy-model" in decision.summary
    assert decision.as_dict()["verdicts"]["copy_model"]["promote"] is False


def test_with_the_paired_difference_only_a_significantly_worse_policy_is_rejected():
    unlucky = judge_angle_policy(GATE, value(0.30), value(0.27), Interval(-0.08, 0.02))
    assert unlucky.promote  # lower point estimate, but the paired interval reaches above zero
    worse = judge_angle_policy(GATE, value(0.30, "vw-champ"), value(0.20), Interval(-0.14, -0.06))
    assert not worse.promote
    assert "paired difference [-0.14, -0.06]" in worse.reason
