"""Fallback copy templates: a handful per angle and locale, longest first, facts only.

Placeholders are filled from `ProductFacts` alone: {brand} {title} {price} {list_price}
{savings} {pct} {zhe} {rating} {reviews} {stock}. A template may state a claim (on sale, new,
scarce, ships free) only under an angle whose `ANGLE_HOLDS` test requires that fact.
"""

from __future__ import annotations

from collections.abc import Callable

from contracts.vocabulary import Angle, Locale
from serving.facts import ProductFacts

EN_TEMPLATES: dict[Angle, tuple[str, ...]] = {
    Angle.DISCOUNT: (
        "{title}: {pct}% off, now {price} (was {list_price}).",
        "Save {savings} on {title}, now {price}.",
        "{pct}% off {brand}: now {price}, was {list_price}.",
        "{brand}: {pct}% off, now {price}.",
    ),
    Angle.QUALITY: (
        "{title}: quality you can feel, {price}.",
        "Built to last and made with care: {title}, {price}.",
        "Quality from {brand}, yours for {price}.",
        "{brand} quality, {price}.",
    ),
    Angle.SOCIAL_PROOF: (
        "Rated {rating}/5 across {reviews}: {title}, {price}.",
        "Shoppers rate {brand} {rating}/5 across {reviews}. {price}.",
        "Rated {rating}/5: {brand}, {price}.",
    ),
    Angle.URGENCY: (
        "Don't wait: {title} is yours for {price}.",
        "Treat yourself today: {brand} for {price}.",
        "Get it today: {brand}, {price}.",
    ),
    Angle.SCARCITY: (
        "Only {stock} left: {title}, {price}.",
        "Almost gone: {brand} at {price}, only {stock} left.",
        "Only {stock} left from {brand}: {price}.",
    ),
    Angle.NEW_ARRIVAL: (
        "New arrival: {title}, {price}.",
        "Just landed from {brand}: {price}.",
    ),
    Angle.FREE_SHIPPING: (
        "{title} ships free: {price}.",
        "Free shipping on {brand}: {price}.",
    ),
    Angle.BRAND_STORY: (
        "From the makers at {brand}: {title}, {price}.",
        "Made by {brand} for everyday life. {price}.",
        "Made by {brand}: {price}.",
    ),
    Angle.GIFT: (
        "A gift they'll love: {title}, {price}.",
        "Gift idea from {brand}: {price}.",
    ),
    Angle.VALUE: (
        "{title} for just {price}.",
        "Great value from {brand}: {price}.",
        "{brand} for {price}.",
    ),
}

ZH_TEMPLATES: dict[Angle, tuple[str, ...]] = {
    Angle.DISCOUNT: (
        "{title}，{zhe}优惠，到手{price}",
        "{brand}直降{pct}%，到手{price}，原价{list_price}",
        "{brand}立减{savings}，到手{price}",
        "{brand}{zhe}，到手{price}",
    ),
    Angle.QUALITY: (
        "{title}，品质之选，{price}",
        "{brand}品质好物，{price}",
        "{brand}好品质，{price}",
    ),
    Angle.SOCIAL_PROOF: (
        "评分{rating}，{reviews}条评价：{title}，{price}",
        "{brand}评分{rating}，{reviews}条评价",
        "{brand}评分{rating}，{price}",
    ),
    Angle.URGENCY: (
        "心动就下单：{title}，{price}",
        "{brand}好物，{price}入手",
    ),
    Angle.SCARCITY: (
        "仅剩{stock}件：{title}，{price}",
        "{brand}库存紧张，仅剩{stock}件",
        "{brand}仅剩{stock}件",
    ),
    Angle.NEW_ARRIVAL: (
        "新品上市：{title}，{price}",
        "{brand}新品，{price}",
    ),
    Angle.FREE_SHIPPING: (
        "{title}，{price}包邮",
        "{brand}包邮，{price}",
    ),
    Angle.BRAND_STORY: (
        "{brand}出品：{title}，{price}",
        "{brand}用心出品，{price}",
        "{brand}出品，{price}",
    ),
    Angle.GIFT: (
        "送礼好选择：{title}，{price}",
        "{brand}送礼佳选，{price}",
        "{brand}好礼，{price}",
    ),
    Angle.VALUE: (
        "{title}，只要{price}",
        "{brand}超值好物，{price}",
        "{brand}好物{price}",
    ),
}

TEMPLATES: dict[Locale, dict[Angle, tuple[str, ...]]] = {
    Locale.EN: EN_TEMPLATES,
    Locale.ZH_CN: ZH_TEMPLATES,
}
# Always fits (brand names are short) and states nothing but the brand and the price.
MINIMAL: dict[Locale, str] = {Locale.EN: "{brand}: {price}", Locale.ZH_CN: "{brand}售价{price}"}
# Angles whose templates need no fact beyond brand, title and price, tried when the brief's
# angle has nothing true to say.
NEUTRAL_ANGLES: tuple[Angle, ...] = (Angle.QUALITY, Angle.VALUE, Angle.BRAND_STORY)
MIN_SOCIAL_PROOF_RATING = 4.0

ANGLE_HOLDS: dict[Angle, Callable[[ProductFacts], bool]] = {
    Angle.DISCOUNT: lambda facts: facts.discounted,
    Angle.SCARCITY: lambda facts: facts.low_stock,
    Angle.NEW_ARRIVAL: lambda facts: facts.is_new,
    Angle.FREE_SHIPPING: lambda facts: facts.free_shipping,
    Angle.SOCIAL_PROOF: lambda facts: (
        facts.review_count > 0 and facts.rating >= MIN_SOCIAL_PROOF_RATING
    ),
}


def angle_holds(angle: Angle, facts: ProductFacts) -> bool:
    """Whether the facts give `angle` something true to say (neutral angles always do)."""
    test = ANGLE_HOLDS.get(angle)
    return test is None or test(facts)


def template_fields(facts: ProductFacts) -> dict[str, str]:
    """Every placeholder's text for `facts`, formatted as `ProductFacts` formats them."""
    if facts.locale == Locale.EN:
        plural = "" if facts.review_count == 1 else "s"
        reviews = f"{facts.review_count:,} review{plural}"
    else:
        reviews = str(facts.review_count)
    return {
        "brand": facts.brand,
        "title": facts.title,
        "price": facts.price_text,
        "list_price": facts.list_price_text,
        "savings": facts.savings_text,
        "pct": str(facts.discount_pct),
        "zhe": facts.zhe_text,
        "rating": facts.rating_text,
        "reviews": reviews,
        "stock": str(facts.stock),
    }
