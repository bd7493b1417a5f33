"""The outcome log's record: one copy a shopper saw, and what it earned.

The outcome joiner (streams/) writes one record per shown copy once its attribution window
closes; retraining (training/) reads them back. A copy never shown (no impression) is not a
training example and gets no record.
"""

from __future__ import annotations

import json
from enum import StrEnum
from typing import Annotated

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)

from contracts.copies import FeatureValue, Probability, Propensity, check_angle_pmf
from contracts.vocabulary import Angle, Channel, Locale

OUTCOME_SCHEMA_VERSION = 2
"""2: `angle_pmf` added; files written before it read as ()."""


class OutcomeKind(StrEnum):
    """What a shopper can do with a copy; each may earn reward (settings.outcomes)."""

    IMPRESSION = "impression"
    CLICK = "click"
    ADD_TO_CART = "add_to_cart"
    PURCHASE = "purchase"


class CopyOutcomeRecord(BaseModel):
    """One row of the outcome log (Parquet, partitioned by `date` of `shown_at`, UTC).

    Feature rows are JSON strings so the Parquet schema stays fixed when features are added.
    Counts are of distinct events (duplicates are dropped by event id); `reward` weighs the
    kinds that happened at least once, so a shopper clicking twice earns the click once.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    schema_version: int = OUTCOME_SCHEMA_VERSION
    copy_id: str
    request_id: str
    user_id: str
    product_id: str
    channel: Channel
    slot: str
    locale: Locale
    trigger: str
    angle: Angle = Field(description="the angle written (after any pivot)")
    requested_angle: Angle = Field(description="the angle the policy chose (the logged action)")
    propensity: Propensity
    angle_pmf: tuple[Probability, ...] = Field(
        (), description="every angle's probability when decided (`Angle` order); () if unknown"
    )
    policy_version: str
    model_version: str
    text: Annotated[str, StringConstraints(min_length=1)]
    fallback_used: bool
    features_snapshot_id: str
    user_features_json: str = "{}"
    product_features_json: str = "{}"
    created_at: AwareDatetime = Field(description="when the copy was written")
    shown_at: AwareDatetime = Field(description="first impression")
    closed_at: AwareDatetime = Field(description="when the attribution window closed")
    impressions: int = Field(ge=1)
    clicks: int = Field(ge=0)
    add_to_carts: int = Field(ge=0)
    purchases: int = Field(ge=0)
    reward: float

    @model_validator(mode="after")
    def _propensity_from_pmf(self) -> CopyOutcomeRecord:
        check_angle_pmf(self.angle_pmf, self.requested_angle, self.propensity)
        return self

    @property
    def date(self) -> str:
        """The log partition (`date=YYYY-MM-DD`) this record belongs to."""
        return self.shown_at.date().isoformat()

    @property
    def clicked(self) -> bool:
        return self.clicks > 0

    def user_features(self) -> dict[str, FeatureValue]:
        loaded: dict[str, FeatureValue] = json.loads(self.user_features_json)
        return loaded

    def product_features(self) -> dict[str, FeatureValue]:
        loaded: dict[str, FeatureValue] = json.loads(self.product_features_json)
        return loaded
