"""Product facts: the ground truth copy must be faithful to."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

from contracts.vocabulary import Locale

Text = Annotated[str, StringConstraints(min_length=1, max_length=2_000, strip_whitespace=True)]
ShortText = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]


class LocalizedProduct(BaseModel):
    """What a shopper in one locale sees: words, currency and prices in that currency."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    title: ShortText
    description: Text
    currency: Annotated[str, StringConstraints(pattern=r"^[A-Z]{3}$")]
    price: Annotated[float, Field(gt=0, le=1_000_000)]
    list_price: Annotated[float, Field(gt=0, le=1_000_000)]
    attributes: dict[ShortText, ShortText] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _price_not_above_list(self) -> LocalizedProduct:
        if self.price > self.list_price + 1e-9:
            raise ValueError(f"price {self.price} is above list_price {self.list_price}")
        return self


class Product(BaseModel):
    """One catalog row. `discount_pct` is derived from price and list price, never typed."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    product_id: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")]
    brand: ShortText
    category: Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]{1,40}$")]
    rating: Annotated[float, Field(ge=0, le=5)]
    review_count: Annotated[int, Field(ge=0)]
    stock: Annotated[int, Field(ge=0)]
    is_new: bool = False
    free_shipping: bool = False
    text: dict[Locale, LocalizedProduct]

    @model_validator(mode="after")
    def _has_english(self) -> Product:
        if Locale.EN not in self.text:
            raise ValueError("text must include the 'en' locale")
        return self

    @property
    def discount_pct(self) -> int:
        """Whole-percent discount of the English listing (the reference locale)."""
        en = self.text[Locale.EN]
        return round(100 * (1 - en.price / en.list_price))

    def localized(self, locale: Locale) -> LocalizedProduct:
        """The listing for `locale`, falling back to English where the shop has no translation."""
        return self.text.get(locale, self.text[Locale.EN])
