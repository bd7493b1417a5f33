"""The promotion gate: a retrained component replaces the champion only if it is not worse.

Pure rules over numbers the round measured on the same held-out data for both sides, with the
tolerances of `settings.retraining.gate`:
- too little data (`min_examples` logged outcomes in the window): nothing is promoted;
- copy model: held-out perplexity may rise by a relative `max_perplexity_increase`, the
  checker pass rate may drop by `max_pass_rate_drop` and distinct-2 by `max_distinct_drop`
  (absolute);
- angle policy: its SNIPS estimate may fall below the champion's by a relative
  `max_policy_value_drop`;
- reward model: each head's held-out log loss may rise by a relative
  `max_reward_model_loss_increase` (against a base-rate predictor when there is no champion).
A measurement that came out NaN never promotes. Each verdict says why, with the numbers.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol

from contracts.settings import GateSettings
from releases.manifest import Component
from training.ope import Interval, PolicyValueEstimate


class CopyQuality(Protocol):
    """What the gate reads of a copy model's evaluation (`training.copy_eval.CopyModelMetrics`)."""

    @property
    def perplexity(self) -> float: ...

    @property
    def pass_rate(self) -> float: ...

    @property
    def distinct_2(self) -> float: ...


@dataclass(frozen=True)
class Verdict:
    component: Component
    promote: bool
    reason: str
    failed: tuple[str, ...] = ()  # the names of the rules that failed
    numbers: dict[str, float] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {
            "promote": self.promote,
            "reason": self.reason,
            "failed": list(self.failed),
            "numbers": {k: _json_number(v) for k, v in self.numbers.items()},
        }


@dataclass(frozen=True)
class GateDecision:
    examples: int
    min_examples: int
    verdicts: tuple[Verdict, ...]

    @property
    def enough_data(self) -> bool:
        return self.examples >= self.min_examples

    @property
    def promoted(self) -> tuple[Component, ...]:
        return tuple(v.component for v in self.verdicts if v.promote)

    def verdict(self, component: Component) -> Verdict | None:
        return next((v for v in self.verdicts if v.component == component), None)

    @property
    def summary(self) -> str:
        """One line per component: what happened and why."""
        lines = [
            f"{v.component.value}: {'promoted' if v.promote else 'kept champion'} ({v.reason})"
            for v in self.verdicts
        ]
        return "\n".join(lines)

    def as_dict(self) -> dict[str, object]:
        return {
            "examples": self.examples,
            "min_examples": self.min_examples,
            "enough_data": self.enough_data,
            "promoted": [c.value for c in self.promoted],
            "verdicts": {v.component.value: v.as_dict() for v in self.verdicts},
        }


def too_little_data(gate: GateSettings, examples: int) -> str | None:
    """The refusal reason when the window holds fewer than `min_examples` outcomes."""
    if examples >= gate.min_examples:
        return None
    return (
        f"too little data: {examples} logged outcomes in the window, {gate.min_examples} needed "
        "(retraining.gate.min_examples); nothing was promoted"
    )


def refuse_all(
    gate: GateSettings, examples: int, components: tuple[Component, ...]
) -> GateDecision:
    """Every component keeps its champion because the window is too small."""
    reason = too_little_data(gate, examples) or "not judged"
    verdicts = tuple(Verdict(c, False, reason, ("min_examples",)) for c in components)
    return GateDecision(examples, gate.min_examples, verdicts)


def not_trained(component: Component, why: str) -> Verdict:
    return Verdict(component, False, f"not retrained: {why}", ("not_trained",))


def judge_copy_model(gate: GateSettings, champion: CopyQuality, challenger: CopyQuality) -> Verdict:
    checks = _Checks(Component.COPY_MODEL)
    checks.at_most(
        "perplexity",
        challenger.perplexity,
        champion.perplexity * (1.0 + gate.max_perplexity_increase),
        f"held-out perplexity {challenger.perplexity:.4g} vs champion {champion.perplexity:.4g} "
        f"(allowed +{gate.max_perplexity_increase:.1%})",
    )
    checks.at_least(
        "pass_rate",
        challenger.pass_rate,
        champion.pass_rate - gate.max_pass_rate_drop,
        f"pass rate {challenger.pass_rate:.1%} vs champion {champion.pass_rate:.1%} "
        f"(allowed -{gate.max_pass_rate_drop:.1%})",
    )
    checks.at_least(
        "distinct_2",
        challenger.distinct_2,
        champion.distinct_2 - gate.max_distinct_drop,
        f"distinct-2 {challenger.distinct_2:.3f} vs champion {champion.distinct_2:.3f} "
        f"(allowed -{gate.max_distinct_drop:.3f})",
    )
    return checks.verdict(
        champion_perplexity=champion.perplexity,
        challenger_perplexity=challenger.perplexity,
        champion_pass_rate=champion.pass_rate,
        challenger_pass_rate=challenger.pass_rate,
        champion_distinct_2=champion.distinct_2,
        challenger_distinct_2=challenger.distinct_2,
    )


