"""The Feast repo applies from a clean checkout and the catalog lands in both online stores."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from contracts.settings import Settings
from contracts.vocabulary import Locale
from features.catalog import CatalogGenerator
from features.catalog_features import CatalogFeatureLoader
from features.online_reader import OnlineFeatureReader
from features.store import REPO_DIR, open_feature_store

pytestmark = pytest.mark.integration


def test_feast_apply_cli_works_on_the_committed_repo(tmp_path: Path) -> None:
    """`feast apply` from the repo folder, as a user would run it (paths are repo-relative)."""
    repo = tmp_path / "features" / "repo"
    shutil.copytree(REPO_DIR, repo, ignore=shutil.ignore_patterns("__pycache__", "data"))
    feast = Path(sys.executable).with_name("feast")
    result = subprocess.run(
        [str(feast), "apply"], cwd=repo, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "user_activity" in result.stdout
    assert (repo / "data" / "registry.db").exists()


def test_catalog_loads_into_the_online_store_with_both_locales(settings: Settings) -> None:
    store = open_feature_store(settings, apply=True)
    catalog = CatalogGenerator(seed=3, products=40).generate()
    offline = settings.data_dir / "catalog.parquet"
    assert CatalogFeatureLoader(store, chunk=16).load(catalog, offline) == 40
    reader = OnlineFeatureReader(store)
    for product in catalog[:5]:
        row = reader.product(product.product_id)
        assert row is not None
        en, zh = product.text[Locale.EN], product.localized(Locale.ZH_CN)
        assert (row["title_en"], row["title_zh_cn"]) == (en.title, zh.title)
        assert (row["price"], row["price_zh_cn"]) == (en.price, zh.price)
        assert row["discount_pct"] == product.discount_pct
        assert row["brand"] == product.brand
    assert reader.product("no-such-product") is None
    assert offline.stat().st_size > 0
