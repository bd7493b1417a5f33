"""The Vowpal Wabbit command line of an angle policy, built from `PolicySettings` alone.

Exploration modes (all over `--cb_explore_adf`, whose prediction is the pmf a decision samples):
- `epsilon`: the greedy angle gets 1 - epsilon + epsilon/K, every other angle epsilon/K.
- `softmax`: probabilities proportional to exp(-lambda * predicted cost); no epsilon floor,
  since VW's floor would flatten the softmax into epsilon-greedy.
- `bag`: `bag_size` bootstrapped models vote for their greedy angle, mixed with epsilon.
The arguments are saved inside a VW model; a loaded model keeps them (see `policy.vowpal`).
"""

from __future__ import annotations

from contracts.settings import PolicySettings
from policy.vw_format import ANGLE_NAMESPACE, CONTEXT_NAMESPACES

INTERACTIONS = tuple(f"{ANGLE_NAMESPACE[0]}{namespace[0]}" for namespace in CONTEXT_NAMESPACES)
"""Angle x user, angle x product, angle x where: what lets one context prefer another angle."""

CB_TYPE = "mtr"  # VW's default for cb_adf; named so an upgrade cannot change it silently
LEARNING_RATE = 0.1
"""Below VW's default 0.5: costs are weighted by 1/propensity (10 for a uniform pick among 10
angles, 100 for an epsilon pick), and at 0.5 those updates overshoot: on synthetic logs 0.1
learned per-segment preferences from 2,000 decisions, where 0.5 had not settled at 5,000."""


def exploration_arguments(settings: PolicySettings) -> list[str]:
    """The exploration part of the command line, for the mode `settings` selects."""
    if settings.exploration == "epsilon":
        return ["--epsilon", _number(settings.epsilon)]
    if settings.exploration == "softmax":
        return ["--softmax", "--lambda", _number(settings.softmax_lambda)]
    return ["--bag", str(settings.bag_size), "--epsilon", _number(settings.epsilon)]


def vw_arguments(settings: PolicySettings) -> str:
    """The full command line of a fresh policy; tokens are space-separated and space-free."""
    tokens = ["--cb_explore_adf", "--cb_type", CB_TYPE, *exploration_arguments(settings)]
    tokens += ["--learning_rate", repr(LEARNING_RATE)]
    for pair in INTERACTIONS:
        tokens += ["-q", pair]
    tokens += ["--random_seed", str(settings.seed), "--quiet"]
    return " ".join(tokens)


def _number(value: float) -> str:
    return repr(float(value))
