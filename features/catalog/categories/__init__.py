"""Every category the generator knows, in a fixed order (the order is part of determinism)."""

from features.catalog.categories.fashion import APPAREL, BEAUTY, JEWELRY, SHOES
from features.catalog.categories.home import ELECTRONICS, GROCERY, HOME_KITCHEN, PET_SUPPLIES
from features.catalog.categories.leisure import BOOKS, SPORTS_OUTDOORS, TOYS
from features.catalog.taxonomy import CategorySpec

ALL_CATEGORIES: tuple[CategorySpec, ...] = (
    APPAREL,
    SHOES,
    ELECTRONICS,
    HOME_KITCHEN,
    BEAUTY,
    SPORTS_OUTDOORS,
    TOYS,
    GROCERY,
    BOOKS,
    JEWELRY,
    PET_SUPPLIES,
)

__all__ = ["ALL_CATEGORIES"]
