"""Every knob of the simulated storefront in one place, with the reason for its default.

The simulator is not a product service, so these are not part of `contracts.settings`; the
broker, topics and the low-stock threshold still come from `Settings`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from contracts.vocabulary import Channel
from simulate.storefront.population import DEFAULT_SEGMENTS, Segment


def _channel_factors() -> dict[Channel, float]:
    return {Channel.WEB: 0.8, Channel.APP: 0.8, Channel.PUSH: 0.6, Channel.EMAIL: 0.5,
            Channel.SMS: 0.4}  # fmt: skip


@dataclass(frozen=True)
class StorefrontConfig:
    # Who shops
    seed: int = 7
    """Seeds the population, the sessions and (with each copy id) every reaction."""
    shoppers: int = 200
    """Enough that the per-user rate limit (3 asks a minute) leaves ~10 asks/s at 50 events/s."""
    segments: tuple[Segment, ...] = DEFAULT_SEGMENTS

    # History: sent once, backdated, so features tell segments apart before the first copy
    history_intents: int = 6
    """Cart → purchase/removal pairs per shopper; 6 puts a bargain hunter's discount
    sensitivity at ~0.9 and a premium shopper's at ~0.1 (streams' Laplace-smoothed share)."""
    history_purchase_share: float = 0.5
    """Share of history carts that end in a purchase (the rest are removed: no open carts)."""
    history_span_s: float = 1_800.0
    """History events are spread over this many seconds before the run starts."""

    # Live sessions
    focus_share: float = 0.85
    """Share of product events in the segment's focus categories (top_categories follow)."""
    bargain_view_discounted_share: float = 0.8
    """Share of a discount-only segment's views on discounted products."""
    cart_share: float = 0.08
    """Share of session steps that are add-to-carts (the rest: views and searches)."""
    cart_purchase_share: float = 0.5
    cart_open_share: float = 0.2
    """After a live cart: purchased, left open (a cart reminder later), or removed (the rest)."""

    # Reactions to copy
    show_probability: float = 1.0
    """Share of copies the shop shows (each shown copy gets a `copy_impression`)."""
    cart_per_purchase: float = 2.5
    """P(add to cart | click) is this many times P(purchase | click), capped at 0.9."""
    real_discount_lift: float = 1.5
    """Copy stating the product's real discount multiplies P(purchase | click) by
    1 + lift x discount_taste (a bargain hunter: x2.5; a premium shopper: x1)."""
    false_discount_factor: float = 0.5
    """Copy claiming a discount the product does not have (or a wrong one) loses trust."""
    purchase_without_copy_id_share: float = 0.25
    """Purchases after a click that the shop logs without the copy id (attributed later by
    product and time window)."""
    cart_removal_share: float = 0.5
    """Carts after a click that are not bought: removed, else left open."""
    reaction_delay_ms: tuple[float, float] = (20.0, 120.0)
    """Each reaction follows the previous one (or the copy's arrival) after a uniform delay."""

    # Click model: multipliers that never change which angle is best
    channel_factors: Mapping[Channel, float] = field(default_factory=_channel_factors)
    """Click-rate factor of a channel other than the shopper's own (home channel: 1)."""
    off_focus_factor: float = 0.75
    """Click-rate factor for a product outside the segment's focus categories."""
    price_mismatch_factor: float = 0.7
    """Click-rate factor when the price is off the segment's level (cheap for premium, dear
    for bargain hunters)."""
    max_click_probability: float = 0.95

    # Running
    poll_interval_s: float = 0.01
    """Longest wait for `generated-copy` per loop turn (bounds reaction lateness)."""
    run_tag: str | None = None
    """Prefix of session event ids; None draws a fresh one per storefront so a second run on
    the same broker is not taken for duplicates by the stream worker."""
