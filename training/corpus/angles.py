"""Which angle a copy may really take for a product, and which facts its templates may state.

The one place the corpus decides what is true enough to say. An angle whose premise does not
hold (a discount angle on a full-price product, scarcity with plenty in stock) pivots to an
angle that is true, so the model learns that the angle token only emphasises real facts:

| asked angle   | premise (written as itself)   | otherwise written as                   |
|---------------|-------------------------------|----------------------------------------|
| discount      | the price was cut             | value (the price, no discount words)   |
| social_proof  | >= 20 reviews, rating >= 4.0  | quality (rating quoted if >= 5 reviews) |
| scarcity      | low stock                     | urgency if in stock, else quality      |
| urgency       | in stock                      | quality (nothing to hurry for)         |
| new_arrival   | is new                        | brand_story                            |
| free_shipping | ships free                    | value                                  |
| quality, brand_story, gift, value | always    | -                                      |
"""

from __future__ import annotations

from contracts.vocabulary import Angle
from serving.angles import GOOD_RATING, REVIEWS_FOR_SOCIAL_PROOF, written_angle
from serving.facts import ProductFacts
from training.corpus.templates import Need

# A rating is quoted at all only when this many reviews stand behind it.
REVIEWS_TO_QUOTE_RATING = 5
# Categories shoppers stock up on (囤货 reads naturally only for these).
CONSUMABLE_CATEGORIES = frozenset({"grocery", "beauty", "pet_supplies"})


def needs_met(facts: ProductFacts, has_feature: bool) -> frozenset[Need]:
    """The facts templates may state for this product (`has_feature`: an attribute is usable)."""
    good = facts.rating >= GOOD_RATING
    held = {
        Need.DISCOUNTED: facts.discounted,
        Need.FREE_SHIPPING: facts.free_shipping,
        Need.LOW_STOCK: facts.low_stock,
        Need.IN_STOCK: facts.stock > 0,
        Need.IS_NEW: facts.is_new,
        Need.RATED: good and facts.review_count >= REVIEWS_TO_QUOTE_RATING,
        Need.REVIEWED: good and facts.review_count >= REVIEWS_FOR_SOCIAL_PROOF,
        Need.FEATURE: has_feature,
        Need.CONSUMABLE: facts.category in CONSUMABLE_CATEGORIES,
    }
    return frozenset(need for need, holds in held.items() if holds)


# The facts each angle's own bank takes for granted (checked again per template by `needs`).
ANGLE_PREMISE: dict[Angle, Need] = {
    Angle.DISCOUNT: Need.DISCOUNTED,
    Angle.SOCIAL_PROOF: Need.REVIEWED,
    Angle.SCARCITY: Need.LOW_STOCK,
    Angle.URGENCY: Need.IN_STOCK,
    Angle.NEW_ARRIVAL: Need.IS_NEW,
    Angle.FREE_SHIPPING: Need.FREE_SHIPPING,
}


__all__ = ["ANGLE_PREMISE", "needs_met", "written_angle"]
