"""Cold start: before any policy is published, every angle is equally likely."""

from __future__ import annotations

from policy.context import DecisionContext
from policy.decision import ANGLES

UNIFORM_VERSION = "uniform-v1"


class UniformAnglePolicy:
    version = UNIFORM_VERSION

    def pmf(self, context: DecisionContext) -> tuple[float, ...]:
        return tuple(1.0 / len(ANGLES) for _ in ANGLES)
