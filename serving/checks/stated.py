"""What one product's facts state, in the forms copy can repeat: numbers, percents, own words.

Built once per `ProductFacts` (the text part is cached by content), so checking many candidate
copies of one product reads its title, description and attributes once.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from serving.checks.normalize import normalize
from serving.checks.numbers import (
    MoneyClaim,
    NumberClaim,
    NumericClaim,
    PercentClaim,
    RatingClaim,
    StockClaim,
    ZheClaim,
    extract_claims,
)
from serving.facts import ProductFacts


def money(amount: float) -> Decimal:
    """A float price as the exact cents it stands for (`183.99` → Decimal('183.99'))."""
    return Decimal(str(round(amount, 2)))


def claim_values(claim: NumericClaim) -> tuple[Decimal, ...]:
    """Every number a claim shows the reader (`$5` shows 5, `7.5折` shows 7.5)."""
    match claim:
        case MoneyClaim(amount=amount):
            return (amount,)
        case PercentClaim(value=value) | RatingClaim(value=value) | NumberClaim(value=value):
            return (value,)
        case ZheClaim(tenths=tenths):
            return (tenths,)
        case StockClaim(count=count):
            return (Decimal(count),)


@dataclass(frozen=True)
class OwnWords:
    """A listing's own words (normalized) and the numbers and percents they state."""

    text: str
    numbers: frozenset[Decimal]
    percents: frozenset[Decimal]


@lru_cache(maxsize=4_096)
def own_words(brand: str, title: str, description: str, values: tuple[str, ...]) -> OwnWords:
    text = normalize(" | ".join((brand, title, description, *values)))
    claims = extract_claims(text)
    return OwnWords(
        text=text,
        numbers=frozenset(value for claim in claims for value in claim_values(claim)),
        percents=frozenset(c.value for c in claims if isinstance(c, PercentClaim)),
    )


@dataclass(frozen=True)
class StatedFacts:
    """The amounts, percent, 折 and plain numbers a copy of this product may state."""

    amounts: frozenset[Decimal]
    discount_pct: Decimal | None
    zhe_tenths: Decimal | None
    rating: Decimal
    numbers: frozenset[Decimal]
    own: OwnWords

    @classmethod
    def of(cls, facts: ProductFacts) -> StatedFacts:
        own = own_words(
            facts.brand, facts.title, facts.description, tuple(facts.attributes.values())
        )
        amounts = {money(facts.price), money(facts.list_price)}
        if facts.discounted:
            amounts.add(money(facts.savings))
        pct = Decimal(facts.discount_pct) if facts.discounted else None
        zhe = Decimal(100 - facts.discount_pct) / 10 if facts.discounted else None
        rating = Decimal(facts.rating_text)
        stats = {rating, Decimal(facts.review_count), Decimal(facts.stock)}
        stats |= {value for value in (pct, zhe) if value is not None}
        return cls(
            amounts=frozenset(amounts),
            discount_pct=pct,
            zhe_tenths=zhe,
            rating=rating,
            numbers=frozenset(amounts | stats | own.numbers),
            own=own,
        )
