"""Shoppers in segments with hidden tastes the policy never sees, only their behaviour.

Each segment is built so the online features its behaviour produces give it away after a few
events (the angle policy can only learn what it can tell apart):

| segment        | what shows in the features                      | best angles (second)     |
|----------------|-------------------------------------------------|--------------------------|
| bargain_hunter | web; carts discounted only: sensitivity ~0.9     | discount (value)         |
| premium        | web; dear items, full price: sensitivity ~0.1   | quality, social_proof    |
| app_trend      | app only; apparel, beauty, shoes                | urgency, scarcity        |
| gift_giver     | web; toys and books                             | gift (quality)           |
| researcher     | web; many searches; sports and electronics      | brand_story, new_arrival |

Tastes are click rates of the angle a copy is *written* from (after the premise pivot of
`serving.angles.written_angle`), so asking for `discount` on a full-price product is judged as
the `value` copy the generator really writes.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from contracts.product import Product
from contracts.vocabulary import Angle, Channel, Locale
from simulate.storefront.errors import SegmentError


class PriceLevel(StrEnum):
    """Where in a category's price range a segment shops (percentiles per category)."""

    LOW = "low"
    MID = "mid"
    HIGH = "high"


@dataclass(frozen=True)
class Segment:
    """A kind of shopper; `angle_ctr` is P(click) per written angle under the best conditions
    (home channel, a focus category, the segment's price level, an average shopper)."""

    name: str
    weight: float
    angle_ctr: Mapping[Angle, float]
    focus_categories: tuple[str, ...]
    price_level: PriceLevel
    channel_mix: Mapping[Channel, float]
    zh_share: float
    discount_taste: float
    """Share of carts/purchases on discounted products, and how much copy stating a real
    discount raises the purchase chance (0: not at all)."""
    search_share: float
    """Share of session steps that are searches."""
    purchase_rate: float
    """P(purchase | click) for copy that does not state a discount."""

    def __post_init__(self) -> None:
        missing = [angle.value for angle in Angle if angle not in self.angle_ctr]
        if missing:
            raise SegmentError(f"segment {self.name!r} has no click rate for angles {missing}")
        if not self.focus_categories:
            raise SegmentError(f"segment {self.name!r} needs at least one focus category")
        if not all(0.0 <= p <= 1.0 for p in self.angle_ctr.values()):
            raise SegmentError(f"segment {self.name!r}: click rates must be in [0, 1]")

    @property
    def best_written_angle(self) -> Angle:
        return max(Angle, key=lambda angle: self.angle_ctr[angle])


BEST_CTR = 0.40
SECOND_CTR = 0.15
OTHER_CTR = 0.03


def _rates(best: tuple[Angle, ...], second: tuple[Angle, ...]) -> dict[Angle, float]:
    """Click rates per written angle: BEST_CTR for `best`, SECOND_CTR for `second`, OTHER_CTR
    for the rest. A best angle whose premise often fails (social proof, scarcity, new arrival)
    comes with the angle it pivots to, so asking for it is never a trap the policy must learn
    product by product."""
    rates = dict.fromkeys(Angle, OTHER_CTR)
    rates.update(dict.fromkeys(second, SECOND_CTR))
    rates.update(dict.fromkeys(best, BEST_CTR))
    return rates


DEFAULT_SEGMENTS: tuple[Segment, ...] = (
    Segment(
        name="bargain_hunter",
        weight=0.25,
        angle_ctr=_rates((Angle.DISCOUNT,), (Angle.VALUE,)),
        focus_categories=("grocery", "pet_supplies", "home_kitchen"),
        price_level=PriceLevel.LOW,
        channel_mix={Channel.WEB: 1.0},
        zh_share=0.25,
        discount_taste=1.0,
        search_share=0.05,
        purchase_rate=0.12,
    ),
    Segment(
        name="premium",
        weight=0.2,
        angle_ctr=_rates((Angle.QUALITY, Angle.SOCIAL_PROOF), (Angle.BRAND_STORY,)),
        focus_categories=("electronics", "jewelry", "shoes"),
        price_level=PriceLevel.HIGH,
        channel_mix={Channel.WEB: 1.0},
        zh_share=0.25,
        discount_taste=0.0,
        search_share=0.05,
        purchase_rate=0.10,
    ),
    Segment(
        name="app_trend",
        weight=0.2,
        angle_ctr=_rates((Angle.URGENCY, Angle.SCARCITY), (Angle.NEW_ARRIVAL,)),
        focus_categories=("apparel", "beauty", "shoes"),
        price_level=PriceLevel.MID,
        channel_mix={Channel.APP: 1.0},
        zh_share=0.25,
        discount_taste=0.35,
        search_share=0.05,
        purchase_rate=0.10,
    ),
    Segment(
        name="gift_giver",
        weight=0.15,
        angle_ctr=_rates((Angle.GIFT,), (Angle.QUALITY, Angle.SOCIAL_PROOF)),
        focus_categories=("toys", "books"),
        price_level=PriceLevel.MID,
        channel_mix={Channel.WEB: 1.0},
        zh_share=0.25,
        discount_taste=0.35,
        search_share=0.05,
        purchase_rate=0.12,
    ),
    Segment(
        name="researcher",
        weight=0.2,
        angle_ctr=_rates((Angle.BRAND_STORY, Angle.NEW_ARRIVAL), (Angle.QUALITY,)),
        focus_categories=("sports_outdoors", "electronics"),
        price_level=PriceLevel.MID,
        channel_mix={Channel.WEB: 1.0},
        zh_share=0.25,
        discount_taste=0.35,
        search_share=0.3,
        purchase_rate=0.08,
    ),
)


