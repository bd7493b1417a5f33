"""The shoppers' hidden response to copy, and the true CTR of any angle policy.

P(click) depends only on (shopper, product, channel, locale, requested angle): the requested
angle is turned into the angle the copy is really written from (`serving.angles.written_angle`),
and the shopper's segment rate for that angle is scaled by factors that never change which
angle is best (channel, category focus, price fit, the shopper's own clickiness). So the true
CTR of a policy is an exact sum over its pmf, with no sampling. Copy text only moves what
happens after a click (carts and purchases).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from contracts.copies import CopyRequest, CopyTrigger, FeatureValue, GeneratedCopy
from contracts.outcomes import CopyOutcomeRecord
from contracts.product import Product
from contracts.vocabulary import Angle, Channel, Locale
from policy.context import DecisionContext
from policy.decision import ANGLES
from serving.angles import written_angle
from serving.facts import ProductFacts
from simulate.storefront.config import StorefrontConfig
from simulate.storefront.copy_text import DiscountClaim, discount_claim
from simulate.storefront.errors import UnknownShopperError
from simulate.storefront.population import Population, Shopper
from simulate.storefront.shelf import CatalogShelf


@dataclass(frozen=True)
class ShownContext:
    """One decision as the learning loop logged it: who, what, where, and the feature rows
    of its snapshot (so a policy's pmf can be computed from exactly what it saw)."""

    user_id: str
    product_id: str
    channel: Channel
    locale: Locale
    trigger: CopyTrigger = CopyTrigger.PRODUCT_VIEW
    user_features: Mapping[str, FeatureValue] = field(default_factory=dict)
    product_features: Mapping[str, FeatureValue] = field(default_factory=dict)

    @classmethod
    def of_request(cls, request: CopyRequest) -> ShownContext:
        return cls(
            request.user_id,
            request.product_id,
            request.channel,
            request.locale,
            request.trigger,
            dict(request.features.user),
            dict(request.features.product),
        )

    @classmethod
    def of_copy(cls, copy: GeneratedCopy) -> ShownContext:
        snapshot = copy.features
        return cls(
            copy.user_id,
            copy.product_id,
            copy.channel,
            copy.locale,
            copy.trigger,
            dict(snapshot.user) if snapshot else {},
            dict(snapshot.product) if snapshot else {},
        )

    @classmethod
    def of_record(cls, record: CopyOutcomeRecord) -> ShownContext:
        """From the outcome log: the decision's own trigger and feature snapshot."""
        return cls(
            record.user_id,
            record.product_id,
            record.channel,
            record.locale,
            CopyTrigger(record.trigger),
            record.user_features(),
            record.product_features(),
        )

    def decision_context(self) -> DecisionContext:
        """The context an `AnglePolicy` decides on, from the same logged features."""
        return DecisionContext(
            self.user_id,
            self.product_id,
            self.channel,
            self.locale,
            self.trigger,
            self.user_features,
            self.product_features,
        )


PmfFunction = Callable[[ShownContext], Sequence[float]]
"""A policy as the evaluator sees it: its probability for each angle in `ANGLES` order."""


class ClickModel:
    """Hidden click, cart and purchase probabilities; the oracle; exact policy CTRs."""

    def __init__(
        self,
        population: Population,
        catalog: Sequence[Product],
        config: StorefrontConfig | None = None,
        low_stock_threshold: int = 10,
    ) -> None:
        """`low_stock_threshold` must be the generator's (`settings.copy_rules`), so the angle
        a copy is judged by is the angle the generator wrote."""
        self.population = population
        self.shelf = CatalogShelf.of(catalog)
        self.config = config or StorefrontConfig()
        self._low_stock = low_stock_threshold
        self._facts = lru_cache(maxsize=8_192)(self._make_facts)
        self._rates = lru_cache(maxsize=65_536)(self._make_rates)

    # Who and what
    def shopper(self, user_id: str) -> Shopper:
        shopper = self.population.get(user_id)
        if shopper is None:
            raise UnknownShopperError(
                f"user {user_id!r} is not one of the storefront's {len(self.population.shoppers)} "
                "shoppers; evaluate only decisions made for the population you simulated "
                "(same seed and size)"
            )
        return shopper

    def facts(self, product: Product, locale: Locale) -> ProductFacts:
        return self._facts(product.product_id, locale)

    # Clicks
    def click_probability(
        self,
        shopper: Shopper,
        product: Product,
        channel: Channel,
        requested_angle: Angle,
        locale: Locale | None = None,
    ) -> float:
        """P(click | the copy is shown); `locale` defaults to the shopper's."""
        rates = self._rates(shopper.user_id, product.product_id, channel, locale or shopper.locale)
        return rates[ANGLES.index(Angle(requested_angle))]

    def click_probabilities(self, context: ShownContext) -> tuple[float, ...]:
        """P(click) of each requested angle, in `ANGLES` order."""
        self.shopper(context.user_id)  # a readable error before the cache sees the id
        self.shelf.product(context.product_id)
        return self._rates(context.user_id, context.product_id, context.channel, context.locale)

    def oracle_angle(
        self, shopper: Shopper, product: Product, channel: Channel, locale: Locale | None = None
    ) -> Angle:
        """The angle to ask for with the highest click chance (first in `ANGLES` on ties)."""
        rates = self._rates(shopper.user_id, product.product_id, channel, locale or shopper.locale)
        return ANGLES[rates.index(max(rates))]

    # After a click: the text matters here
    def purchase_probability(
        self, shopper: Shopper, product: Product, text: str, clicked: bool, locale: Locale | None
    ) -> float:
        """P(purchase | click, copy text); 0 without a click (organic purchases are the
        sessions' business). Stating the product's real discount lifts it in proportion to
        the segment's discount taste; a false discount claim cuts it."""
        if not clicked:
            return 0.0
        segment = shopper.segment
        base = segment.purchase_rate
        if not self.shelf.fits(product, segment.price_level):
            base *= self.config.price_mismatch_factor
        claim = discount_claim(text, self.facts(product, locale or shopper.locale))
        if claim is DiscountClaim.REAL:
            base *= 1.0 + self.config.real_discount_lift * segment.discount_taste
        elif claim is DiscountClaim.FALSE:
            base *= self.config.false_discount_factor
        return min(base, 1.0)

    def cart_probability(
        self, shopper: Shopper, product: Product, text: str, clicked: bool, locale: Locale | None
    ) -> float:
        """P(add to cart | click, text): never below the purchase chance (a purchase is carted)."""
        purchase = self.purchase_probability(shopper, product, text, clicked, locale)
        if not clicked:
            return 0.0
        return max(purchase, min(self.config.cart_per_purchase * purchase, 0.9))

    # Policy evaluation
    def policy_ctr(self, contexts: Sequence[ShownContext], pmf: PmfFunction) -> float:
        """The exact expected CTR of a policy over `contexts`: mean over contexts of
        sum over angles of pmf(angle) x P(click | angle)."""
        if not contexts:
            raise ValueError("no contexts to evaluate; pass the logged decisions of a round")
        total = 0.0
        for context in contexts:
            probabilities = pmf(context)
            if len(probabilities) != len(ANGLES):
                raise ValueError(
                    f"the pmf has {len(probabilities)} entries; expected one per angle in "
                    f"policy.decision.ANGLES ({len(ANGLES)})"
                )
            mass = float(sum(probabilities))
            rates = self.click_probabilities(context)
            total += sum(p * r for p, r in zip(probabilities, rates, strict=True)) / mass
        return total / len(contexts)

    def random_ctr(self, contexts: Sequence[ShownContext]) -> float:
        """The CTR of picking each of the ten angles with equal probability."""
        return self.policy_ctr(contexts, _uniform_pmf)

    def oracle_ctr(self, contexts: Sequence[ShownContext]) -> float:
        """The CTR of always asking for the oracle's angle."""
        return self.policy_ctr(contexts, self.oracle_pmf)

    def angle_ctr(self, contexts: Sequence[ShownContext], angle: Angle) -> float:
        """The CTR of always asking for `angle`."""
        index = ANGLES.index(Angle(angle))
        return self.policy_ctr(contexts, lambda _: _one_hot(index))

    def oracle_pmf(self, context: ShownContext) -> tuple[float, ...]:
        rates = self.click_probabilities(context)
        return _one_hot(rates.index(max(rates)))

    def _make_facts(self, product_id: str, locale: Locale) -> ProductFacts:
        return ProductFacts.of(self.shelf.product(product_id), locale, self._low_stock)

    def _make_rates(
        self, user_id: str, product_id: str, channel: Channel, locale: Locale
    ) -> tuple[float, ...]:
        shopper = self.shopper(user_id)
        product = self.shelf.product(product_id)
        facts = self._facts(product_id, locale)
        scale = shopper.clickiness * self._context_factor(shopper, product, channel)
        cap = self.config.max_click_probability
        return tuple(
            min(shopper.segment.angle_ctr[written_angle(angle, facts)] * scale, cap)
            for angle in ANGLES
        )

    def _context_factor(self, shopper: Shopper, product: Product, channel: Channel) -> float:
        """The angle-free part of a click rate: channel, category focus and price fit."""
        segment = shopper.segment
        factor = 1.0 if channel == shopper.channel else self.config.channel_factors[channel]
        if product.category not in segment.focus_categories:
            factor *= self.config.off_focus_factor
        if not self.shelf.fits(product, segment.price_level):
            factor *= self.config.price_mismatch_factor
        return factor


def _uniform_pmf(_: ShownContext) -> tuple[float, ...]:
    return tuple(1.0 / len(ANGLES) for _ in ANGLES)


def _one_hot(index: int) -> tuple[float, ...]:
    return tuple(1.0 if i == index else 0.0 for i in range(len(ANGLES)))
