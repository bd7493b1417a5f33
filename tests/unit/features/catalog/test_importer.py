from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from contracts.errors import CatalogError
from contracts.product import Product
from contracts.vocabulary import Locale
from features.catalog import BadRow, CatalogImporter, write_catalog_csv, write_catalog_jsonl
from features.catalog.csv_format import ALL_COLUMNS, REQUIRED_COLUMNS, product_to_row

# Line 1 is the header, so product i (0-based) of a written catalog starts on line i + 2.
FIRST_ROW_LINE = 2


def _write_rows(path: Path, rows: list[dict[str, str]], columns: tuple[str, ...] = ALL_COLUMNS):
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def _rows(products: list[Product]) -> list[dict[str, str]]:
    return [product_to_row(product) for product in products]


def _bad_row_at(bad_rows: list[BadRow], line: int) -> BadRow:
    (match,) = [row for row in bad_rows if row.line == line]
    return match


def test_good_csv_round_trips(tmp_path: Path, small_catalog: list[Product]):
    path = tmp_path / "shop.csv"
    write_catalog_csv(small_catalog, path)
    result = CatalogImporter().load(path)
    assert result.products == small_catalog
    assert result.bad_rows == [] and result.ignored_columns == []


def test_good_jsonl_round_trips(tmp_path: Path, small_catalog: list[Product]):
    path = tmp_path / "shop.jsonl"
    write_catalog_jsonl(small_catalog, path)
    result = CatalogImporter().load(path)
    assert result.products == small_catalog and result.bad_rows == []


def test_csv_bad_rows_are_reported_with_line_id_and_reason(
    tmp_path: Path, small_catalog: list[Product]
):
    rows = _rows(small_catalog)
    rows[0]["price_en"] = "-5"
    rows[1]["price_en"], rows[1]["list_price_en"] = "50", "20"
    rows[2]["title_en"] = ""
    rows[3]["attributes_en"] = "color: black"
    rows[4]["product_id"] = rows[6]["product_id"] = "dup1"
    rows[5]["category"] = "Home & Kitchen"
    result = CatalogImporter().load(_write_rows(tmp_path / "shop.csv", rows))

    reasons = {row.line: row.reason for row in result.bad_rows}
    assert reasons[2] == "price_en: Input should be greater than 0 (got '-5')"
    assert reasons[3] == "en listing: price 50.0 is above list_price 20.0"
    assert reasons[4] == "title_en: Field required"
    assert reasons[5].startswith("attributes_en: not valid JSON")
    assert reasons[7].startswith("category: String should match pattern")
    assert "(got 'Home & Kitchen')" in reasons[7]
    assert reasons[8] == "duplicate product_id dup1, first seen on line 6"
    assert _bad_row_at(result.bad_rows, 2).product_id == small_catalog[0].product_id
    assert [p.product_id for p in result.products] == ["dup1", small_catalog[7].product_id]


def test_a_row_lists_every_problem_not_just_the_first(tmp_path: Path, small_catalog: list[Product]):
    rows = _rows(small_catalog[:1])
    rows[0]["rating"], rows[0]["stock"] = "7", "many"
    result = CatalogImporter().load(_write_rows(tmp_path / "shop.csv", rows))
    (bad,) = result.bad_rows
    assert "rating: Input should be less than or equal to 5" in bad.reason
    assert "stock: Input should be a valid integer" in bad.reason


def test_attributes_must_be_a_json_object(tmp_path: Path, small_catalog: list[Product]):
    rows = _rows(small_catalog[:1])
    rows[0]["attributes_zh-CN"] = '["黑色"]'
    (bad,) = CatalogImporter().load(_write_rows(tmp_path / "shop.csv", rows)).bad_rows
    assert bad.reason == (
        'attributes_zh-CN: must be a JSON object like {"color": "black"}; got list'
    )


def test_empty_chinese_columns_mean_no_chinese_listing(
    tmp_path: Path, small_catalog: list[Product]
):
    rows = _rows(small_catalog[:2])
    for column in ALL_COLUMNS:
        if column.endswith("_zh-CN"):
            rows[0][column] = ""
    rows[1]["price_zh-CN"] = ""
    result = CatalogImporter().load(_write_rows(tmp_path / "shop.csv", rows))
    (product,) = result.products
    assert set(product.text) == {Locale.EN}
    assert result.bad_rows == [
        BadRow(3, small_catalog[1].product_id, "price_zh-CN: Field required")
    ]


def test_csv_with_only_required_columns_imports_with_contract_defaults(
    tmp_path: Path, small_catalog: list[Product]
):
    path = _write_rows(tmp_path / "shop.csv", _rows(small_catalog), REQUIRED_COLUMNS)
    products = CatalogImporter().load(path).products
    assert len(products) == len(small_catalog)
    assert all(set(p.text) == {Locale.EN} for p in products)
    assert not any(p.is_new or p.free_shipping or p.text[Locale.EN].attributes for p in products)


