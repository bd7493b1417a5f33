"""The shapes the catalog generator draws from: categories, product kinds and their attributes.

Every word exists in English and Simplified Chinese side by side (`Term`), so a product's two
listings always state the same facts; numbers inside a term are identical in both languages.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple


class Term(NamedTuple):
    """One word or phrase in both locales; `zh` carries the same numbers and units as `en`."""

    en: str
    zh: str


def terms(spec: str) -> tuple[Term, ...]:
    """Parse `"black=黑色; white=白色"` into Terms, so the vocabulary tables stay readable."""
    pairs = (item.split("=") for item in spec.split(";") if item.strip())
    return tuple(Term(en.strip(), zh.strip()) for en, zh in pairs)


@dataclass(frozen=True)
class AttributeSpec:
    """An attribute and the values it may take.

    `phrase` turns a value into a clause of the description (`{v}` is the value). When
    `price_tiered` is true the values are listed cheapest first and push the price up the
    product kind's range (a 1 kg bag costs more than a 100 g one).
    """

    name: Term
    phrase: Term
    values: tuple[Term, ...]
    price_tiered: bool = False


@dataclass(frozen=True)
class ProductKind:
    """A kind of product inside a category, with its USD list-price range and own attributes.

    `unit` is how English counts a plural noun ("pair of" headphones, "bag of" almonds), so one
    product still takes a singular verb in the description.
    """

    noun: Term
    usd_low: float
    usd_high: float
    attributes: tuple[AttributeSpec, ...] = ()
    unit: str = ""


@dataclass(frozen=True)
class CategorySpec:
    """A catalog category: invented brands, kinds, adjectives, shared attributes, usage lines.

    `uses` are closing sentences that describe when to use the product and make no factual claim
    beyond the attributes, so generated descriptions stay faithful to the product facts.
    """

    key: str
    name: Term
    brands: tuple[str, ...]
    kinds: tuple[ProductKind, ...]
    adjectives: tuple[Term, ...]
    attributes: tuple[AttributeSpec, ...]
    uses: tuple[Term, ...]


def attribute(name: str, phrase: str, values: str, tiered: bool = False) -> AttributeSpec:
    """Build an AttributeSpec from `"en=zh"` strings, e.g. `attribute("color=颜色", ...)`."""
    (name_term,) = terms(name)
    (phrase_term,) = terms(phrase)
    return AttributeSpec(name_term, phrase_term, terms(values), price_tiered=tiered)


def kind(
    noun: str, usd_low: float, usd_high: float, *attributes: AttributeSpec, unit: str = ""
) -> ProductKind:
    """Build a ProductKind from an `"en=zh"` noun, its USD list-price range and attributes."""
    (noun_term,) = terms(noun)
    return ProductKind(noun_term, usd_low, usd_high, attributes, unit)


def color(values: str) -> AttributeSpec:
    return attribute("color=颜色", "comes in {v}=颜色为{v}", values)


def material(values: str, zh_phrase: str = "采用{v}材质") -> AttributeSpec:
    return attribute("material=材质", f"is made of {{v}}={zh_phrase}", values)


def capacity(values: str) -> AttributeSpec:
    return attribute("capacity=容量", "holds {v}=容量{v}", values, tiered=True)
