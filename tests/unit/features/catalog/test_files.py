from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contracts.errors import CatalogError
from contracts.product import LocalizedProduct, Product
from contracts.vocabulary import Locale
from features.catalog import (
    CatalogGenerator,
    CatalogImporter,
    read_catalog_jsonl,
    write_catalog_csv,
    write_catalog_jsonl,
)

_FIXED = settings(
    derandomize=True,
    database=None,
    deadline=None,
    max_examples=40,
    suppress_health_check=[HealthCheck.too_slow],
)
# Any character a shop might type, including quotes, commas, newlines and CJK.
_TEXT_CHARS = st.characters(exclude_categories=["Cs"])


def _text(max_size: int) -> st.SearchStrategy[str]:
    return st.text(_TEXT_CHARS, min_size=1, max_size=max_size).filter(lambda s: s.strip())


@st.composite
def _listings(draw: st.DrawFn) -> LocalizedProduct:
    list_price = draw(st.floats(min_value=0.01, max_value=1_000_000))
    return LocalizedProduct(
        title=draw(_text(60)),
        description=draw(_text(300)),
        currency=draw(st.from_regex(r"[A-Z]{3}", fullmatch=True)),
        price=draw(st.floats(min_value=0.01, max_value=list_price)),
        list_price=list_price,
        attributes=draw(st.dictionaries(_text(20), _text(20), max_size=4)),
    )


@st.composite
def _products(draw: st.DrawFn) -> Product:
    text = {Locale.EN: draw(_listings())}
    if draw(st.booleans()):
        text[Locale.ZH_CN] = draw(_listings())
    return Product(
        product_id=draw(st.from_regex(r"[A-Za-z0-9_.:-]{1,20}", fullmatch=True)),
        brand=draw(_text(40)),
        category=draw(st.from_regex(r"[a-z0-9_]{1,20}", fullmatch=True)),
        rating=draw(st.floats(min_value=0, max_value=5)),
        review_count=draw(st.integers(min_value=0, max_value=10**9)),
        stock=draw(st.integers(min_value=0, max_value=10**6)),
        is_new=draw(st.booleans()),
        free_shipping=draw(st.booleans()),
        text=text,
    )


def _unique_ids(products: list[Product]) -> list[Product]:
    return list({p.product_id: p for p in products}.values())


def _assert_round_trips(products: list[Product]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        jsonl, table = Path(folder) / "c.jsonl", Path(folder) / "c.csv"
        write_catalog_jsonl(products, jsonl)
        write_catalog_csv(products, table)
        assert read_catalog_jsonl(jsonl) == products
        from_csv = CatalogImporter().load(table)
        assert from_csv.bad_rows == []
        assert from_csv.products == products


@_FIXED
@given(st.integers(min_value=0, max_value=2**32), st.integers(min_value=0, max_value=12))
def test_any_generated_catalog_round_trips_through_csv_and_jsonl(seed: int, count: int):
    _assert_round_trips(CatalogGenerator(seed=seed, products=count).generate())


@_FIXED
@given(st.lists(_products(), max_size=5).map(_unique_ids))
def test_any_valid_catalog_round_trips_through_csv_and_jsonl(products: list[Product]):
    _assert_round_trips(products)


def test_writers_create_missing_folders_and_leave_no_partial_file(
    tmp_path: Path, small_catalog: list[Product]
):
    path = tmp_path / "deep" / "er" / "catalog.jsonl"
    write_catalog_jsonl(small_catalog, path)
    assert [p.name for p in path.parent.iterdir()] == ["catalog.jsonl"]
    assert len(path.read_text(encoding="utf-8").splitlines()) == len(small_catalog)


def test_a_failed_write_keeps_the_previous_file(tmp_path: Path, small_catalog: list[Product]):
    path = tmp_path / "catalog.jsonl"
    write_catalog_jsonl(small_catalog, path)
    before = path.read_bytes()

    def broken():
        yield small_catalog[0]
        raise RuntimeError("generator failed half way")

    with pytest.raises(RuntimeError):
        write_catalog_jsonl(broken(), path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["catalog.jsonl"]


def test_read_catalog_jsonl_raises_on_a_bad_row(tmp_path: Path, small_catalog: list[Product]):
    path = tmp_path / "catalog.jsonl"
    write_catalog_jsonl(small_catalog, path)
    with path.open("a", encoding="utf-8") as out:
        out.write('{"product_id": "p9"}\n')
    with pytest.raises(
        CatalogError, match=rf"line {len(small_catalog) + 1}: brand: Field required"
    ):
        read_catalog_jsonl(path)


def test_writing_where_a_folder_stands_raises_catalog_error(
    tmp_path: Path, small_catalog: list[Product]
):
    (tmp_path / "catalog.csv").mkdir()
    with pytest.raises(CatalogError, match="cannot write"):
        write_catalog_csv(small_catalog, tmp_path / "catalog.csv")
