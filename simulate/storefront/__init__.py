"""A seeded storefront: shoppers in segments with hidden tastes, their events, their reactions
to copy, and the exact true CTR of any angle policy (see docs/simulator.md)."""

from simulate.storefront.click_model import ClickModel, PmfFunction, ShownContext
from simulate.storefront.config import StorefrontConfig
from simulate.storefront.population import (
    DEFAULT_SEGMENTS,
    Population,
    PriceLevel,
    Segment,
    Shopper,
)
from simulate.storefront.storefront import Storefront, StorefrontStats

__all__ = [
    "DEFAULT_SEGMENTS",
    "ClickModel",
    "PmfFunction",
    "Population",
    "PriceLevel",
    "Segment",
    "Shopper",
    "ShownContext",
    "Storefront",
    "StorefrontConfig",
    "StorefrontStats",
]
