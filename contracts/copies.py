"""Wire schemas of the live loop: `copy-requests` (streams → generator) and `generated-copy`.

A request carries the decision (angle, the exact probability it was chosen with, the policy
version) and a snapshot of the features read at decision time, so the learning loop later sees
exactly what serving saw. Both are JSON on Kafka, keyed by `user_id`.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from contracts.fields import DerivedId as Id
from contracts.fields import ExternalId, SearchQuery
from contracts.vocabulary import Angle, Channel, Locale

FeatureValue = float | int | str | bool | list[str] | None
Propensity = Annotated[float, Field(gt=0, le=1)]
Probability = Annotated[float, Field(ge=0, le=1)]
ANGLE_PMF_TOLERANCE = 1e-4
"""How far a logged distribution may sum from 1 (the policy's float32 arithmetic)."""

COPY_SCHEMA_VERSION = 2
"""2: `angle_pmf` added (the whole distribution the angle was drawn from)."""


class CopyTrigger(StrEnum):
    """Why a copy was asked for."""

    PRODUCT_VIEW = "product_view"
    CART_ABANDONED = "cart_abandoned"
    EXPLICIT = "explicit"


class FeatureSnapshot(BaseModel):
    """The online features of the user and the product, as read when the decision was made."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    snapshot_id: Id
    read_at: AwareDatetime
    user: dict[str, FeatureValue] = Field(default_factory=dict)
    product: dict[str, FeatureValue] = Field(default_factory=dict)


class _CopyFor(BaseModel):
    """Who a copy is for and where it shows, shared by the request and the copy."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    schema_version: int = COPY_SCHEMA_VERSION
    request_id: Id
    user_id: ExternalId
    product_id: ExternalId
    channel: Channel
    slot: ExternalId
    locale: Locale
    propensity: Propensity
    angle_pmf: tuple[Probability, ...] = Field(
        (),
        description="the probability of every angle, in `Angle` order, when this one was drawn; "
        "off-policy evaluation over the copies actually written needs them all; () when unknown",
    )


def check_angle_pmf(pmf: tuple[float, ...], chosen: Angle, propensity: float) -> None:
    """Raise ValueError unless `pmf` (if given) is a distribution over the angles whose entry
    for the chosen angle is its propensity: then the log can be replayed against any policy."""
    if not pmf:
        return
    if len(pmf) != len(Angle):
        raise ValueError(f"angle_pmf has {len(pmf)} entries; expected one per angle ({len(Angle)})")
    if abs(sum(pmf) - 1.0) > ANGLE_PMF_TOLERANCE:
        raise ValueError(f"angle_pmf sums to {sum(pmf)!r}, not 1")
    entry = pmf[list(Angle).index(chosen)]
    if abs(entry - propensity) > ANGLE_PMF_TOLERANCE:
        raise ValueError(
            f"propensity {propensity!r} is not angle_pmf's entry for {chosen.value} ({entry!r})"
        )


class CopyRequest(_CopyFor):
    trigger: CopyTrigger
    angle: Angle
    policy_version: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    search_query: SearchQuery | None = None
    features: FeatureSnapshot
    created_at: AwareDatetime
    deadline: AwareDatetime

    def addressee(self) -> dict[str, object]:
        """The fields a copy shares with its request (who it is for, where it shows)."""
        return {name: getattr(self, name) for name in _CopyFor.model_fields}

    @model_validator(mode="after")
    def _deadline_after_creation(self) -> CopyRequest:
        if self.deadline <= self.created_at:
            raise ValueError(f"deadline {self.deadline} is not after created_at {self.created_at}")
        return self

    @model_validator(mode="after")
    def _propensity_from_pmf(self) -> CopyRequest:
        check_angle_pmf(self.angle_pmf, self.angle, self.propensity)
        return self


class Fallback(BaseModel):
    """Set when the checked model copy was replaced by a faithful template, and why."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    used: bool = False
    reason: str | None = None

    @model_validator(mode="after")
    def _reason_when_used(self) -> Fallback:
        if self.used != (self.reason is not None):
            raise ValueError("a fallback has a reason exactly when it was used")
        return self


class GeneratedCopy(_CopyFor):
    """One copy as shops receive it; `angle` is the angle written (the requested one's pivot
    where its premise was false), `requested_angle` what the policy chose. The versions name
    the parts the service was serving when it wrote it (a template names them too)."""

    copy_id: Id
    angle: Angle
    requested_angle: Angle
    policy_version: str
    model_version: str
    release_version: str | None = Field(
        None, description="the registry release served when it was written; None: bootstrap"
    )
    reward_model_version: str | None = Field(
        None, description="the reward model that reranked its candidates; None: by fluency"
    )
    text: Annotated[str, StringConstraints(min_length=1, max_length=1_000)]
    fallback: Fallback = Fallback()
    trigger: CopyTrigger
    features_snapshot_id: Id
    features: FeatureSnapshot | None = Field(
        None, description="the decision's snapshot, so the outcome log needs no other topic"
    )
    created_at: AwareDatetime
    latency_ms: Annotated[float, Field(ge=0)]

    @model_validator(mode="after")
    def _propensity_from_pmf(self) -> GeneratedCopy:
        check_angle_pmf(self.angle_pmf, self.requested_angle, self.propensity)
        return self


def age_ms(since: datetime, now: datetime) -> float:
    """Milliseconds from `since` to `now` (both timezone-aware), never negative."""
    return max((now - since).total_seconds() * 1e3, 0.0)
