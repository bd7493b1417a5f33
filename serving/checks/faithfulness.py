"""Faithfulness: a copy states only what its product's facts say.

Numbers must be the product's (price, list price or savings in its currency; its discount as a
percent or 折; its rating, review count, stock; numbers in its title, description or attribute
values). Brands and attribute values that the catalog knows but this product lacks are
violations, and so are claim words (free shipping, new, scarce, on sale) whose fact is false.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from decimal import Decimal

from contracts.vocabulary import Locale
from serving.checks.claim_words import CLAIM_NEEDS, CLAIM_RULES, find_claims
from serving.checks.lexicon import PRODUCT_KIND, FactLexicon
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
from serving.checks.stated import StatedFacts, money
from serving.checks.violations import Rule, Violation
from serving.facts import ProductFacts, format_amount


class FaithfulnessChecker:
    """Checks one copy against one product's facts; holds nothing per product (thread-safe)."""

    def __init__(self, lexicon: FactLexicon) -> None:
        self.lexicon = lexicon

    def check(self, text: str, facts: ProductFacts) -> list[Violation]:
        """Every unfaithful statement in `text`, numbers first, then brands, values and claims."""
        copy = normalize(text)
        stated = StatedFacts.of(facts)
        claims = extract_claims(copy)
        return [
            *_number_violations(claims, facts, stated),
            *self._brands(copy, facts, stated),
            *self._values(copy, facts, stated),
            *self._claims(copy, facts),
            *_list_price_out_of_context(copy, claims, facts),
            *_foreign_words(copy, facts, stated),
        ]

    def _brands(self, copy: str, facts: ProductFacts, stated: StatedFacts) -> Iterator[Violation]:
        for brand in self.lexicon.brands_in(copy):
            if brand != facts.brand and brand not in stated.own.text:
                yield Violation(
                    Rule.BRAND, f"copy names the brand {brand!r}; the product is by {facts.brand!r}"
                )

    def _values(self, copy: str, facts: ProductFacts, stated: StatedFacts) -> Iterator[Violation]:
        for value in self.lexicon.values_in(copy, facts.locale):
            if not self.lexicon.value_stated_in(value, stated.own.text):
                names = "/".join(sorted(value.names))
                if value.names == {PRODUCT_KIND}:
                    yield Violation(
                        Rule.PRODUCT, f"copy calls it {value.value!r}; it is {facts.title!r}"
                    )
                    continue
                yield Violation(
                    Rule.ATTRIBUTE,
                    f"copy says {value.value!r} ({names}) but the product has {_attributes(facts)}",
                )

    def _claims(self, copy: str, facts: ProductFacts) -> Iterator[Violation]:
        for found in find_claims(copy, facts.locale):
            fact, holds = CLAIM_NEEDS[found.claim]
            if not holds(facts):
                yield Violation(
                    CLAIM_RULES[found.claim],
                    f"copy says {found.text!r} ({found.claim}) but the product's {fact} is false",
                )


def _attributes(facts: ProductFacts) -> str:
    return ", ".join(f"{name}: {value}" for name, value in facts.attributes.items()) or "none"


def _number_violation(
    claim: NumericClaim, facts: ProductFacts, stated: StatedFacts
) -> Violation | None:
    match claim:
        case MoneyClaim():
            return _money_violation(claim, facts, stated)
        case PercentClaim() if claim.value not in stated.own.percents:
            expected, shown = stated.discount_pct, f"{facts.discount_pct}% off"
            return _discount_violation(Rule.PERCENT, claim.text, claim.value, expected, shown)
        case ZheClaim():
            expected, shown = stated.zhe_tenths, facts.zhe_text
            return _discount_violation(Rule.ZHE, claim.text, claim.tenths, expected, shown)
        case RatingClaim() if claim.value != stated.rating:
            return Violation(
                Rule.RATING,
                f"copy states a rating of {claim.text!r}; the rating is {stated.rating}",
            )
        case StockClaim() if claim.count != facts.stock:
            return Violation(
                Rule.STOCK, f"copy states {claim.text!r}; {facts.stock} units are in stock"
            )
        case NumberClaim() if claim.value not in stated.numbers:
            return Violation(
                Rule.NUMBER,
                f"copy states {claim.text!r}, a number none of the product's facts state "
                f"(rating {facts.rating_text}, {facts.review_count} reviews, {facts.stock} in "
                "stock, prices, attributes, title, description)",
            )
    return None


def _money_violation(
    claim: MoneyClaim, facts: ProductFacts, stated: StatedFacts
) -> Violation | None:
    if claim.currency != facts.currency:
        return Violation(
            Rule.CURRENCY,
            f"copy states {claim.text!r} ({claim.currency}); this listing is priced in "
            f"{facts.currency} ({facts.price_text})",
        )
    if claim.amount in stated.amounts:
        return None
    known = ", ".join(format_amount(float(a), facts.currency) for a in sorted(stated.amounts))
    return Violation(Rule.MONEY, f"copy states {claim.text!r}; the product's amounts are {known}")


def _discount_violation(
    rule: Rule, text: str, value: Decimal, expected: Decimal | None, shown: str
) -> Violation | None:
    """`expected` is None when the product is not discounted at all."""
    if expected is None:
        return Violation(rule, f"copy claims a discount of {text!r}; the product is not discounted")
    if value != expected:
        return Violation(rule, f"copy claims {text!r}; the discount is {shown}")
    return None


# What must come just before a list price on a discounted product (`was $229.99`, `原价¥1656`):
# without it, `Hoodie at $54.99` states the old price as if it were the price.
WAS_MARKER = re.compile(
    r"(?:was|why pay|instead of|(?:down|reduced) from|from|regularly|originally|list(?: price)?"
    r"|reg\.?|原价|日常价|划线价|吊牌价|从)\s*[:：]?\s*$",
    re.IGNORECASE,
)
WAS_WINDOW = 16


def _number_violations(
    claims: list[NumericClaim], facts: ProductFacts, stated: StatedFacts
) -> Iterator[Violation]:
    for claim in claims:
        violation = _number_violation(claim, facts, stated)
        if violation is not None:
            yield violation


def _list_price_out_of_context(
    copy: str, claims: list[NumericClaim], facts: ProductFacts
) -> Iterator[Violation]:
    if not facts.discounted:
        return
    list_price = money(facts.list_price)
    for claim in claims:
        if not isinstance(claim, MoneyClaim) or claim.amount != list_price:
            continue
        for match in re.finditer(re.escape(claim.text), copy):
            if not WAS_MARKER.search(copy[max(0, match.start() - WAS_WINDOW) : match.start()]):
                yield Violation(
                    Rule.LIST_PRICE,
                    f"copy states the list price {claim.text!r} without saying it was the old "
                    f"price (`was`, `原价`); the price is {facts.price_text}",
                )
                return


LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z'&.-]*[A-Za-z]")
ZH_LATIN_WORDS = frozenset({"ta"})  # 送TA: the everyday gender-neutral "them" of Chinese copy


def _foreign_words(copy: str, facts: ProductFacts, stated: StatedFacts) -> Iterator[Violation]:
    """zh-CN copy may carry Latin-script words only from the product's own words (its brand,
    `IPX5`, `T恤`); any other English word is made up or garbled."""
    if facts.locale != Locale.ZH_CN:
        return
    own = stated.own.text.casefold()
    for word in dict.fromkeys(LATIN_WORD.findall(copy)):
        if word.casefold() not in own and word.casefold() not in ZH_LATIN_WORDS:
            yield Violation(
                Rule.SCRIPT, f"zh-CN copy has the word {word!r}, which the product's facts lack"
            )
