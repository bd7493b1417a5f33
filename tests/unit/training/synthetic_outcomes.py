"""Seeded outcome-log records with known effects, for the retraining unit tests.

Shoppers come in two segments (discount-sensitive or not). The logging policy is uniform over
the angles (propensity 0.1). A segment's best angle is clicked 50% of the time, any other 10%;
copy that mentions a deal adds `text_lift` to the click rate. A click becomes a purchase 30% of
the time. Reward = 1 x click + 5 x purchase (the default weights).
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta

from contracts.copies import FeatureValue
from contracts.outcomes import CopyOutcomeRecord
from contracts.vocabulary import Angle, Channel, Locale
from policy.decision import ANGLES

T0 = datetime(2026, 3, 1, 8, tzinfo=UTC)
DEAL_TEXT = "Save 20% today: a great deal on the Acme trail shoes!"
PLAIN_TEXT = "The Acme trail shoes, made to last."
BEST_RATE, OTHER_RATE, PURCHASE_RATE = 0.5, 0.1, 0.3


def best_angle(discount_sensitive: bool) -> Angle:
    return Angle.DISCOUNT if discount_sensitive else Angle.QUALITY


def user_features(rng: random.Random, discount_sensitive: bool) -> dict[str, FeatureValue]:
    sensitivity = rng.uniform(0.7, 0.95) if discount_sensitive else rng.uniform(0.05, 0.3)
    return {
        "discount_sensitivity": round(sensitivity, 4),
        "views_1h": rng.randint(0, 20),
        "price_affinity": round(rng.uniform(10, 200), 2),
        "top_categories": [rng.choice(["shoes", "bags", "toys"])],
    }


def product_features(rng: random.Random) -> dict[str, FeatureValue]:
    return {
        "price": round(rng.uniform(5, 300), 2),
        "brand": rng.choice(["acme", "zeta"]),
        "discount_pct": rng.choice([0, 10, 30]),
        "rating": round(rng.uniform(3, 5), 1),
    }


def click_rate(discount_sensitive: bool, angle: Angle, text: str, text_lift: float) -> float:
    base = BEST_RATE if angle == best_angle(discount_sensitive) else OTHER_RATE
    return min(base + (text_lift if text == DEAL_TEXT else 0.0), 1.0)


def make_record(
    index: int,
    *,
    user: dict[str, FeatureValue],
    product: dict[str, FeatureValue],
    angle: Angle,
    text: str,
    clicked: bool,
    purchased: bool,
    propensity: float = 0.1,
    shown_at: datetime = T0,
    channel: Channel = Channel.WEB,
    locale: Locale = Locale.EN,
) -> CopyOutcomeRecord:
    return CopyOutcomeRecord(
        copy_id=f"c{index:06d}",
        request_id=f"r{index:06d}",
        user_id=f"u{index % 97:05d}",
        product_id=f"p{index % 31:05d}",
        channel=channel,
        slot="pdp-banner",
        locale=locale,
        trigger="product_view",
        angle=angle,
        requested_angle=angle,
        propensity=propensity,
        policy_version="uniform-v1",
        model_version="bootstrap-test",
        text=text,
        fallback_used=False,
        features_snapshot_id=f"s{index:06d}",
        user_features_json=json.dumps(user),
        product_features_json=json.dumps(product),
        created_at=shown_at - timedelta(seconds=1),
        shown_at=shown_at,
        closed_at=shown_at + timedelta(minutes=30),
        impressions=1,
        clicks=int(clicked),
        add_to_carts=int(purchased),
        purchases=int(purchased),
        reward=float(clicked) + 5.0 * float(purchased),
    )


def synthetic_records(n: int, seed: int, *, text_lift: float = 0.0) -> list[CopyOutcomeRecord]:
    """`n` records logged by the uniform policy, one minute apart from T0."""
    rng = random.Random(seed)
    records = []
    for index in range(n):
        sensitive = rng.random() < 0.5
        angle = rng.choice(ANGLES)
        text = DEAL_TEXT if rng.random() < 0.5 else PLAIN_TEXT
        clicked = rng.random() < click_rate(sensitive, angle, text, text_lift)
        purchased = clicked and rng.random() < PURCHASE_RATE
        records.append(
            make_record(
                index,
                user=user_features(rng, sensitive),
                product=product_features(rng),
                angle=angle,
                text=text,
                clicked=clicked,
                purchased=purchased,
                shown_at=T0 + timedelta(minutes=index),
                channel=rng.choice([Channel.WEB, Channel.APP]),
            )
        )
    return records
