"""Shared catalogs for the catalog tests, made once with fixed seeds."""

from __future__ import annotations

import pytest

from contracts.product import Product
from features.catalog import CatalogGenerator


@pytest.fixture(scope="session")
def catalog_500() -> list[Product]:
    return CatalogGenerator(seed=7, products=500).generate()


@pytest.fixture(scope="session")
def small_catalog() -> list[Product]:
    return CatalogGenerator(seed=3, products=8).generate()
