"""Errors the simulated storefront raises on purpose, under the project's one exception tree."""

from __future__ import annotations

from contracts.errors import CopystreamError


class StorefrontError(CopystreamError):
    """Base class of the simulator's errors."""


class UnknownShopperError(StorefrontError):
    """Raised when a context or copy names a user id the population does not hold."""


class UnknownProductError(StorefrontError):
    """Raised when a context or copy names a product id the catalog does not hold."""


class SegmentError(StorefrontError):
    """Raised when a segment definition cannot drive sessions over the given catalog."""
