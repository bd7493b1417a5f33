"""What an angle policy sees when it decides: who, what, where, and the features read then."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from contracts.copies import CopyTrigger, FeatureValue
from contracts.vocabulary import Channel, Locale


@dataclass(frozen=True)
class DecisionContext:
    """The context of one decision; `user` and `product` are the snapshot's feature rows."""

    user_id: str
    product_id: str
    channel: Channel
    locale: Locale
    trigger: CopyTrigger
    user: Mapping[str, FeatureValue] = field(default_factory=dict)
    product: Mapping[str, FeatureValue] = field(default_factory=dict)
