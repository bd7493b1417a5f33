"""One catalog and one corpus for the corpus tests, built once with the default seeds."""

from __future__ import annotations

import pytest

from contracts.product import Product
from contracts.settings import CopyRuleSettings
from features.catalog import CatalogGenerator
from training.corpus import CopyCorpusBuilder, CopyExample

SEED = 13
COPIES_PER_ANGLE = 2


@pytest.fixture(scope="session")
def rules() -> CopyRuleSettings:
    return CopyRuleSettings()


@pytest.fixture(scope="session")
def catalog() -> list[Product]:
    return CatalogGenerator(seed=7, products=500).generate()


@pytest.fixture(scope="session")
def corpus(rules: CopyRuleSettings, catalog: list[Product]) -> list[CopyExample]:
    return CopyCorpusBuilder(rules, SEED, COPIES_PER_ANGLE).build(catalog)
