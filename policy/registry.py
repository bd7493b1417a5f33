"""The angle policy's folder format, and which policy decision-makers load.

A policy folder holds `angle_policy.vw` and `policy.json`. Retraining writes one into each
release (`releases/`); the decider and the generator service load the current release's.
No release (and no pinned `policy.model_dir`) means nothing was trained yet: decisions use the
uniform cold-start policy (a fresh VW model is no substitute: once it has learned anything it
stops being uniform).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, JsonValue, ValidationError

from contracts.errors import PolicyLoadError
from contracts.settings import PolicySettings, Settings
from policy.decision import AnglePolicy
from policy.exploration import vw_arguments
from policy.uniform import UniformAnglePolicy
from policy.vowpal import VowpalAnglePolicy
from releases.manifest import Release
from releases.served import policy_dir, release_registry

MODEL_FILE = "angle_policy.vw"
MANIFEST_FILE = "policy.json"


class PolicyManifest(BaseModel):
    """What a saved policy is and how it was made; `version` hashes the model's bytes."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: str = Field(min_length=1, max_length=64)
    settings: PolicySettings = Field(description="exploration it was trained with; no model_dir")
    vw_arguments: str
    created_at: AwareDatetime
    trained_on: int = Field(ge=0, description="logged decisions it has learned from")
    notes: dict[str, JsonValue] = Field(default_factory=dict)


def write_policy_folder(
    folder: Path,
    policy: VowpalAnglePolicy,
    *,
    trained_on: int,
    notes: Mapping[str, JsonValue] | None = None,
    now: datetime | None = None,
) -> str:
    """Save `policy` and its manifest into `folder` (created); returns its version."""
    folder.mkdir(parents=True, exist_ok=True)
    version = policy.save(folder / MODEL_FILE)
    manifest = PolicyManifest(
        version=version,
        settings=policy.settings.model_copy(update={"model_dir": None}),
        vw_arguments=vw_arguments(policy.settings),
        created_at=now or datetime.now(UTC),
        trained_on=trained_on,
        notes=dict(notes or {}),
    )
    partial = folder / f"{MANIFEST_FILE}.partial"
    partial.write_text(manifest.model_dump_json(indent=2) + "\n")
    os.replace(partial, folder / MANIFEST_FILE)
    return version


def read_policy_manifest(folder: Path) -> PolicyManifest | None:
    """The folder's manifest, or None when the folder holds no policy."""
    file = folder / MANIFEST_FILE
    if not file.is_file():
        return None
    try:
        return PolicyManifest.model_validate_json(file.read_bytes())
    except (OSError, ValidationError) as error:
        raise PolicyLoadError(
            f"the angle policy manifest {file} cannot be read ({error}); publish a policy "
            "again, or roll back to a release whose policy loads"
        ) from error


def read_policy_folder(folder: Path) -> VowpalAnglePolicy | None:
    """The VW policy saved in `folder`, or None when it holds none."""
    manifest = read_policy_manifest(folder)
    if manifest is None:
        return None
    return VowpalAnglePolicy.load(
        folder / MODEL_FILE, manifest.settings, expected_version=manifest.version
    )


def load_angle_policy(settings: Settings, release: Release | None = None) -> AnglePolicy:
    """The policy decisions use: a pinned folder, else the current release's (or `release`'s),
    else the uniform cold start."""
    if release is None and settings.policy.model_dir is None:
        release = release_registry(settings).current()
    folder = policy_dir(settings, release)
    published = read_policy_folder(folder) if folder is not None else None
    return published if published is not None else UniformAnglePolicy()
