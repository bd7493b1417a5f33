"""What a release is: its components, what each was trained on and scored, and its lineage.

A release folder holds one sub-folder per component (`copy_model/`, `angle_policy/`,
`reward_model/`) and `release.json`. Components the gate kept from the champion are carried
over unchanged (same version, `trained_in` names the release that trained them), so every
release folder is complete on its own and a rollback is one pointer swap.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, JsonValue

RELEASE_FILE = "release.json"


class Component(StrEnum):
    COPY_MODEL = "copy_model"  # copy_model/onnx (served) and copy_model/hf (fine-tuned next)
    ANGLE_POLICY = "angle_policy"  # angle_policy/angle_policy.vw + policy.json
    REWARD_MODEL = "reward_model"  # reward_model/ (the reranker's files)


class ComponentRecord(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    version: str = Field(min_length=1, max_length=64)
    trained_in: str = Field(description="the release that trained it (this one, or an ancestor)")
    metrics: dict[str, JsonValue] = Field(default_factory=dict)


class DataWindow(BaseModel):
    """The outcome-log slice a release was trained on."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    start: AwareDatetime | None = None
    end: AwareDatetime | None = None
    partitions: tuple[str, ...] = ()
    examples: int = Field(0, ge=0)


class ReleaseManifest(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    version: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,64}$")
    created_at: AwareDatetime
    parents: tuple[str, ...] = Field((), description="the champion release it was built from")
    components: dict[Component, ComponentRecord]
    data_window: DataWindow = DataWindow()
    metrics: dict[str, JsonValue] = Field(default_factory=dict)
    gate: dict[str, JsonValue] = Field(default_factory=dict, description="verdicts and reasons")
    notes: dict[str, JsonValue] = Field(default_factory=dict)

    def component_version(self, component: Component) -> str | None:
        record = self.components.get(component)
        return record.version if record else None


class Release(BaseModel):
    """A published release as read from disk: its resolved folder and its manifest."""

    model_config = ConfigDict(frozen=True)

    folder: Path
    manifest: ReleaseManifest

    @property
    def version(self) -> str:
        return self.manifest.version

    def path(self, component: Component) -> Path:
        """The component's folder inside this release."""
        return self.folder / component.value
