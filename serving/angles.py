"""Which angle a copy can really take for a product: the angle token only stresses true facts.

A discount angle on a full-price product is written as value copy, scarcity with plenty in
stock as urgency, and so on (table in `training/corpus/angles.py`). Serving puts the angle the
copy can be written from into the prompt, so the model never has to work out from the facts
whether the angle it was given is true, and every `GeneratedCopy` says which angle it took.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from contracts.copies import FeatureValue
from contracts.vocabulary import Angle, Locale
from features.catalog.pricing import whole_percent_off

# Fewer reviews than this are anecdotes, not social proof.
REVIEWS_FOR_SOCIAL_PROOF = 20
# Ratings below this are true but no selling point; copy stays silent about them.
GOOD_RATING = 4.0


class AnglePremises(Protocol):
    """The facts that decide which angles are true of a product (`ProductFacts` has them)."""

    @property
    def discounted(self) -> bool: ...
    @property
    def review_count(self) -> int: ...
    @property
    def rating(self) -> float: ...
    @property
    def low_stock(self) -> bool: ...
    @property
    def stock(self) -> int: ...
    @property
    def is_new(self) -> bool: ...
    @property
    def free_shipping(self) -> bool: ...


@dataclass(frozen=True)
class SnapshotPremises:
    """The premises as a decision's product feature snapshot states them, so the learning loop
    can tell, for a logged decision, which other asks would have written the same copy."""

    discounted: bool
    review_count: int
    rating: float
    low_stock: bool
    stock: int
    is_new: bool
    free_shipping: bool

    @classmethod
    def of(
        cls, product: Mapping[str, FeatureValue], locale: Locale, low_stock_threshold: int
    ) -> SnapshotPremises | None:
        """None when the snapshot lacks a feature a premise needs (the product was unknown)."""
        try:
            stock = int(_number(product["stock"]))
            return cls(
                discounted=_discount_pct(product, locale) >= 1,
                review_count=int(_number(product["review_count"])),
                rating=_number(product["rating"]),
                low_stock=0 < stock <= low_stock_threshold,
                stock=stock,
                is_new=bool(product["is_new"]),
                free_shipping=bool(product["free_shipping"]),
            )
        except (KeyError, TypeError, ValueError):
            return None


def _number(value: FeatureValue) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(f"not a number: {value!r}")
    return float(value)


def _discount_pct(product: Mapping[str, FeatureValue], locale: Locale) -> int:
    """The discount shoppers in `locale` see: the locale's own shelf prices when the snapshot
    has them (rounding differs by currency), else the catalog's `discount_pct`."""
    if locale is Locale.ZH_CN and "price_zh_cn" in product and "list_price_zh_cn" in product:
        list_price = _number(product["list_price_zh_cn"])
        if list_price > 0:
            return whole_percent_off(_number(product["price_zh_cn"]), list_price)
    return int(_number(product["discount_pct"]))


def written_angle(angle: Angle, facts: AnglePremises) -> Angle:
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
