"""Checks every copy before it reaches a shopper: faithful to the product, compliant with the rules.

`CopyChecker` is the one door; `FallbackCopywriter` writes a checked template copy when the
model's candidates all fail.
"""

from serving.checks.compliance import ComplianceChecker
from serving.checks.faithfulness import FaithfulnessChecker
from serving.checks.fallback import FallbackCopy, FallbackCopywriter, NoFaithfulCopyError
from serving.checks.lexicon import FAMOUS_BRANDS, AttributeValue, FactLexicon
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
from serving.checks.verdict import CopyChecker, CopyVerdict
from serving.checks.violations import Rule, Violation

__all__ = [
    "FAMOUS_BRANDS",
    "AttributeValue",
    "ComplianceChecker",
    "CopyChecker",
    "CopyVerdict",
    "FactLexicon",
    "FaithfulnessChecker",
    "FallbackCopy",
    "FallbackCopywriter",
    "MoneyClaim",
    "NoFaithfulCopyError",
    "NumberClaim",
    "NumericClaim",
    "PercentClaim",
    "RatingClaim",
    "Rule",
    "StockClaim",
    "Violation",
    "ZheClaim",
    "extract_claims",
]
