"""Realistic decision contexts and seeded logged decisions for the policy tests."""

from __future__ import annotations

import random

from contracts.copies import CopyTrigger, FeatureValue
from contracts.vocabulary import Angle, Channel, Locale
from policy.context import DecisionContext
from policy.decision import ANGLES
from policy.vowpal import LoggedDecision

_WINDOWS = ("10m", "1h", "24h")
_USER_KINDS = ("views", "searches", "carts", "purchases", "copy_impressions", "copy_clicks")


def realistic_context(seed: int = 0) -> DecisionContext:
    """A context with every feature a snapshot holds, as the stream worker would pass it."""
    rng = random.Random(seed)
    user: dict[str, FeatureValue] = {
        f"{kind}_{window}": rng.randint(0, 30) for kind in _USER_KINDS for window in _WINDOWS
    }
    user |= {
        "top_categories": ["shoes", "outdoor gear"],
        "price_affinity": round(rng.uniform(10, 200), 4),
        "discount_sensitivity": round(rng.random(), 4),
        "last_channel": "web",
        "last_locale": "en",
        "last_event_at": 1_760_000_000_000,
        "events_total": rng.randint(1, 500),
    }
    product: dict[str, FeatureValue] = {
        f"{kind}_{window}": rng.randint(0, 300)
        for kind in ("views", "carts", "purchases")
        for window in _WINDOWS
    }
    product |= {
        "brand": "Acme Outdoor",
        "category": "shoes",
        "price": 49.0,
        "list_price": 69.0,
        "currency": "USD",
        "discount_pct": 29,
        "rating": 4.4,
        "review_count": 213,
        "stock": 7,
        "is_new": False,
        "free_shipping": True,
        "price_zh_cn": 349.0,
        "list_price_zh_cn": 499.0,
    }
    return DecisionContext(
        "u-1", "p-1", Channel.WEB, Locale.EN, CopyTrigger.PRODUCT_VIEW, user, product
    )


def segment_context(rng: random.Random, discount_sensitive: bool) -> DecisionContext:
    """A shopper of one segment, with features that carry no signal around the one that does."""
    sensitivity = rng.uniform(0.7, 0.95) if discount_sensitive else rng.uniform(0.05, 0.3)
    user: dict[str, FeatureValue] = {
        "discount_sensitivity": sensitivity,
        "views_1h": rng.randint(0, 20),
        "price_affinity": rng.uniform(10, 200),
        "top_categories": [rng.choice(["shoes", "bags", "toys"])],
    }
    product: dict[str, FeatureValue] = {
        "price": rng.uniform(5, 300),
        "brand": rng.choice(["acme", "zeta"]),
        "discount_pct": rng.choice([0, 10, 30]),
    }
    channel, locale = rng.choice(list(Channel)), rng.choice(list(Locale))
    return DecisionContext("u", "p", channel, locale, CopyTrigger.PRODUCT_VIEW, user, product)


def best_angle(discount_sensitive: bool) -> Angle:
    return Angle.DISCOUNT if discount_sensitive else Angle.QUALITY


def uniform_logs(n: int, seed: int) -> list[LoggedDecision]:
    """Decisions logged by the uniform policy; the segment's best angle is clicked 60% of the
    time, every other angle 10%; cost is minus the click."""
    rng = random.Random(seed)
    logs = []
    for _ in range(n):
        sensitive = rng.random() < 0.5
        angle = rng.choice(ANGLES)
        click_rate = 0.6 if angle == best_angle(sensitive) else 0.1
        clicked = rng.random() < click_rate
        logs.append(
            LoggedDecision(segment_context(rng, sensitive), angle, 1 / len(ANGLES), -float(clicked))
        )
    return logs
