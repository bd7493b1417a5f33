"""Retrain the reward model and score it and its champion on the same held-out outcomes.

The champion keeps learning (it is scored on the held-out slice first, then continued on the
training slice, so both numbers come from unseen data). Without a champion, the yardstick is a
base-rate predictor (each head's training-slice rate for every copy): a reward model that
cannot beat it ranks no better than chance and is not worth serving.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from contracts.logs import get_logger
from contracts.outcomes import CopyOutcomeRecord, OutcomeKind
from contracts.settings import Settings
from serving.reward.model import (
    HEAD_KINDS,
    RewardModel,
    binary_log_loss,
    head_label,
    read_reward_manifest,
)

log = get_logger(__name__)
BASE_RATE = "base rate"


@dataclass
class RewardModelUpdate:
    model: RewardModel
    continued_from: str | None
    champion_label: str  # the champion's version, or "base rate"
    champion_loss: dict[str, float]
    challenger_loss: dict[str, float]


def base_rate_log_loss(
    train: Sequence[CopyOutcomeRecord],
    holdout: Sequence[CopyOutcomeRecord],
    kinds: Sequence[OutcomeKind],
) -> dict[str, float]:
    """Held-out log loss of predicting each head's training rate for every copy."""
    losses: dict[str, float] = {}
    for kind in kinds:
        rate = sum(head_label(r, kind) for r in train) / len(train) if train else 0.5
        total = sum(binary_log_loss(rate, head_label(r, kind)) for r in holdout)
        losses[kind.value] = total / len(holdout) if holdout else math.nan
    return losses


def update_reward_model(
    settings: Settings,
    champion_folder: Path | None,
    train: Sequence[CopyOutcomeRecord],
    holdout: Sequence[CopyOutcomeRecord],
    *,
    progress: bool = True,
) -> RewardModelUpdate:
    """Score the champion (or the base rate) on `holdout`, then learn `train` and score again."""
    model, champion_version = _starting_model(settings, champion_folder)
    if champion_version is not None:
        champion_label = champion_version
        champion_loss = model.log_loss(holdout)
    else:
        champion_label = BASE_RATE
        champion_loss = {}
    baseline = base_rate_log_loss(train, holdout, model.kinds)
    for head, loss in baseline.items():
        champion_loss.setdefault(head, loss)  # a head the champion lacks: judged on base rate
    model.learn(train, settings.retraining.reward_model_passes, progress=progress)
    challenger_loss = model.log_loss(holdout)
    log.info(
        "reward model retrained",
        continued_from=champion_version,
        champion_loss=champion_loss,
        challenger_loss=challenger_loss,
    )
    return RewardModelUpdate(
        model, champion_version, champion_label, champion_loss, challenger_loss
    )


def _starting_model(
    settings: Settings, champion_folder: Path | None
) -> tuple[RewardModel, str | None]:
    """The champion when it rewards what the settings reward now; a fresh model otherwise."""
    if champion_folder is not None and champion_folder.is_dir():
        manifest = read_reward_manifest(champion_folder)
        if _rewarded(manifest.reward_weights) == _rewarded(settings.outcomes.reward_weights):
            return RewardModel.load(champion_folder), manifest.version
        log.warning(
            "reward weights changed since the champion reward model; training a fresh one",
            champion=manifest.version,
        )
    return RewardModel.fresh(settings), None


def _rewarded(weights: Mapping[OutcomeKind, float]) -> dict[OutcomeKind, float]:
    return {kind: w for kind, w in weights.items() if kind in HEAD_KINDS and w != 0.0}
