"""Update the angle policy from logged outcomes: (context, chosen angle, propensity, reward).

The logged action is `requested_angle`, the angle the policy chose (the one its propensity is
for); a pivot to another written angle is the generator's doing, not the policy's. The
context is rebuilt from the features snapshot the decision saw, exactly as the decider built
it. What the policy maximises is `settings.retraining.policy_reward`: `click` (cost -1 for a
clicked copy, 0 otherwise: the live loop targets click-through) or `reward` (cost minus the
weighted reward of `settings.outcomes.reward_weights`).

By default each round fits a fresh policy on the whole window (`retraining.bandit_refit`): every
logged decision is learned once per policy, whatever the number of rounds that saw it. With
refit off, the champion keeps learning on the window (online, like VW is meant to), unless its
exploration settings no longer match the current ones; then a fresh policy starts.
Propensities are raised to `retraining.bandit_propensity_floor` for learning: an exploration
pick at p = 0.01 would otherwise weigh a hundred times more than a greedy one and swamp it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from tqdm import tqdm

from contracts.copies import CopyTrigger
from contracts.logs import get_logger
from contracts.outcomes import CopyOutcomeRecord
from contracts.settings import PolicySettings, Settings
from contracts.vocabulary import Angle
from policy.context import DecisionContext
from policy.decision import ANGLES
from policy.registry import read_policy_folder, read_policy_manifest
from policy.vowpal import LoggedDecision, VowpalAnglePolicy
from serving.angles import SnapshotPremises, written_angle

log = get_logger(__name__)
PolicyReward = Literal["click", "reward"]


def record_reward(record: CopyOutcomeRecord, target: PolicyReward) -> float:
    """What one shown copy earned, in the unit the policy maximises."""
    return (1.0 if record.clicked else 0.0) if target == "click" else float(record.reward)


def decision_context(record: CopyOutcomeRecord) -> DecisionContext:
    """The context the decider saw, rebuilt from the record's features snapshot."""
    return DecisionContext(
        user_id=record.user_id,
        product_id=record.product_id,
        channel=record.channel,
        locale=record.locale,
        trigger=CopyTrigger(record.trigger),
        user=record.user_features(),
        product=record.product_features(),
    )


def logged_decisions(
    records: Sequence[CopyOutcomeRecord],
    target: PolicyReward,
    *,
    low_stock_threshold: int | None = None,
) -> list[LoggedDecision]:
    """One `LoggedDecision` per record; records with an unknown trigger are skipped (logged).

    With `low_stock_threshold` (the copy rules'), each decision also says which angle every
    ask would have been written as, from its snapshot: what off-policy evaluation needs to
    weigh copies rather than asks (`training.ope`)."""
    decisions: list[LoggedDecision] = []
    skipped = 0
    for record in records:
        try:
            context = decision_context(record)
        except ValueError:
            skipped += 1
            continue
        decisions.append(
            LoggedDecision(
                context=context,
                angle=record.requested_angle,
                propensity=float(record.propensity),
                cost=-record_reward(record, target),
                logged_pmf=record.angle_pmf,
                written_as=_written_as(context, low_stock_threshold),
            )
        )
    if skipped:
        log.warning("outcome records with an unknown trigger skipped", skipped=skipped)
    return decisions


def _written_as(context: DecisionContext, low_stock_threshold: int | None) -> tuple[Angle, ...]:
    if low_stock_threshold is None:
        return ()
    premises = SnapshotPremises.of(context.product, context.locale, low_stock_threshold)
    if premises is None:
        return ()
    return tuple(written_angle(angle, premises) for angle in ANGLES)


@dataclass(frozen=True)
class PolicyUpdate:
    """The challenger policy and how it came to be."""

    policy: VowpalAnglePolicy
    continued_from: str | None  # the champion's version, or None for a fresh policy
    trained_on: int  # logged decisions learned in total (the champion's, plus this round's)
    learned: int  # logged decisions learned this round (one pass counts once)


def update_angle_policy(
    settings: Settings,
    champion_folder: Path | None,
    decisions: Sequence[LoggedDecision],
    *,
    progress: bool = True,
) -> PolicyUpdate:
    """Continue the champion's VW model on `decisions` (`bandit_passes` passes, in order), or
    train a fresh one from `settings.policy` when there is no usable champion."""
    wanted = settings.policy.model_copy(update={"model_dir": None})
    retraining = settings.retraining
    starting_from = None if retraining.bandit_refit else champion_folder
    policy, continued_from, before = _starting_policy(starting_from, wanted)
    decisions = floored(decisions, retraining.bandit_propensity_floor)
    passes = retraining.bandit_passes
    bar = tqdm(total=passes * len(decisions), desc="angle policy", unit="ex", disable=not progress)
    for _ in range(passes):
        for start in range(0, len(decisions), 256):
            chunk = decisions[start : start + 256]
            policy.learn(chunk)
            bar.update(len(chunk))
    bar.close()
    return PolicyUpdate(policy, continued_from, before + len(decisions), len(decisions))


def floored(decisions: Sequence[LoggedDecision], floor: float) -> list[LoggedDecision]:
    """The decisions with propensities raised to `floor` (importance weights capped)."""
    return [
        decision
        if decision.propensity >= floor
        else LoggedDecision(decision.context, decision.angle, floor, decision.cost)
        for decision in decisions
    ]


def _starting_policy(
    champion_folder: Path | None, wanted: PolicySettings
) -> tuple[VowpalAnglePolicy, str | None, int]:
    manifest = read_policy_manifest(champion_folder) if champion_folder else None
    if manifest is None or champion_folder is None:
        return VowpalAnglePolicy(wanted), None, 0
    if manifest.settings != wanted:
        log.warning(
            "champion policy explores differently from the settings; starting a fresh policy",
            champion=manifest.version,
            champion_settings=manifest.settings.model_dump(mode="json"),
            settings=wanted.model_dump(mode="json"),
        )
        return VowpalAnglePolicy(wanted), None, 0
    policy = read_policy_folder(champion_folder)
    assert policy is not None  # the manifest exists, so the folder holds a policy
    return policy, manifest.version, manifest.trained_on
