"""Off-policy evaluation: what a policy would have earned on decisions another policy logged.

For logged (context x, action a, propensity p, reward r) and a target policy pi:
- IPS   = mean(w r) with w = pi(a | x) / p: unbiased when every p is the true propensity.
- SNIPS = sum(w r) / sum(w): slightly biased, much lower variance; the number the gate uses.
The interval is a percentile bootstrap over logged decisions (seeded, so a round is
reproducible). The logging policy's own value is the plain mean reward (on-policy).

Copies, not asks: asks whose premise is false for the product are written as another angle
(`serving.angles.written_angle`: a discount ask on a full-price product is value copy), so
several asks can show a shopper the same copy. Where a decision logged its whole distribution
and its snapshot says what each ask would be written as, the action weighed is the copy: pi and
p are summed over the asks written like the logged one. Both are still exact, the estimate is
still unbiased, and a new policy that only moves mass between such asks no longer pays the
weight of an exploration pick for it (the effective sample size rises; docs/learning_loop.md).
Decisions without that information are weighed per ask, as logged.

Propensity floor: each p is clipped up to `floor` before dividing, so one mislogged tiny
propensity cannot make a weight of millions. Epsilon-greedy over ten angles logs p >= eps/10
(0.01 at the default epsilon), far above the default floor of 1e-3, so the clip only fires on
corrupt records, and it is counted (`clipped`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

import numpy as np
from tqdm import tqdm

from policy.decision import ANGLES, AnglePolicy
from policy.vowpal import LoggedDecision

_BOOTSTRAP_CELLS = 4_000_000


@dataclass(frozen=True)
class Interval:
    low: float
    high: float

    def covers(self, value: float) -> bool:
        return self.low <= value <= self.high


@dataclass(frozen=True)
class PolicyValueEstimate:
    """A target policy's estimated mean reward per decision on one logged dataset."""

    policy_version: str
    examples: int
    ips: float
    ips_interval: Interval
    snips: float
    snips_interval: Interval
    effective_sample_size: float  # (sum w)^2 / sum w^2: how many decisions the estimate is worth
    clipped: int  # propensities raised to the floor
    confidence: float

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(frozen=True)
class LoggedValue:
    """The logging policy's own mean reward on the same data (no weighting needed)."""

    examples: int
    mean: float
    interval: Interval


def copy_known(decision: LoggedDecision) -> bool:
    """Whether the decision logged its distribution and which copy each ask writes."""
    return len(decision.logged_pmf) == len(decision.written_as) == len(ANGLES)


def same_copy(decision: LoggedDecision) -> list[int]:
    """Indices (in `ANGLES`) of the asks that write the copy the logged ask wrote; just the
    logged ask where the copy is not known (`copy_known`)."""
    logged = ANGLES.index(decision.angle)
    if not copy_known(decision):
        return [logged]
    written = decision.written_as[logged]
    return [index for index, angle in enumerate(decision.written_as) if angle == written]


def target_probabilities(
    policy: AnglePolicy, decisions: Sequence[LoggedDecision], *, progress: bool = False
) -> np.ndarray:
    """pi(copy_i | x_i) for each logged decision: the target policy's probability of writing
    the logged copy (of the logged ask, where the copy is unknown)."""
    chosen = np.empty(len(decisions), dtype=np.float64)
    iterator = tqdm(
        decisions, desc=f"score {policy.version}", unit="ex", disable=not progress, leave=False
    )
    for index, decision in enumerate(iterator):
        pmf = policy.pmf(decision.context)
        total = float(sum(pmf))
        mass = sum(pmf[member] for member in same_copy(decision))
        chosen[index] = mass / total if total > 0 else 0.0
    return chosen


def logged_probabilities(decisions: Sequence[LoggedDecision]) -> np.ndarray:
    """p(copy_i | x_i): the logging policy's probability of the logged copy (the propensity
    of the logged ask, where the copy is unknown)."""
    return np.array(
        [
            sum(decision.logged_pmf[member] for member in same_copy(decision))
            if decision.logged_pmf
            else decision.propensity
            for decision in decisions
        ],
        dtype=np.float64,
    )


def estimate_policy_value(
    policy: AnglePolicy,
    decisions: Sequence[LoggedDecision],
    *,
    samples: int,
    seed: int,
    floor: float = 1e-3,
    confidence: float = 0.95,
    progress: bool = False,
) -> PolicyValueEstimate:
    """IPS and SNIPS of `policy` on `decisions` (reward = -cost), with bootstrap intervals."""
    target = target_probabilities(policy, decisions, progress=progress)
    logged = logged_probabilities(decisions)
    rewards = np.array([-d.cost for d in decisions], dtype=np.float64)
    return value_from_arrays(
        policy.version,
        target,
        logged,
        rewards,
        samples=samples,
        seed=seed,
        floor=floor,
        confidence=confidence,
    )


def snips_value(
    target: np.ndarray, logged: np.ndarray, rewards: np.ndarray, floor: float = 1e-3
) -> float:
    """SNIPS alone, on arrays (no interval): for callers that swap in other rewards."""
    weights = target / np.maximum(logged, floor)
    return _snips(weights, weights * rewards)