@dataclass(frozen=True)
class Shopper:
    """One simulated shopper; `clickiness` scales every click rate alike (it never changes
    which angle is best), and every event the shopper makes is on `channel` in `locale`."""

    user_id: str
    segment: Segment
    channel: Channel
    locale: Locale
    clickiness: float


@dataclass(frozen=True)
class Population:
    """The shoppers of one simulated shop, looked up by user id."""

    shoppers: tuple[Shopper, ...]
    seed: int
    by_id: Mapping[str, Shopper] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_id", {shopper.user_id: shopper for shopper in self.shoppers})

    @classmethod
    def generate(
        cls,
        catalog: Sequence[Product],
        shoppers: int,
        seed: int,
        segments: Sequence[Segment] = DEFAULT_SEGMENTS,
        id_prefix: str = "u",
    ) -> Population:
        """`shoppers` shoppers (`u00001`, ...) split across segments in proportion to their
        weights (exact shares, shuffled by `seed`); the same arguments give the same population."""
        if shoppers < 1:
            raise SegmentError(f"a population needs at least one shopper; got {shoppers}")
        _check_categories(catalog, segments)
        rng = random.Random(seed)
        counts = _split(shoppers, segments)
        assigned = [seg for seg, n in zip(segments, counts, strict=True) for _ in range(n)]
        rng.shuffle(assigned)
        people = tuple(
            Shopper(
                user_id=f"{id_prefix}{number:05d}",
                segment=segment,
                channel=_draw(rng, segment.channel_mix),
                locale=Locale.ZH_CN if rng.random() < segment.zh_share else Locale.EN,
                clickiness=round(rng.uniform(0.8, 1.2), 3),
            )
            for number, segment in enumerate(assigned, start=1)
        )
        return cls(people, seed)

    def get(self, user_id: str) -> Shopper | None:
        return self.by_id.get(user_id)

    def in_segment(self, name: str) -> list[Shopper]:
        return [shopper for shopper in self.shoppers if shopper.segment.name == name]

    @property
    def segments(self) -> tuple[Segment, ...]:
        """The segments present, in order of first appearance."""
        seen: dict[str, Segment] = {}
        for shopper in self.shoppers:
            seen.setdefault(shopper.segment.name, shopper.segment)
        return tuple(seen.values())


def _split(total: int, segments: Sequence[Segment]) -> list[int]:
    """Largest-remainder split of `total` by weight, so shares are exact, not sampled."""
    weight_sum = sum(segment.weight for segment in segments)
    if weight_sum <= 0:
        raise SegmentError("segment weights must sum to more than 0")
    quotas = [total * segment.weight / weight_sum for segment in segments]
    counts = [int(quota) for quota in quotas]
    by_remainder = sorted(range(len(quotas)), key=lambda i: counts[i] - quotas[i])
    for index in by_remainder[: total - sum(counts)]:
        counts[index] += 1
    return counts


def _draw(rng: random.Random, mix: Mapping[Channel, float]) -> Channel:
    channels = sorted(mix)
    (channel,) = rng.choices(channels, weights=[mix[c] for c in channels])
    return channel


def _check_categories(catalog: Sequence[Product], segments: Sequence[Segment]) -> None:
    present = {product.category for product in catalog}
    for segment in segments:
        missing = sorted(set(segment.focus_categories) - present)
        if missing:
            raise SegmentError(
                f"segment {segment.name!r} focuses on {missing}, which the catalog lacks; "
                "generate the default catalog (CatalogGenerator) or pass segments that fit yours"
            )
