"""An angle decision and the one interface every angle policy implements.

The learning loop relies on two exact facts per decision: the probability the chosen angle had
(its propensity, from the policy's own distribution) and the policy version that produced it.
Sampling is seeded per request, so replaying a request after a crash decides the same angle.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from contracts.vocabulary import Angle
from policy.context import DecisionContext

ANGLES: tuple[Angle, ...] = tuple(Angle)
"""The actions, in a fixed order (the order of `Angle`), for every policy."""


@dataclass(frozen=True)
class AngleDecision:
    angle: Angle
    propensity: float
    policy_version: str
    pmf: tuple[float, ...]  # over ANGLES, sums to 1


class AnglePolicy(Protocol):
    @property
    def version(self) -> str: ...

    def pmf(self, context: DecisionContext) -> tuple[float, ...]:
        """The probability of each angle in `ANGLES` for this context."""
        ...


def decide(policy: AnglePolicy, context: DecisionContext, seed: int) -> AngleDecision:
    """Sample an angle from the policy's distribution with a per-request seed."""
    pmf = policy.pmf(context)
    index = sample_index(pmf, seed)
    return AngleDecision(ANGLES[index], pmf[index], policy.version, pmf)


def sample_index(pmf: Sequence[float], seed: int) -> int:
    """Inverse-CDF sampling with a seeded generator; never picks a zero-probability action."""
    if len(pmf) != len(ANGLES):
        raise ValueError(f"the pmf has {len(pmf)} entries; expected one per angle ({len(ANGLES)})")
    total = float(sum(pmf))
    if not np.isfinite(total) or total <= 0:
        raise ValueError(f"the pmf sums to {total}; a policy must give some angle a chance")
    draw = random.Random(seed).random() * total
    cumulative = 0.0
    last = 0
    for index, p in enumerate(pmf):
        if p <= 0:
            continue
        last = index
        cumulative += p
        if draw < cumulative:
            return index
    return last