def value_from_arrays(
    policy_version: str,
    target: np.ndarray,
    logged: np.ndarray,
    rewards: np.ndarray,
    *,
    samples: int,
    seed: int,
    floor: float = 1e-3,
    confidence: float = 0.95,
) -> PolicyValueEstimate:
    """The estimator itself, on arrays: target pi(a|x), logged p, rewards (same length)."""
    count = len(rewards)
    if not len(target) == len(logged) == count:
        raise ValueError(
            f"target ({len(target)}), logged ({len(logged)}) and rewards ({count}) must be the "
            "same length"
        )
    if count == 0:
        nan = float("nan")
        return PolicyValueEstimate(
            policy_version, 0, nan, Interval(nan, nan), nan, Interval(nan, nan), 0.0, 0, confidence
        )
    clipped = int(np.count_nonzero(logged < floor))
    weights = target / np.maximum(logged, floor)
    weighted = weights * rewards
    ips, snips = _ips(weights, weighted), _snips(weights, weighted)
    weight_sums, weighted_sums = _bootstrap_sums(weights, weighted, samples, seed)
    ips_boot = weighted_sums / count
    with np.errstate(invalid="ignore", divide="ignore"):
        snips_boot = np.where(weight_sums > 0, weighted_sums / weight_sums, np.nan)
    square_sum = float(np.square(weights).sum())
    ess = float(weights.sum() ** 2 / square_sum) if square_sum > 0 else 0.0
    return PolicyValueEstimate(
        policy_version=policy_version,
        examples=count,
        ips=ips,
        ips_interval=_percentile_interval(ips_boot, confidence),
        snips=snips,
        snips_interval=_percentile_interval(snips_boot, confidence),
        effective_sample_size=ess,
        clipped=clipped,
        confidence=confidence,
    )


def snips_difference(
    challenger: np.ndarray,
    champion: np.ndarray,
    logged: np.ndarray,
    rewards: np.ndarray,
    *,
    samples: int,
    seed: int,
    floor: float = 1e-3,
    confidence: float = 0.95,
) -> Interval:
    """Bootstrap interval of SNIPS(challenger) - SNIPS(champion) on the same resamples.

    The two estimates share their noise (same decisions, same clicks), so their difference is
    far tighter than either interval: this is what tells "worse" from "unlucky"."""
    count = len(rewards)
    if count == 0:
        return Interval(float("nan"), float("nan"))
    logged = np.maximum(logged, floor)
    rng = np.random.default_rng(seed)
    differences = np.empty(samples)
    rows = max(1, _BOOTSTRAP_CELLS // count)
    for start in range(0, samples, rows):
        stop = min(start + rows, samples)
        indices = rng.integers(0, count, size=(stop - start, count))
        values = []
        for target in (challenger, champion):
            weights = (target / logged)[indices]
            with np.errstate(invalid="ignore", divide="ignore"):
                values.append((weights * rewards[indices]).sum(axis=1) / weights.sum(axis=1))
        differences[start:stop] = values[0] - values[1]
    return _percentile_interval(differences, confidence)


def logged_policy_value(
    decisions: Sequence[LoggedDecision], *, samples: int, seed: int, confidence: float = 0.95
) -> LoggedValue:
    """Mean reward of the decisions as logged, with a bootstrap interval."""
    rewards = np.array([-d.cost for d in decisions], dtype=np.float64)
    if len(rewards) == 0:
        return LoggedValue(0, float("nan"), Interval(float("nan"), float("nan")))
    _, sums = _bootstrap_sums(np.ones_like(rewards), rewards, samples, seed)
    boot = sums / len(rewards)
    return LoggedValue(len(rewards), float(rewards.mean()), _percentile_interval(boot, confidence))


def _bootstrap_sums(
    first: np.ndarray, second: np.ndarray, samples: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Sums of both arrays over `samples` resamples (with replacement) of their indices, drawn
    in chunks so memory stays near `_BOOTSTRAP_CELLS` indices whatever the data size."""
    rng = np.random.default_rng(seed)
    count = len(first)
    rows = max(1, _BOOTSTRAP_CELLS // count)
    first_sums, second_sums = np.empty(samples), np.empty(samples)
    for start in range(0, samples, rows):
        stop = min(start + rows, samples)
        indices = rng.integers(0, count, size=(stop - start, count))
        first_sums[start:stop] = first[indices].sum(axis=1)
        second_sums[start:stop] = second[indices].sum(axis=1)
    return first_sums, second_sums


def _ips(weights: np.ndarray, weighted: np.ndarray) -> float:
    return float(weighted.mean())


def _snips(weights: np.ndarray, weighted: np.ndarray) -> float:
    total = float(weights.sum())
    return float(weighted.sum() / total) if total > 0 else float("nan")


def _percentile_interval(values: np.ndarray, confidence: float) -> Interval:
    tail = (1.0 - confidence) / 2.0 * 100.0
    finite = values[np.isfinite(values)]
    if len(finite) == 0:
        return Interval(float("nan"), float("nan"))
    low, high = np.percentile(finite, [tail, 100.0 - tail])
    return Interval(float(low), float(high))
