"""The catalog as shoppers browse it: by category, and where each price sits in its category.

Price levels are per-category percentiles of the English price, so "premium" means the dear
end of electronics and of books alike, and a zh-CN shopper sits on the same level.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass

from contracts.product import Product
from contracts.vocabulary import Locale
from simulate.storefront.errors import UnknownProductError
from simulate.storefront.population import PriceLevel

LOW_SHELF_TOP = 0.5
"""A low-price shopper browses the cheaper half of a category."""
HIGH_SHELF_BOTTOM = 0.6
"""A high-price shopper browses the dearest 40% of a category."""
LOW_FIT_TOP = 0.6
HIGH_FIT_BOTTOM = 0.4
"""Fits are looser than shelves: a click is only penalised well off the shopper's level."""


@dataclass(frozen=True, eq=False)
class CatalogShelf:
    products: tuple[Product, ...]
    by_id: dict[str, Product]
    by_category: dict[str, tuple[Product, ...]]
    percentile: dict[str, float]
    """Product id → rank of its price within its category, 0 (cheapest) to 1 (dearest)."""

    @classmethod
    def of(cls, catalog: Sequence[Product]) -> CatalogShelf:
        by_category: dict[str, list[Product]] = {}
        for product in catalog:
            by_category.setdefault(product.category, []).append(product)
        percentile: dict[str, float] = {}
        for products in by_category.values():
            ranked = sorted(products, key=lambda p: (p.localized(Locale.EN).price, p.product_id))
            for rank, product in enumerate(ranked):
                percentile[product.product_id] = rank / max(len(ranked) - 1, 1)
        return cls(
            products=tuple(catalog),
            by_id={product.product_id: product for product in catalog},
            by_category={category: tuple(items) for category, items in by_category.items()},
            percentile=percentile,
        )

    def pool(
        self, category: str | None, level: PriceLevel, discounted: bool | None
    ) -> tuple[Product, ...]:
        """Products a shopper picks from: in `category` on the `level` shelf (None: the whole
        catalog), discounted or not (None: either); falls back to the wider pool when empty."""
        return self._pools(category, level, discounted)

    @functools.cache  # noqa: B019  (a handful of keys; the shelf lives as long as its storefront)
    def _pools(
        self, category: str | None, level: PriceLevel, discounted: bool | None
    ) -> tuple[Product, ...]:
        if category is None:
            wide = self.products
        else:
            wide = tuple(p for p in self.by_category[category] if self.on_shelf(p, level))
        if discounted is None:
            return wide
        matching = tuple(p for p in wide if (p.discount_pct > 0) == discounted)
        return matching or wide

    def product(self, product_id: str) -> Product:
        try:
            return self.by_id[product_id]
        except KeyError:
            raise UnknownProductError(
                f"product {product_id!r} is not in the storefront's catalog of "
                f"{len(self.by_id)} products; build the storefront from the catalog the "
                "stream worker and the generator use"
            ) from None

    def on_shelf(self, product: Product, level: PriceLevel) -> bool:
        """Whether a shopper at `level` would browse `product` (sessions pick from these)."""
        rank = self.percentile[product.product_id]
        if level is PriceLevel.LOW:
            return rank <= LOW_SHELF_TOP
        if level is PriceLevel.HIGH:
            return rank >= HIGH_SHELF_BOTTOM
        return True

    def fits(self, product: Product, level: PriceLevel) -> bool:
        """Whether the price suits a shopper at `level` (off-level products get fewer clicks)."""
        rank = self.percentile[product.product_id]
        if level is PriceLevel.LOW:
            return rank <= LOW_FIT_TOP
        if level is PriceLevel.HIGH:
            return rank >= HIGH_FIT_BOTTOM
        return True
