"""Titles, descriptions and attribute tables for one drafted product, in English and Chinese.

The description states every attribute and nothing more (plus a usage line that makes no
factual claim), so it is a faithful source for generated marketing copy.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from features.catalog.taxonomy import AttributeSpec, CategorySpec, ProductKind, Term

_EN_TITLES_ONE = (
    "{brand} {adj} {noun}, {a1}",
    "{adj} {noun} by {brand} - {a1}",
    "{a1} {adj} {noun} | {brand}",
    "{brand} {noun} ({a1})",
)
_EN_TITLES_TWO = (
    "{brand} {adj} {noun}, {a1}, {a2}",
    "{adj} {noun} by {brand} - {a1} / {a2}",
    "{brand} {a1} {noun} ({a2})",
    "{a1} {adj} {noun}, {a2} | {brand}",
)
_ZH_TITLES_ONE = (
    "{brand} {adj}{noun} {a1}",
    "{brand} {a1}{adj}{noun}",
    "{adj}{noun} {a1} | {brand}",
    "【{adj}】{brand} {noun} {a1}",
)
_ZH_TITLES_TWO = (
    "{brand} {adj}{noun} {a1} {a2}",
    "{brand} {noun}（{a1}，{a2}）",
    "【{adj}】{brand} {a1}{noun} {a2}",
    "{a1}{adj}{noun} {a2} | {brand}",
)
_EN_OPENERS = (
    "This {unit}{adj} {noun} from {brand}",
    "{brand}'s {unit}{adj} {noun}",
    "Designed by {brand}, this {unit}{adj} {noun}",
)
_ZH_OPENERS = (
    "这款 {brand} {adj}{noun}",
    "{brand} 这款{adj}{noun}",
    "{brand} 出品的{adj}{noun}",
)
_LOWERCASE_IN_TITLES = frozenset({"a", "and", "for", "in", "of", "with"})
_UNITS = frozenset({"ml", "g", "kg", "mm", "cm", "m", "km/h"})


@dataclass(frozen=True)
class ProductDraft:
    """The facts of one product, drawn once and then written out in every locale."""

    brand: str
    category: CategorySpec
    kind: ProductKind
    adjective: Term
    attributes: tuple[tuple[AttributeSpec, Term], ...]
    use: Term


@dataclass(frozen=True)
class ListingText:
    """The words of one listing: title, description and the attribute table."""

    title: str
    description: str
    attributes: dict[str, str]


def write_listings(draft: ProductDraft, rng: random.Random) -> tuple[ListingText, ListingText]:
    """English and Chinese text for `draft`; both titles show the same one or two attributes."""
    values = [value for _, value in draft.attributes]
    title_values = rng.sample(values, min(len(values), rng.choice((1, 2))))
    english = ListingText(
        title=_english_title(draft, title_values, rng),
        description=_english_description(draft, rng),
        attributes={spec.name.en: value.en for spec, value in draft.attributes},
    )
    chinese = ListingText(
        title=_chinese_title(draft, title_values, rng),
        description=_chinese_description(draft, rng),
        attributes={spec.name.zh: value.zh for spec, value in draft.attributes},
    )
    return english, chinese


def headline_case(text: str) -> str:
    """Capitalize each word but keep joining words, units and inner capitals (T-shirt, 15 ml)."""
    words = text.split(" ")
    return " ".join(
        word
        if word in _UNITS or (index and word in _LOWERCASE_IN_TITLES)
        else word[:1].upper() + word[1:]
        for index, word in enumerate(words)
    )


def _english_title(draft: ProductDraft, values: list[Term], rng: random.Random) -> str:
    templates = _EN_TITLES_TWO if len(values) == 2 else _EN_TITLES_ONE
    named = {f"a{index}": headline_case(value.en) for index, value in enumerate(values, start=1)}
    return rng.choice(templates).format(
        brand=draft.brand,
        adj=headline_case(draft.adjective.en),
        noun=headline_case(draft.kind.noun.en),
        **named,
    )


def _chinese_title(draft: ProductDraft, values: list[Term], rng: random.Random) -> str:
    templates = _ZH_TITLES_TWO if len(values) == 2 else _ZH_TITLES_ONE
    named = {f"a{index}": value.zh for index, value in enumerate(values, start=1)}
    return rng.choice(templates).format(
        brand=draft.brand, adj=draft.adjective.zh, noun=draft.kind.noun.zh, **named
    )


def _english_description(draft: ProductDraft, rng: random.Random) -> str:
    unit = f"{draft.kind.unit} " if draft.kind.unit else ""
    opener = rng.choice(_EN_OPENERS).format(
        brand=draft.brand, unit=unit, adj=draft.adjective.en, noun=draft.kind.noun.en
    )
    facts = [spec.phrase.en.format(v=value.en) for spec, value in draft.attributes]
    return f"{opener} {_join_english(facts)}. {draft.use.en}"


def _chinese_description(draft: ProductDraft, rng: random.Random) -> str:
    opener = rng.choice(_ZH_OPENERS).format(
        brand=draft.brand, adj=draft.adjective.zh, noun=draft.kind.noun.zh
    )
    facts = [spec.phrase.zh.format(v=value.zh) for spec, value in draft.attributes]
    return f"{opener}{'，'.join(facts)}。{draft.use.zh}"


def _join_english(clauses: list[str]) -> str:
    """`a`, `a and b`, `a, b and c`: the list style of the English descriptions."""
    if len(clauses) <= 1:
        return "".join(clauses)
    return f"{', '.join(clauses[:-1])} and {clauses[-1]}"
