"""Which files serve: the registry's current release, unless settings pin a folder."""

from __future__ import annotations

from pathlib import Path

from contracts.settings import Settings
from releases.manifest import Component, Release
from releases.registry import ReleaseRegistry

ONNX_SUBDIR = "onnx"
HF_SUBDIR = "hf"


def release_registry(settings: Settings) -> ReleaseRegistry:
    return ReleaseRegistry(settings.registry_dir, keep=settings.retraining.keep_versions)


def copy_model_dir(settings: Settings, release: Release | None) -> Path:
    """The ONNX folder to serve: a pinned `generator.model_dir`, else the release's, else the
    bootstrap export."""
    if settings.generator.model_dir is not None:
        return settings.generator.model_dir
    if release is not None:
        return release.path(Component.COPY_MODEL) / ONNX_SUBDIR
    return settings.bootstrap_model_dir


def policy_dir(settings: Settings, release: Release | None) -> Path | None:
    """The angle-policy folder to serve: a pinned `policy.model_dir`, else the release's; None
    means cold start (uniform)."""
    if settings.policy.model_dir is not None:
        return settings.policy.model_dir
    if release is not None:
        return release.path(Component.ANGLE_POLICY)
    return None


def reward_model_dir(release: Release | None) -> Path | None:
    """The reward model folder, or None (candidates are then ranked by fluency alone)."""
    if release is None or Component.REWARD_MODEL not in release.manifest.components:
        return None
    return release.path(Component.REWARD_MODEL)