def test_line_numbers_count_quoted_multiline_cells(tmp_path: Path, small_catalog: list[Product]):
    rows = _rows(small_catalog[:2])
    rows[0]["description_en"] = "First line.\nSecond line.\nThird line."
    rows[1]["stock"] = "-1"
    result = CatalogImporter().load(_write_rows(tmp_path / "shop.csv", rows))
    assert result.products[0].text[Locale.EN].description.count("\n") == 2
    assert [row.line for row in result.bad_rows] == [5]


def test_row_with_wrong_cell_count_is_a_bad_row(tmp_path: Path):
    path = tmp_path / "shop.csv"
    path.write_text(",".join(REQUIRED_COLUMNS) + "\np1,Brand,apparel\n", encoding="utf-8")
    (bad,) = CatalogImporter().load(path).bad_rows
    assert (bad.line, bad.product_id) == (2, "p1")
    assert bad.reason.startswith(f"row has 3 cells but the header has {len(REQUIRED_COLUMNS)}")


def test_unknown_columns_are_ignored_and_reported(tmp_path: Path, small_catalog: list[Product]):
    rows = [{**row, "sku": "X-1"} for row in _rows(small_catalog[:1])]
    result = CatalogImporter().load(_write_rows(tmp_path / "s.csv", rows, (*ALL_COLUMNS, "sku")))
    assert len(result.products) == 1 and result.ignored_columns == ["sku"]


def test_excel_byte_order_mark_is_accepted(tmp_path: Path, small_catalog: list[Product]):
    path = tmp_path / "excel.csv"
    write_catalog_csv(small_catalog[:2], path)
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert CatalogImporter().load(path).products == small_catalog[:2]


def test_jsonl_bad_lines_are_reported_and_blank_lines_skipped(
    tmp_path: Path, small_catalog: list[Product]
):
    good = [p.model_dump(mode="json") for p in small_catalog[:3]]
    good[1]["text"]["en"]["price"] = -1
    lines = [
        json.dumps(good[0]),
        "",
        "{not json",
        "[1, 2]",
        json.dumps(good[1]),
        json.dumps(good[2]),
        json.dumps(good[0]),
    ]
    path = tmp_path / "shop.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CatalogImporter().load(path)
    assert [p.product_id for p in result.products] == [good[0]["product_id"], good[2]["product_id"]]
    reasons = {row.line: row.reason for row in result.bad_rows}
    assert reasons[3].startswith("not valid JSON")
    assert reasons[4] == "expected a JSON object (one product per line); got list"
    assert reasons[5] == "text.en.price: Input should be greater than 0 (got -1)"
    assert reasons[7] == f"duplicate product_id {good[0]['product_id']}, first seen on line 1"
    assert _bad_row_at(result.bad_rows, 5).product_id == good[1]["product_id"]


def test_missing_file_raises_catalog_error(tmp_path: Path):
    with pytest.raises(CatalogError, match="does not exist; check the path"):
        CatalogImporter().load(tmp_path / "nope.csv")


def test_unknown_extension_raises_and_names_the_supported_formats(tmp_path: Path):
    path = tmp_path / "shop.xlsx"
    path.write_bytes(b"PK")
    with pytest.raises(CatalogError, match=r"unknown file type '\.xlsx'; expected \.csv"):
        CatalogImporter().load(path)


def test_csv_missing_required_columns_raises_and_lists_them(tmp_path: Path):
    path = tmp_path / "shop.csv"
    columns = [c for c in REQUIRED_COLUMNS if c not in ("brand", "price_en")]
    path.write_text(",".join(columns) + "\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="missing required column\\(s\\) brand, price_en;"):
        CatalogImporter().load(path)


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "has no header"), (b"\xff\xfe\x00", "is not UTF-8 text")],
)
def test_unreadable_csv_raises_with_a_fix(tmp_path: Path, content: bytes, message: str):
    path = tmp_path / "shop.csv"
    path.write_bytes(content)
    with pytest.raises(CatalogError, match=message):
        CatalogImporter().load(path)


def test_folder_instead_of_file_raises(tmp_path: Path):
    folder = tmp_path / "catalog.jsonl"
    folder.mkdir()
    with pytest.raises(CatalogError, match="is a folder"):
        CatalogImporter().load(folder)


def test_csv_naming_a_column_twice_raises(tmp_path: Path):
    path = tmp_path / "shop.csv"
    path.write_text(",".join((*REQUIRED_COLUMNS, "brand")) + "\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="names column\\(s\\) brand more than once"):
        CatalogImporter().load(path)
