"""Plausible shopper search queries for a product, so the model sees briefs that carry one.

A query is built only from the product's own words (noun, brand, a colour or material), the
way shoppers type them; the copy never depends on it.
"""

from __future__ import annotations

import random

from contracts.vocabulary import Locale
from serving.facts import ProductFacts
from serving.product_words import ProductWords

QUERY_SHARE = 0.3
# Attributes shoppers put in front of a noun when they search.
_EN_QUERY_ATTRIBUTES = ("color", "material", "flavor", "scent", "skin type", "roast")
_ZH_QUERY_ATTRIBUTES = ("颜色", "材质", "口味", "香型", "适用肤质", "烘焙度")
_ZH_SUFFIXES = ("", "推荐", "哪个牌子好", "好用吗")


def maybe_search_query(facts: ProductFacts, words: ProductWords, rng: random.Random) -> str | None:
    """A query for about `QUERY_SHARE` of briefs, else None; draws from `rng` either way."""
    if rng.random() >= QUERY_SHARE:
        return None
    return search_query(facts, words, rng)


def search_query(facts: ProductFacts, words: ProductWords, rng: random.Random) -> str:
    """One query in the shopper's locale: "black over-ear headphones", "Copperleaf法压壶"."""
    noun = words.noun
    if facts.locale is Locale.ZH_CN:
        values = [
            facts.attributes[name] for name in _ZH_QUERY_ATTRIBUTES if name in facts.attributes
        ]
        options = [noun, f"{words.brand}{noun}", words.short_name]
        options += [f"{value}{noun}" for value in values]
        return rng.choice(options) + rng.choice(_ZH_SUFFIXES)
    values = [facts.attributes[name] for name in _EN_QUERY_ATTRIBUTES if name in facts.attributes]
    options = [noun, f"{words.brand} {noun}", words.short_name]
    options += [f"{value} {noun}" for value in values]
    return rng.choice(options).lower()
