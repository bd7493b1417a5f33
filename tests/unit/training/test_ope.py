import random

import numpy as np
import pytest

from contracts.vocabulary import Angle
from policy.decision import ANGLES
from policy.uniform import UniformAnglePolicy
from policy.vowpal import LoggedDecision
from serving.angles import SnapshotPremises, written_angle
from tests.unit.policy.synthetic import best_angle, segment_context
from training.ope import (
    estimate_policy_value,
    logged_policy_value,
    logged_probabilities,
    same_copy,
    snips_difference,
    value_from_arrays,
)

BEST_RATE, OTHER_RATE = 0.6, 0.1


class SegmentPolicy:
    """Gives the segment's best angle `share`, the rest evenly: a known target policy."""

    version = "segment-test"

    def __init__(self, share: float) -> None:
        self.share = share

    def pmf(self, context):
        best = ANGLES.index(best_angle(context.user["discount_sensitivity"] > 0.5))
        rest = (1 - self.share) / (len(ANGLES) - 1)
        return tuple(self.share if i == best else rest for i in range(len(ANGLES)))

    def true_value(self) -> float:
        return self.share * BEST_RATE + (1 - self.share) * OTHER_RATE


def uniform_logs(n: int, seed: int) -> list[LoggedDecision]:
    rng = random.Random(seed)
    logs = []
    for _ in range(n):
        sensitive = rng.random() < 0.5
        angle = rng.choice(ANGLES)
        rate = BEST_RATE if angle == best_angle(sensitive) else OTHER_RATE
        clicked = rng.random() < rate
        context = segment_context(rng, sensitive)
        logs.append(LoggedDecision(context, angle, 1 / len(ANGLES), -float(clicked)))
    return logs


@pytest.fixture(scope="module")
def logs():
    return uniform_logs(6_000, seed=21)


@pytest.mark.parametrize("share", [0.1, 0.5, 0.9])
def test_ips_and_snips_recover_a_known_policy_value_and_the_interval_covers_it(logs, share):
    target = SegmentPolicy(share)
    estimate = estimate_policy_value(target, logs, samples=300, seed=4)
    truth = target.true_value()
    assert estimate.ips == pytest.approx(truth, abs=0.03)
    assert estimate.snips == pytest.approx(truth, abs=0.03)
    assert estimate.ips_interval.covers(truth)
    assert estimate.snips_interval.covers(truth)
    assert estimate.snips_interval.high - estimate.snips_interval.low < 0.1
    assert estimate.examples == len(logs)


def test_a_better_policy_is_valued_above_the_logging_policy(logs):
    logged = logged_policy_value(logs, samples=200, seed=4)
    uniform = estimate_policy_value(UniformAnglePolicy(), logs, samples=200, seed=4)
    better = estimate_policy_value(SegmentPolicy(0.9), logs, samples=200, seed=4)
    assert logged.mean == pytest.approx(0.15, abs=0.02)  # 0.1 x 0.6 + 0.9 x 0.1
    assert uniform.snips == pytest.approx(logged.mean)  # same policy: every weight is 1
    assert uniform.ips == pytest.approx(logged.mean)
    assert better.snips_interval.low > logged.interval.high


def test_the_estimate_is_reproducible_with_its_seed(logs):
    first = estimate_policy_value(SegmentPolicy(0.5), logs[:500], samples=100, seed=9)
    second = estimate_policy_value(SegmentPolicy(0.5), logs[:500], samples=100, seed=9)
    assert first == second


def test_tiny_propensities_are_clipped_to_the_floor_and_counted():
    target = np.array([1.0, 1.0, 1.0])
    logged = np.array([1e-9, 0.5, 0.5])
    rewards = np.array([1.0, 0.0, 0.0])
    estimate = value_from_arrays("t", target, logged, rewards, samples=50, seed=1, floor=1e-3)
    assert estimate.clipped == 1
    assert estimate.ips == pytest.approx(1000.0 / 3)  # weight 1/floor, not 1e9
    assert estimate.snips == pytest.approx(1000.0 / 1004.0)


def test_an_estimate_on_no_data_is_nan_not_an_error():
    estimate = estimate_policy_value(UniformAnglePolicy(), [], samples=20, seed=1)
    assert estimate.examples == 0
    assert np.isnan(estimate.snips)
    assert np.isnan(estimate.ips_interval.low)


def test_effective_sample_size_shrinks_as_the_target_departs_from_the_logger(logs):
    close = estimate_policy_value(SegmentPolicy(0.1), logs, samples=20, seed=1)
    far = estimate_policy_value(SegmentPolicy(0.95), logs, samples=20, seed=1)
    assert close.effective_sample_size == pytest.approx(len(logs), rel=0.01)
    assert far.effective_sample_size < len(logs) / 3


