"""A synthetic but plausible multi-category catalog, identical for identical seeds.

Used for the demo, tests and benchmarks when a shop has not imported its own catalog.
"""

from __future__ import annotations

import random
from collections.abc import Iterator

from contracts.product import LocalizedProduct, Product
from contracts.vocabulary import Locale
from features.catalog.categories import ALL_CATEGORIES
from features.catalog.listing import ListingText, ProductDraft, write_listings
from features.catalog.pricing import (
    ShelfPrice,
    cny_shelf_price,
    usd_list_price,
    usd_sale_price,
)
from features.catalog.taxonomy import AttributeSpec, CategorySpec, Term

# Relative share of each category in the catalog, like a general-merchandise marketplace.
CATEGORY_WEIGHTS: dict[str, int] = {
    "apparel": 14,
    "shoes": 9,
    "electronics": 12,
    "home_kitchen": 12,
    "beauty": 10,
    "sports_outdoors": 8,
    "toys": 7,
    "grocery": 8,
    "books": 8,
    "jewelry": 6,
    "pet_supplies": 6,
}
DISCOUNTED_SHARE = 0.4
# Discounts cluster at round numbers and thin out towards deep markdowns.
DISCOUNT_STEPS: tuple[int, ...] = (5, 10, 15, 20, 25, 30, 40, 50, 60)
DISCOUNT_STEP_WEIGHTS: tuple[int, ...] = (6, 14, 14, 16, 12, 14, 10, 8, 6)
NEW_SHARE = 0.15
FREE_SHIPPING_SHARE = 0.4
LOW_STOCK_SHARE = 0.12


class CatalogGenerator:
    """Makes `products` products from `seed`; the same arguments always give the same catalog.

    All randomness comes from one `random.Random(seed)`, drawn in a fixed order, so the output
    is stable across runs and machines (but not promised across versions of this module).
    """

    def __init__(self, seed: int, products: int) -> None:
        if products < 0:
            raise ValueError(f"products must be 0 or more; got {products}")
        self.seed = seed
        self.products = products

    def generate(self) -> list[Product]:
        """The whole catalog, ids `p00001`, `p00002`, ... in order."""
        return list(self.iter_products())

    def iter_products(self) -> Iterator[Product]:
        """The catalog one product at a time (for progress bars and streaming writers)."""
        rng = random.Random(self.seed)
        weights = [CATEGORY_WEIGHTS[category.key] for category in ALL_CATEGORIES]
        for number in range(1, self.products + 1):
            (category,) = rng.choices(ALL_CATEGORIES, weights=weights)
            yield _product(f"p{number:05d}", _draft(category, rng), rng)


def _draft(category: CategorySpec, rng: random.Random) -> ProductDraft:
    kind = rng.choice(category.kinds)
    specs = kind.attributes + category.attributes
    return ProductDraft(
        brand=rng.choice(category.brands),
        category=category,
        kind=kind,
        adjective=rng.choice(category.adjectives),
        attributes=tuple((spec, rng.choice(spec.values)) for spec in specs),
        use=rng.choice(category.uses),
    )


def _product(product_id: str, draft: ProductDraft, rng: random.Random) -> Product:
    english, chinese = write_listings(draft, rng)
    usd = _usd_shelf_price(draft, rng)
    is_new = rng.random() < NEW_SHARE
    return Product(
        product_id=product_id,
        brand=draft.brand,
        category=draft.category.key,
        rating=_rating(rng),
        review_count=_review_count(rng, is_new),
        stock=_stock(rng),
        is_new=is_new,
        free_shipping=rng.random() < FREE_SHIPPING_SHARE,
        text={
            Locale.EN: _localized(english, "USD", usd),
            Locale.ZH_CN: _localized(chinese, "CNY", cny_shelf_price(usd)),
        },
    )


def _localized(text: ListingText, currency: str, shelf: ShelfPrice) -> LocalizedProduct:
    return LocalizedProduct(
        title=text.title,
        description=text.description,
        currency=currency,
        price=shelf.price,
        list_price=shelf.list_price,
        attributes=text.attributes,
    )


def _usd_shelf_price(draft: ProductDraft, rng: random.Random) -> ShelfPrice:
    """A list price inside the kind's range (higher tiers sit higher), then maybe a discount."""
    low, high = draft.kind.usd_low, draft.kind.usd_high
    tier = _price_tier(draft.attributes)
    # Most items sit in the lower half of their range; tiered attributes lift them.
    position = rng.random() ** 1.5 if tier is None else 0.7 * tier + 0.3 * rng.random()
    list_price = usd_list_price(low + (high - low) * position)
    if rng.random() >= DISCOUNTED_SHARE:
        return ShelfPrice(price=list_price, list_price=list_price)
    (discount,) = rng.choices(DISCOUNT_STEPS, weights=DISCOUNT_STEP_WEIGHTS)
    return ShelfPrice(price=usd_sale_price(list_price, discount), list_price=list_price)


def _price_tier(attributes: tuple[tuple[AttributeSpec, Term], ...]) -> float | None:
    """Mean rank (0 cheapest .. 1 dearest) of the price-tiered values; None if there are none."""
    tiers = [
        spec.values.index(value) / (len(spec.values) - 1)
        for spec, value in attributes
        if spec.price_tiered and len(spec.values) > 1
    ]
    return sum(tiers) / len(tiers) if tiers else None


def _rating(rng: random.Random) -> float:
    """Shop ratings bunch up around 4.3 stars; clipped to 2.5-5.0 with one decimal."""
    return round(min(5.0, max(2.5, rng.gauss(4.3, 0.5))), 1)


def _review_count(rng: random.Random, is_new: bool) -> int:
    """Log-normal: most products have a few dozen reviews, a handful have tens of thousands."""
    count = int(rng.lognormvariate(3.3, 2.0))
    return count // 10 if is_new else count


def _stock(rng: random.Random) -> int:
    """Units on hand; about one product in eight is nearly sold out (0-5) for scarcity copy."""
    return rng.randint(0, 5) if rng.random() < LOW_STOCK_SHARE else rng.randint(6, 500)
