"""Where the learning loop publishes the angle policy and every decision-maker loads it from.

`settings.policy_dir` (e.g. `models/policy/current`) is a symlink to a complete, never-modified
folder beside it (`current.<version>.<token>`) holding `angle_policy.vw` and `policy.json`.
Publishing writes a hidden staging folder, renames it into place, then swaps the link with one
atomic rename, so a reader sees the old policy or the new one, never a half-written folder.
The last few published folders are kept, so a reader that resolved the old link can finish.

No manifest means nothing was published: decisions use the uniform cold-start policy (a fresh
VW model is no substitute: once it has learned anything it stops being uniform).
"""

from __future__ import annotations

import os
import secrets
import shutil
import time
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

MODEL_FILE = "angle_policy.vw"
MANIFEST_FILE = "policy.json"
KEEP_PUBLISHED = 3
"""Published folders kept, the current one included."""
_STALE_STAGING_S = 3_600.0  # a staging folder this old was left by a publisher that died


class PolicyManifest(BaseModel):
    """What a published policy is and how it was made; `version` hashes the model's bytes."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: str = Field(min_length=1, max_length=64)
    settings: PolicySettings = Field(description="exploration it was trained with; no model_dir")
    vw_arguments: str
    created_at: AwareDatetime
    trained_on: int = Field(ge=0, description="logged decisions it has learned from")
    notes: dict[str, JsonValue] = Field(default_factory=dict)


class PolicyRegistry:
    """Publishes to and reads from `settings.policy_dir`; one publisher at a time."""

    def __init__(self, settings: Settings) -> None:
        self.path = settings.policy_dir

    def publish(
        self,
        policy: VowpalAnglePolicy,
        *,
        trained_on: int,
        notes: Mapping[str, JsonValue] | None = None,
        now: datetime | None = None,
    ) -> str:
        """Save `policy` and make it the current one; returns its version."""
        parent, name = self.path.parent, self.path.name
        parent.mkdir(parents=True, exist_ok=True)
        token = secrets.token_hex(4)
        staging = parent / f".{name}.staging-{token}"
        staging.mkdir()
        try:
            version = policy.save(staging / MODEL_FILE)
            manifest = PolicyManifest(
                version=version,
                settings=policy.settings.model_copy(update={"model_dir": None}),
                vw_arguments=vw_arguments(policy.settings),
                created_at=now or datetime.now(UTC),
                trained_on=trained_on,
                notes=dict(notes or {}),
            )
            (staging / MANIFEST_FILE).write_text(manifest.model_dump_json(indent=2) + "\n")
            for file in (MODEL_FILE, MANIFEST_FILE):
                _fsync(staging / file)
            _fsync(staging)
            published = parent / f"{name}.{version}.{token}"
            os.rename(staging, published)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
        self._point_at(published, token)
        self._prune(published)
        return version

    def manifest(self) -> PolicyManifest | None:
        """The current manifest, or None before anything was published."""
        return self._read_manifest(self.path.resolve())

    def current_version(self) -> str | None:
        """The published version, or None before anything was published (cold start)."""
        manifest = self.manifest()
        return manifest.version if manifest else None

    def load_published(self) -> VowpalAnglePolicy | None:
        """The published VW policy (to serve or to train on), or None before any publish."""
        folder = self.path.resolve()  # once: the manifest and the model come from one folder
        manifest = self._read_manifest(folder)
        if manifest is None:
            return None
        return VowpalAnglePolicy.load(
            folder / MODEL_FILE, manifest.settings, expected_version=manifest.version
        )

    def _read_manifest(self, folder: Path) -> PolicyManifest | None:
        file = folder / MANIFEST_FILE
        if not file.is_file():
            return None
        try:
            return PolicyManifest.model_validate_json(file.read_bytes())
        except (OSError, ValidationError) as error:
            raise PolicyLoadError(
                f"the angle policy manifest {file} cannot be read ({error}); publish a policy "
                "again, or delete the folder to serve the uniform cold-start policy"
            ) from error

    def _point_at(self, published: Path, token: str) -> None:
        link = self.path.with_name(f".{self.path.name}.link-{token}")
        os.symlink(published.name, link)  # relative: the models folder may be mounted elsewhere
        if self.path.is_dir() and not self.path.is_symlink():
            # A folder put there by hand: set it aside (readers see cold start for an instant).
            os.rename(self.path, self.path.with_name(f"{self.path.name}.replaced-{token}"))
        os.replace(link, self.path)
        _fsync(self.path.parent)

    def _prune(self, current: Path) -> None:
        """Drops published folders beyond the newest `KEEP_PUBLISHED`, and dead staging."""
        name = self.path.name
        published = sorted(
            (
                entry
                for entry in self.path.parent.iterdir()
                if entry.name.startswith(f"{name}.vw-")
                and entry.is_dir()
                and not entry.is_symlink()
                and entry != current
            ),
            key=lambda entry: entry.stat().st_mtime_ns,
            reverse=True,
        )
        for old in published[KEEP_PUBLISHED - 1 :]:
            shutil.rmtree(old, ignore_errors=True)
        for staging in self.path.parent.glob(f".{name}.staging-*"):
            try:
                stale = time.time() - staging.stat().st_mtime > _STALE_STAGING_S
            except OSError:
                continue
            if stale:
                shutil.rmtree(staging, ignore_errors=True)


def load_angle_policy(settings: Settings) -> AnglePolicy:
    """The policy decisions use: the published VW policy, else the uniform cold start."""
    published = PolicyRegistry(settings).load_published()
    return published if published is not None else UniformAnglePolicy()


def _fsync(path: Path) -> None:
    """Flush a file or folder to disk, so a crash cannot leave a published folder empty."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
