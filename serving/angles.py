"""Which angle a copy can really take for a product: the angle token only stresses true facts.

A discount angle on a full-price product is written as value copy, scarcity with plenty in
stock as urgency, and so on (table in `training/corpus/angles.py`). Serving puts the angle the
copy can be written from into the prompt, so the model never has to work out from the facts
whether the angle it was given is true, and every `GeneratedCopy` says which angle it took.
"""

from __future__ import annotations

from contracts.vocabulary import Angle
from serving.facts import ProductFacts

# Fewer reviews than this are anecdotes, not social proof.
REVIEWS_FOR_SOCIAL_PROOF = 20
# Ratings below this are true but no selling point; copy stays silent about them.
GOOD_RATING = 4.0


def written_angle(angle: Angle, facts: ProductFacts) -> Angle:
    """The angle whose phrase bank writes a copy asked for with `angle` (see the table above)."""
    if angle is Angle.DISCOUNT:
        return Angle.DISCOUNT if facts.discounted else Angle.VALUE
    if angle is Angle.SOCIAL_PROOF:
        reviewed = facts.review_count >= REVIEWS_FOR_SOCIAL_PROOF and facts.rating >= GOOD_RATING
        return Angle.SOCIAL_PROOF if reviewed else Angle.QUALITY
    if angle is Angle.SCARCITY:
        if facts.low_stock:
            return Angle.SCARCITY
        return Angle.URGENCY if facts.stock > 0 else Angle.QUALITY
    if angle is Angle.URGENCY:
        return Angle.URGENCY if facts.stock > 0 else Angle.QUALITY
    if angle is Angle.NEW_ARRIVAL:
        return Angle.NEW_ARRIVAL if facts.is_new else Angle.BRAND_STORY
    if angle is Angle.FREE_SHIPPING:
        return Angle.FREE_SHIPPING if facts.free_shipping else Angle.VALUE
    return angle
