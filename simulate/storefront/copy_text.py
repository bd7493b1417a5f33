"""What a copy tells a shopper about price: nothing, the product's real discount, or a false one.

Claims are read with the faithfulness checker's own vocabulary (`serving.checks`), so the
simulated shopper reads "20% off", "Save $5", "8折" and "降价" the way the checker does.
"""

from __future__ import annotations

from enum import StrEnum

from serving.checks.claim_words import Claim, find_claims
from serving.checks.normalize import normalize
from serving.checks.numbers import PercentClaim, ZheClaim, extract_claims
from serving.facts import ProductFacts

_PERCENT_SLACK = 1
"""Percent points a stated discount may differ from the real one (rounding of 19.5%)."""


class DiscountClaim(StrEnum):
    NONE = "none"
    REAL = "real"
    FALSE = "false"


def discount_claim(text: str, facts: ProductFacts) -> DiscountClaim:
    """REAL when the copy says the product is on sale, the product is, and any percent or 折
    it states is the product's; FALSE when it claims a sale the product does not have."""
    normalized = normalize(text)
    says_sale = any(found.claim is Claim.SALE for found in find_claims(normalized, facts.locale))
    if not says_sale:
        return DiscountClaim.NONE
    if not facts.discounted:
        return DiscountClaim.FALSE
    for claim in extract_claims(normalized):
        if isinstance(claim, PercentClaim) and abs(claim.value - facts.discount_pct) > (
            _PERCENT_SLACK
        ):
            return DiscountClaim.FALSE
        if isinstance(claim, ZheClaim) and abs(
            float(claim.tenths) - (100 - facts.discount_pct) / 10
        ) > (_PERCENT_SLACK / 10):
            return DiscountClaim.FALSE
    return DiscountClaim.REAL
