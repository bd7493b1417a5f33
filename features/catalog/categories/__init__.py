"""Every category the generator knows, in a fixed order (the order is part of determinism)."""

from contracts.vocabulary import Locale
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


# Adjectives that state a physical property (a copy may only say them of a product whose own
# words do); the taxonomy's other adjectives (classic, everyday, elegant, ...) are tone.
DESCRIPTIVE_ADJECTIVES = frozenset(
    {
        "lightweight", "soft", "cushioned", "breathable", "compact", "sleek", "portable",
        "sturdy", "gentle", "hydrating", "nourishing", "durable", "colorful",
        "family-friendly", "small-batch", "delicate", "dainty", "easy-care", "minimalist",
    }
)  # fmt: skip
# Chinese renderings that everyday copy uses as tone or that hide in other words (便携 in 方便携带).
ZH_TONE_WORDS = frozenset({"便携", "精致", "简约"})


def taxonomy_product_nouns() -> list[tuple[Locale, str]]:
    """What a copy could call a product, per locale: every product noun the taxonomy knows
    (`French press`, `法压壶`) and its descriptive adjectives (`lightweight`, `轻盈`)."""
    nouns = [kind.noun for category in ALL_CATEGORIES for kind in category.kinds]
    adjectives = [
        adjective
        for category in ALL_CATEGORIES
        for adjective in category.adjectives
        if adjective.en in DESCRIPTIVE_ADJECTIVES
    ]
    english = [(Locale.EN, term.en) for term in nouns + adjectives]
    chinese = [(Locale.ZH_CN, term.zh) for term in nouns + adjectives]
    return english + [term for term in chinese if term[1] not in ZH_TONE_WORDS]


__all__ = ["ALL_CATEGORIES", "taxonomy_product_nouns"]
