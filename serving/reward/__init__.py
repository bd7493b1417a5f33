"""The reward model serving reranks candidate copies with, and retraining (training/) trains."""

from serving.reward.model import (
    MANIFEST_FILE,
    RewardModel,
    RewardModelLoadError,
    RewardModelManifest,
    read_reward_manifest,
)

__all__ = [
    "MANIFEST_FILE",
    "RewardModel",
    "RewardModelLoadError",
    "RewardModelManifest",
    "read_reward_manifest",
]
