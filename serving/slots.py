"""What each slot token of a copy stands for, for one product in one locale.

The model writes `<|slot=price|>` or `<|slot=name|>` where a copy states the price or names the
product; serving fills in these strings. A stated number, brand or product name is then always
the product's own, character for character: a small model decides *what* to state, not how to
spell it. Sale slots exist only for a discounted product (an unfilled slot fails the checks).
"""

from __future__ import annotations

from contracts.vocabulary import Locale
from serving.facts import ProductFacts
from serving.product_words import kind_noun, short_name

SLOTS = (
    "name",
    "noun",
    "brand",
    "price",
    "was",
    "save",
    "pct",
    "zhe",
    "rating",
    "reviews",
    "stock",
)


def slot_texts(facts: ProductFacts) -> dict[str, str]:
    name = short_name(facts.title, facts.brand, tuple(facts.attributes.values()), facts.locale)
    slots = {
        "name": name,
        "noun": kind_noun(name, facts.locale),
        "brand": facts.brand,
        "price": facts.price_text,
    }
    if facts.discounted:
        slots |= {
            "was": facts.list_price_text,
            "save": facts.savings_text,
            "pct": str(facts.discount_pct),
            "zhe": facts.zhe_text,
        }
    reviews = f"{facts.review_count:,}" if facts.locale == Locale.EN else str(facts.review_count)
    slots |= {"rating": facts.rating_text, "reviews": reviews, "stock": str(facts.stock)}
    return slots
