"""The default catalog and population, built once: the simulator is pure, so tests share them."""

from __future__ import annotations

import pytest

from contracts.product import Product
from features.catalog import CatalogGenerator
from simulate.storefront import ClickModel, Population, StorefrontConfig


@pytest.fixture(scope="session")
def catalog() -> list[Product]:
    return CatalogGenerator(seed=7, products=500).generate()


@pytest.fixture(scope="session")
def population(catalog: list[Product]) -> Population:
    return Population.generate(catalog, shoppers=200, seed=7)


@pytest.fixture(scope="session")
def click_model(catalog: list[Product], population: Population) -> ClickModel:
    return ClickModel(population, catalog, StorefrontConfig(), low_stock_threshold=10)