def test_mismatched_arrays_are_refused():
    with pytest.raises(ValueError, match="same length"):
        value_from_arrays("t", np.ones(3), np.ones(2), np.ones(3), samples=10, seed=1)


def test_the_target_probability_is_that_of_the_logged_angle():
    context = segment_context(random.Random(2), discount_sensitive=True)
    policy = SegmentPolicy(0.9)
    on_best = LoggedDecision(context, Angle.DISCOUNT, 0.1, -1.0)
    off_best = LoggedDecision(context, Angle.GIFT, 0.1, -1.0)
    assert estimate_policy_value(policy, [on_best], samples=10, seed=1).ips == pytest.approx(9.0)
    assert estimate_policy_value(policy, [off_best], samples=10, seed=1).ips == pytest.approx(
        (0.1 / 9) / 0.1
    )


def test_the_paired_difference_is_zero_for_the_same_policy_and_positive_for_a_better_one():
    rng = np.random.default_rng(5)
    count = 2_000
    chosen = rng.integers(0, 10, size=count)
    rewards = (rng.random(count) < np.where(chosen == 3, 0.4, 0.05)).astype(np.float64)
    logged = np.full(count, 0.1)
    uniform = np.full(count, 0.1)
    greedy = np.where(chosen == 3, 0.91, 0.01)
    same = snips_difference(uniform, uniform, logged, rewards, samples=200, seed=1)
    assert same.low == same.high == 0.0
    better = snips_difference(greedy, uniform, logged, rewards, samples=200, seed=1)
    assert better.low > 0.2  # 0.91 * 0.4 + 0.09 * 0.05 - 0.085 ≈ 0.28


FULL_PRICE = SnapshotPremises(
    discounted=False,
    review_count=5,
    rating=3.5,
    low_stock=False,
    stock=50,
    is_new=False,
    free_shipping=False,
)
RATE_BY_COPY = {Angle.VALUE: 0.4}  # every other copy: OTHER_RATE


def greedy_pmf(greedy: Angle, epsilon: float = 0.1) -> tuple[float, ...]:
    return tuple(
        1 - epsilon + epsilon / len(ANGLES) if a == greedy else epsilon / len(ANGLES)
        for a in ANGLES
    )


class GreedyPolicy:
    def __init__(self, greedy: Angle) -> None:
        self.version = f"greedy-{greedy.value}"
        self.greedy = greedy

    def pmf(self, context):
        return greedy_pmf(self.greedy)


def copy_logs(n: int, seed: int, logged_pmf: bool) -> list[LoggedDecision]:
    """Epsilon-greedy on the discount ask for a full-price product: its copy is value copy."""
    rng = random.Random(seed)
    pmf = greedy_pmf(Angle.DISCOUNT)
    written_as = tuple(written_angle(angle, FULL_PRICE) for angle in ANGLES)
    logs = []
    for _ in range(n):
        index = rng.choices(range(len(ANGLES)), weights=pmf)[0]
        clicked = rng.random() < RATE_BY_COPY.get(written_as[index], OTHER_RATE)
        logs.append(
            LoggedDecision(
                segment_context(rng, False),
                ANGLES[index],
                pmf[index],
                -float(clicked),
                logged_pmf=pmf if logged_pmf else (),
                written_as=written_as if logged_pmf else (),
            )
        )
    return logs


def test_asks_written_as_the_same_copy_are_weighed_as_one_action():
    """A policy that moves its mass from the discount ask to the value ask shows the same
    copies: weighed per copy it keeps (nearly) every decision, weighed per ask it keeps few."""
    target = GreedyPolicy(Angle.VALUE)
    written_as = [written_angle(angle, FULL_PRICE) for angle in ANGLES]
    truth = sum(
        p * RATE_BY_COPY.get(w, OTHER_RATE)
        for p, w in zip(greedy_pmf(Angle.VALUE), written_as, strict=True)
    )
    per_copy = estimate_policy_value(target, copy_logs(5_000, 3, True), samples=200, seed=1)
    per_ask = estimate_policy_value(target, copy_logs(5_000, 3, False), samples=200, seed=1)
    assert per_copy.effective_sample_size > 0.95 * 5_000
    assert per_ask.effective_sample_size < 0.1 * 5_000
    assert per_copy.snips == pytest.approx(truth, abs=0.025)
    assert per_copy.snips_interval.covers(truth)


def test_logged_copy_probabilities_sum_the_asks_written_alike_and_fall_back_to_the_propensity():
    with_pmf, without = copy_logs(1, 5, True)[0], copy_logs(1, 5, False)[0]
    members = same_copy(with_pmf)
    assert ANGLES.index(with_pmf.angle) in members
    assert logged_probabilities([with_pmf])[0] == pytest.approx(
        sum(with_pmf.logged_pmf[m] for m in members)
    )
    assert same_copy(without) == [ANGLES.index(without.angle)]
    assert logged_probabilities([without])[0] == without.propensity
