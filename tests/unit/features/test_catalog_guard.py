"""The catalog guard reads a fixed sample of the catalog from the online store and reloads the
whole catalog only when one of them is missing. The store here is a fake with Feast's two calls."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contracts.errors import CatalogError
from contracts.product import Product
from contracts.settings import Settings
from features.catalog import CatalogGenerator, write_catalog_jsonl
from features.catalog_features import catalog_product_ids, missing_catalog_products
from features.catalog_guard import CatalogGuard, sample_evenly


class _Response:
    def __init__(self, columns: dict[str, list[Any]]) -> None:
        self._columns = columns

    def to_dict(self) -> dict[str, list[Any]]:
        return self._columns


class FakeOnlineStore:
    """Holds `product_id -> title_en` for the catalog view; counts reads and written rows."""

    def __init__(self) -> None:
        self.titles: dict[str, str] = {}
        self.reads = 0
        self.written = 0

    def get_online_features(self, features: list[str], entity_rows: list[dict[str, str]]) -> Any:
        assert features == ["product_catalog:title_en"]
        self.reads += 1
        ids = [row["product_id"] for row in entity_rows]
        return _Response({"product_id": ids, "title_en": [self.titles.get(i) for i in ids]})

    def write_to_online_store(self, view: str, frame: Any) -> None:
        assert view == "product_catalog"
        self.titles.update(zip(frame["product_id"], frame["title_en"], strict=True))
        self.written += len(frame)


@pytest.fixture(scope="module")
def catalog() -> list[Product]:
    return CatalogGenerator(seed=3, products=20).generate()


@pytest.fixture
def settings(tmp_path: Path, catalog: list[Product]) -> Settings:
    settings = Settings(home=tmp_path, catalog={"guard_sample": 4})
    write_catalog_jsonl(catalog, settings.catalog_file)
    return settings


def loaded_store(catalog: list[Product]) -> FakeOnlineStore:
    store = FakeOnlineStore()
    store.titles = {p.product_id: "title" for p in catalog}
    return store


def test_a_complete_catalog_is_left_alone(settings: Settings, catalog: list[Product]) -> None:
    store = loaded_store(catalog)
    report = CatalogGuard(settings, store).check_and_restore()  # type: ignore[arg-type]
    assert (report.sampled, report.missing, report.reloaded, report.written) == (4, 0, False, 0)
    assert store.written == 0


def test_a_lost_catalog_is_reloaded_whole(settings: Settings, catalog: list[Product]) -> None:
    store = FakeOnlineStore()
    guard = CatalogGuard(settings, store)  # type: ignore[arg-type]
    report = guard.check_and_restore()
    assert (report.sampled, report.missing, report.reloaded, report.written) == (4, 4, True, 20)
    assert set(store.titles) == {p.product_id for p in catalog}
    assert not guard.check_and_restore().reloaded


def test_one_missing_sampled_product_reloads_the_catalog(
    settings: Settings, catalog: list[Product]
) -> None:
    store = loaded_store(catalog)
    del store.titles[catalog[-1].product_id]  # the last product is always sampled
    report = CatalogGuard(settings, store).check_and_restore()  # type: ignore[arg-type]
    assert (report.missing, report.reloaded, report.written) == (1, True, 20)


def test_a_rewritten_catalog_file_is_sampled_again(
    settings: Settings, catalog: list[Product]
) -> None:
    store = loaded_store(catalog)
    guard = CatalogGuard(settings, store)  # type: ignore[arg-type]
    assert not guard.check_and_restore().reloaded
    write_catalog_jsonl(catalog[:5], settings.catalog_file)
    os.utime(settings.catalog_file, ns=(1, 1))  # a new version even within the clock's tick
    store.titles.clear()
    report = guard.check_and_restore()
    assert (report.sampled, report.written) == (4, 5)


def test_a_missing_catalog_file_says_what_to_run(tmp_path: Path) -> None:
    guard = CatalogGuard(Settings(home=tmp_path), FakeOnlineStore())  # type: ignore[arg-type]
    with pytest.raises(CatalogError, match="copystream-catalog generate"):
        guard.check_and_restore()


def test_a_line_without_product_id_is_named(tmp_path: Path) -> None:
    path = tmp_path / "catalog.jsonl"
    path.write_text('{"product_id": "p1"}\n\n[1, 2]\n', encoding="utf-8")
    with pytest.raises(CatalogError, match="line 3"):
        catalog_product_ids(path)


def test_missing_products_are_read_in_chunks_and_keep_their_order() -> None:
    store = FakeOnlineStore()
    store.titles = {"p2": "t", "p4": "t"}
    ids = ["p1", "p2", "p3", "p4", "p5"]
    assert missing_catalog_products(store, ids, chunk=2) == ["p1", "p3", "p5"]  # type: ignore[arg-type]
    assert store.reads == 3


@given(st.lists(st.text(min_size=1), unique=True, max_size=60), st.integers(1, 12))
def test_the_sample_is_deterministic_bounded_and_spans_the_catalog(
    ids: list[str], size: int
) -> None:
    sample = sample_evenly(ids, size)
    assert sample == sample_evenly(ids, size)
    assert len(sample) == min(len(ids), size)
    assert set(sample) <= set(ids)
    if ids:
        assert sample[0] == ids[0]
    if ids and size > 1:
        assert sample[-1] == ids[-1]
