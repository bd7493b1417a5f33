"""The facts one copy may state about one product, in one locale, formatted as shoppers read them.

Prompts, reference copies, templates and the faithfulness checker all format numbers through
this module, so a price the model learned to copy is the same string the checker accepts.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from contracts.product import Product
from contracts.vocabulary import Locale
from features.catalog.pricing import whole_percent_off

CURRENCY_SYMBOLS: dict[str, str] = {"USD": "$", "CNY": "¥", "EUR": "€", "GBP": "£", "JPY": "¥"}


class PriceBand(StrEnum):
    """Coarse price level of a product (from its English listing, in USD)."""

    BUDGET = "budget"
    MID = "mid"
    PREMIUM = "premium"
    LUXURY = "luxury"


_BAND_UPPER_USD: tuple[tuple[float, PriceBand], ...] = (
    (20.0, PriceBand.BUDGET),
    (75.0, PriceBand.MID),
    (250.0, PriceBand.PREMIUM),
)


def price_band(usd_price: float) -> PriceBand:
    for upper, band in _BAND_UPPER_USD:
        if usd_price < upper:
            return band
    return PriceBand.LUXURY


def format_amount(amount: float, currency: str) -> str:
    """`$1,299.99`, `¥1325`, `¥29.9`: two decimals unless the amount is whole (CNY shelf style)."""
    symbol = CURRENCY_SYMBOLS.get(currency, f"{currency} ")
    if currency == "USD":
        return f"{symbol}{amount:,.2f}"
    if abs(amount - round(amount)) < 1e-9:
        return f"{symbol}{round(amount)}"
    return f"{symbol}{amount:.2f}".rstrip("0")


@dataclass(frozen=True)
class ProductFacts:
    """What is true of a product for a shopper in `locale` (prices in that locale's currency)."""

    product_id: str
    locale: Locale
    brand: str
    category: str
    title: str
    description: str
    attributes: dict[str, str]
    currency: str
    price: float
    list_price: float
    discount_pct: int
    rating: float
    review_count: int
    stock: int
    is_new: bool
    free_shipping: bool
    low_stock: bool
    band: PriceBand

    @classmethod
    def of(cls, product: Product, locale: Locale, low_stock_threshold: int) -> ProductFacts:
        listing = product.localized(locale)
        return cls(
            product_id=product.product_id,
            locale=locale,
            brand=product.brand,
            category=product.category,
            title=listing.title,
            description=listing.description,
            attributes=dict(listing.attributes),
            currency=listing.currency,
            price=listing.price,
            list_price=listing.list_price,
            discount_pct=whole_percent_off(listing.price, listing.list_price),
            rating=product.rating,
            review_count=product.review_count,
            stock=product.stock,
            is_new=product.is_new,
            free_shipping=product.free_shipping,
            low_stock=0 < product.stock <= low_stock_threshold,
            band=price_band(product.localized(Locale.EN).price),
        )

    @property
    def discounted(self) -> bool:
        return self.discount_pct >= 1

    @property
    def savings(self) -> float:
        return round(self.list_price - self.price, 2)

    @property
    def price_text(self) -> str:
        return format_amount(self.price, self.currency)

    @property
    def list_price_text(self) -> str:
        return format_amount(self.list_price, self.currency)

    @property
    def savings_text(self) -> str:
        return format_amount(self.savings, self.currency)

    @property
    def rating_text(self) -> str:
        return f"{self.rating:.1f}"

    @property
    def zhe_text(self) -> str:
        """The Chinese way to state a discount: 20% off is 8折, 25% off is 7.5折."""
        tenths = (100 - self.discount_pct) / 10
        return f"{tenths:g}折"