def judge_angle_policy(
    gate: GateSettings,
    champion: PolicyValueEstimate,
    challenger: PolicyValueEstimate,
    difference: Interval | None = None,
) -> Verdict:
    """Worse means significantly worse: with the paired `difference` interval (challenger minus
    champion SNIPS on the same resamples), the challenger is refused only when even its upper
    end is below the allowed drop; without it, the point estimates decide."""
    checks = _Checks(Component.ANGLE_POLICY)
    allowed_drop = gate.max_policy_value_drop * abs(champion.snips)
    label = (
        f"SNIPS value {challenger.snips:.4g} vs champion {champion.policy_version} "
        f"{champion.snips:.4g} on the same held-out decisions"
    )
    if difference is None or not math.isfinite(difference.high):
        checks.at_least(
            "snips",
            challenger.snips,
            champion.snips - allowed_drop,
            f"{label} (allowed -{gate.max_policy_value_drop:.1%})",
        )
    else:
        checks.at_least(
            "snips_difference_high",
            difference.high,
            -allowed_drop,
            f"{label}; paired difference [{difference.low:+.4g}, {difference.high:+.4g}] "
            f"(refused only if significantly below -{gate.max_policy_value_drop:.1%})",
        )
    return checks.verdict(
        champion_snips=champion.snips,
        challenger_snips=challenger.snips,
        challenger_snips_low=challenger.snips_interval.low,
        challenger_snips_high=challenger.snips_interval.high,
    )


def judge_reward_model(
    gate: GateSettings,
    champion_loss: Mapping[str, float],
    challenger_loss: Mapping[str, float],
    champion_label: str = "champion",
) -> Verdict:
    """Per head (`click`, `purchase`, ...): log loss may rise by the relative tolerance."""
    checks = _Checks(Component.REWARD_MODEL)
    numbers: dict[str, float] = {}
    for head, loss in challenger_loss.items():
        reference = champion_loss.get(head, math.nan)
        numbers[f"champion_{head}_log_loss"] = reference
        numbers[f"challenger_{head}_log_loss"] = loss
        if math.isnan(reference) and not math.isnan(loss):
            continue  # nothing to compare this head with: it is new
        checks.at_most(
            f"{head}_log_loss",
            loss,
            reference * (1.0 + gate.max_reward_model_loss_increase),
            f"{head} log loss {loss:.4f} vs {champion_label} {reference:.4f} "
            f"(allowed +{gate.max_reward_model_loss_increase:.1%})",
        )
    if not challenger_loss:
        checks.failed("log_loss", "the challenger has no head to judge")
    return checks.verdict(**numbers)


def decide(gate: GateSettings, examples: int, verdicts: tuple[Verdict, ...]) -> GateDecision:
    """Collect the per-component verdicts; too little data overrides them all."""
    if too_little_data(gate, examples) is not None:
        return refuse_all(gate, examples, tuple(v.component for v in verdicts))
    return GateDecision(examples, gate.min_examples, verdicts)


class _Checks:
    """Collects rule outcomes into a verdict with every reason, failed or passed."""

    def __init__(self, component: Component) -> None:
        self.component = component
        self._failed: list[str] = []
        self._reasons: list[str] = []
        self._passed: list[str] = []

    def at_most(self, name: str, value: float, limit: float, text: str) -> None:
        self._record(name, not math.isnan(value) and not math.isnan(limit) and value <= limit, text)

    def at_least(self, name: str, value: float, limit: float, text: str) -> None:
        self._record(name, not math.isnan(value) and not math.isnan(limit) and value >= limit, text)

    def failed(self, name: str, text: str) -> None:
        self._record(name, False, text)

    def _record(self, name: str, ok: bool, text: str) -> None:
        if ok:
            self._passed.append(text)
        else:
            self._failed.append(name)
            self._reasons.append(text)

    def verdict(self, **numbers: float) -> Verdict:
        if self._failed:
            reason = "worse than the champion: " + "; ".join(self._reasons)
            return Verdict(self.component, False, reason, tuple(self._failed), numbers)
        reason = "not worse: " + "; ".join(self._passed) if self._passed else "not worse"
        return Verdict(self.component, True, reason, (), numbers)


def _json_number(value: float) -> float | None:
    return None if math.isnan(value) or math.isinf(value) else value
