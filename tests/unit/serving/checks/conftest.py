"""One catalog, one lexicon and one checker for the check tests, made once with fixed seeds."""

from __future__ import annotations

from typing import Any

import pytest

from contracts.product import Product
from contracts.settings import CopyRuleSettings
from contracts.vocabulary import Angle, Channel, Locale
from features.catalog.categories import taxonomy_product_nouns
from features.catalog.generator import CatalogGenerator
from serving.checks import CopyChecker, FactLexicon, FaithfulnessChecker
from serving.facts import ProductFacts
from serving.prompting import CopyBrief

RULES = CopyRuleSettings()


@pytest.fixture(scope="session")
def catalog() -> list[Product]:
    return CatalogGenerator(7, 500).generate()


@pytest.fixture(scope="session")
def lexicon(catalog: list[Product]) -> FactLexicon:
    return FactLexicon.from_products(catalog, product_nouns=taxonomy_product_nouns())


@pytest.fixture(scope="session")
def faithfulness(lexicon: FactLexicon) -> FaithfulnessChecker:
    return FaithfulnessChecker(lexicon)


@pytest.fixture(scope="session")
def checker(catalog: list[Product]) -> CopyChecker:
    return CopyChecker.from_rules(RULES, catalog)


@pytest.fixture(scope="session")
def headphones(catalog: list[Product]) -> Product:
    """p00001: Nexiwave headphones, black, 40 hours, IPX5; $183.99 (was $229.99, 20% off),
    ¥1325 (was ¥1656, 8折); rating 4.6. Stock and reviews are set here: 200 in stock (not
    scarce), 1,234 reviews; not new, no free shipping."""
    product = catalog[0]
    assert product.product_id == "p00001" and product.brand == "Nexiwave"
    return product.model_copy(update={"stock": 200, "review_count": 1234})


@pytest.fixture(scope="session")
def jacket(catalog: list[Product]) -> Product:
    """p00002: Vellora rain jacket, olive green, recycled nylon, size M; not discounted."""
    product = catalog[1]
    assert product.product_id == "p00002" and product.discount_pct == 0
    return product


def facts_of(product: Product, locale: Locale, **update: Any) -> ProductFacts:
    facts = ProductFacts.of(product, locale, RULES.low_stock_threshold)
    return facts if not update else ProductFacts(**{**facts.__dict__, **update})


def brief_of(
    product: Product, locale: Locale, channel: Channel = Channel.WEB, angle: Angle = Angle.VALUE
) -> CopyBrief:
    return CopyBrief(facts_of(product, locale), channel, angle)
