from __future__ import annotations

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

from contracts.product import Product
from features.catalog import read_catalog_jsonl
from features.catalog.cli import EXIT_NO_GOOD_ROWS, main
from features.catalog.csv_format import ALL_COLUMNS, product_to_row


@pytest.fixture(autouse=True)
def _isolated_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings read `.env` from the working folder and default to the repo's .cache."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COPYSTREAM_HOME", str(tmp_path / "home"))


def test_generate_writes_the_same_catalog_for_the_same_seed(tmp_path: Path):
    runner = CliRunner()
    for name in ("a.jsonl", "b.jsonl"):
        result = runner.invoke(main, ["generate", "--seed", "4", "--products", "9", "--out", name])
        assert result.exit_code == 0, result.output
        assert "wrote 9 products (seed 4)" in result.output
    assert (tmp_path / "a.jsonl").read_bytes() == (tmp_path / "b.jsonl").read_bytes()
    assert len(read_catalog_jsonl(tmp_path / "a.jsonl")) == 9


def test_generate_defaults_come_from_settings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("COPYSTREAM_CATALOG__PRODUCTS", "5")
    result = CliRunner().invoke(main, ["generate"])
    assert result.exit_code == 0, result.output
    assert len(read_catalog_jsonl(tmp_path / "home" / "data" / "catalog.jsonl")) == 5


def test_generate_writes_a_csv_template_when_asked(tmp_path: Path):
    result = CliRunner().invoke(main, ["generate", "--products", "3", "--out", "template.csv"])
    assert result.exit_code == 0, result.output
    header = (tmp_path / "template.csv").read_text(encoding="utf-8").splitlines()[0]
    assert header.split(",") == list(ALL_COLUMNS)


def test_import_reports_bad_rows_and_saves_the_good_ones(
    tmp_path: Path, small_catalog: list[Product]
):
    rows = [product_to_row(p) for p in small_catalog[:3]]
    rows[1]["price_en"] = "-5"
    source = tmp_path / "shop.csv"
    _write(source, rows)
    result = CliRunner().invoke(main, ["import", str(source), "--out", "out.jsonl"])
    assert result.exit_code == 0, result.output
    assert "1 bad row(s) skipped:" in result.output
    (bad_line,) = [line for line in result.output.splitlines() if "price_en" in line]
    assert bad_line.split(maxsplit=2) == [
        "3",
        small_catalog[1].product_id,
        "price_en: Input should be greater than 0 (got '-5')",
    ]
    assert f"imported 2 of 3 rows from {source}" in result.output
    saved = read_catalog_jsonl(tmp_path / "out.jsonl")
    assert saved == [small_catalog[0], small_catalog[2]]


def test_import_with_no_good_rows_exits_2_and_writes_nothing(
    tmp_path: Path, small_catalog: list[Product]
):
    rows = [product_to_row(p) for p in small_catalog[:2]]
    for row in rows:
        row["title_en"] = ""
    _write(tmp_path / "shop.csv", rows)
    result = CliRunner().invoke(main, ["import", "shop.csv", "--out", "out.jsonl"])
    assert result.exit_code == EXIT_NO_GOOD_ROWS
    assert "no valid rows among 2 in shop.csv; nothing written" in result.output
    assert not (tmp_path / "out.jsonl").exists()


def test_import_of_an_unreadable_file_explains_and_exits_1():
    result = CliRunner().invoke(main, ["import", "missing.csv"])
    assert result.exit_code == 1
    assert "catalog file missing.csv does not exist" in result.output


def _write(path: Path, rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=ALL_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
