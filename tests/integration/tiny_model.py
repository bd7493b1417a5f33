"""A tiny bootstrap model trained once per test session (seconds, not minutes), shared by
every integration folder through the package conftest.

It is far too small to write good copy, which is the point for the fallback tests: what it
writes is checked like any model's, and whatever reaches a shopper must still pass.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from contracts.product import Product
from contracts.settings import Settings
from features.catalog.generator import CatalogGenerator
from training.bootstrap import BootstrapResult, build_bootstrap_model

TINY_TRAINING = {
    "n_layer": 2,
    "n_head": 2,
    "n_embd": 64,
    "vocab_size": 700,
    "max_sequence": 256,
    "batch_size": 16,
    "copies_per_angle": 1,
    "eval_every": 40,
    "max_steps": 120,
}


def tiny_settings(home: Path, **training: object) -> Settings:
    return Settings(home=home, training={**TINY_TRAINING, **training}, catalog={"products": 24})


@pytest.fixture(scope="session")
def tiny_catalog() -> list[Product]:
    return CatalogGenerator(seed=7, products=24).generate()


@pytest.fixture(scope="session")
def tiny_settings_home(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return tiny_settings(tmp_path_factory.mktemp("tiny-model-home"))


@pytest.fixture(scope="session")
def tiny_model(tiny_settings_home: Settings, tiny_catalog: list[Product]) -> BootstrapResult:
    return build_bootstrap_model(tiny_settings_home, products=tiny_catalog, progress=False)
