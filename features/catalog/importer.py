"""Loads a shop's own catalog from CSV or JSONL, keeping every good row and explaining the rest.

A bad row never stops an import: it is reported as a `BadRow` (line, product id, reason). Only a
file that cannot be read at all raises `CatalogError`, with what to do about it.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from contracts.errors import CatalogError
from contracts.product import Product
from features.catalog.csv_format import (
    ALL_COLUMNS,
    REQUIRED_COLUMNS,
    column_for,
    row_to_payload,
)

if TYPE_CHECKING:
    from _csv import Reader as CsvReader

Location = tuple[int | str, ...]
_TEMPLATE_HINT = "`copystream-catalog generate --products 3 --out template.csv` writes a template"


@dataclass(frozen=True)
class BadRow:
    """A skipped row: its 1-based line in the file (a CSV header is line 1), id and why."""

    line: int
    product_id: str | None
    reason: str


@dataclass(frozen=True)
class CatalogImport:
    """Good products in file order, the skipped rows, and CSV columns that were not used."""

    products: list[Product]
    bad_rows: list[BadRow]
    ignored_columns: list[str] = field(default_factory=list)


RowOutcome = tuple[int, Product | BadRow]


class CatalogImporter:
    """Reads `.csv` and `.jsonl` catalogs (UTF-8) into validated `Product`s.

    A JSONL line is one `Product.model_dump(mode="json")` object; the CSV layout is described in
    `features.catalog.csv_format`. A product id seen twice keeps its first row.
    """

    def load(self, path: Path | str) -> CatalogImport:
        """Import `path`, choosing the format by its extension."""
        path = Path(path)
        suffix = path.suffix.lower()
        if suffix == ".csv":
            return self.load_csv(path)
        if suffix == ".jsonl":
            return self.load_jsonl(path)
        raise CatalogError(
            f"cannot import {path}: unknown file type {suffix or '(no extension)'!r}; expected "
            ".csv (one product per row, header on line 1) or .jsonl (one product JSON per line)"
        )

    def load_csv(self, path: Path | str) -> CatalogImport:
        path = Path(path)
        reader = csv.reader(io.StringIO(_read_text(path), newline=""))
        header = _read_header(path, reader)
        ignored = [name for name in header if name and name not in ALL_COLUMNS]
        return _collect(_csv_rows(path, reader, header), ignored)

    def load_jsonl(self, path: Path | str) -> CatalogImport:
        return _collect(_jsonl_rows(_read_text(Path(path))), [])


def _read_text(path: Path) -> str:
    """The whole file as text; every way it can fail becomes a CatalogError saying what to do."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as file:
            return file.read()
    except FileNotFoundError as err:
        raise CatalogError(f"catalog file {path} does not exist; check the path") from err
    except IsADirectoryError as err:
        raise CatalogError(f"{path} is a folder; pass the catalog file itself") from err
    except PermissionError as err:
        raise CatalogError(f"cannot read {path}: permission denied; check its permissions") from err
    except UnicodeDecodeError as err:
        raise CatalogError(
            f"{path} is not UTF-8 text (byte {err.start}: {err.reason}); save it as UTF-8 "
            "(in Excel: File > Save As > 'CSV UTF-8')"
        ) from err
    except OSError as err:
        raise CatalogError(f"cannot read {path}: {err.strerror or err}") from err


def _read_header(path: Path, reader: CsvReader) -> list[str]:
    header = [name.strip() for name in next(reader, [])]
    if not any(header):
        raise CatalogError(
            f"{path} has no header; line 1 must name the columns, at least: "
            f"{','.join(REQUIRED_COLUMNS)} ({_TEMPLATE_HINT})"
        )
    missing = [name for name in REQUIRED_COLUMNS if name not in header]
    if missing:
        raise CatalogError(
            f"{path} is missing required column(s) {', '.join(missing)}; add them to the header "
            f"on line 1 ({_TEMPLATE_HINT})"
        )
    repeated = sorted({name for name in header if name and header.count(name) > 1})
    if repeated:
        raise CatalogError(
            f"{path} names column(s) {', '.join(repeated)} more than once; keep one of each"
        )
    return header


def _csv_rows(path: Path, reader: CsvReader, header: list[str]) -> Iterator[RowOutcome]:
    """Each non-blank record with the line it starts on (quoted cells may span lines)."""
    while True:
        line = reader.line_num + 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            raise CatalogError(f"{path} line {line}: {err}; fix the quoting there") from err
        if any(cell.strip() for cell in cells):
            yield line, _csv_row(line, header, cells)


def _csv_row(line: int, header: list[str], cells: list[str]) -> Product | BadRow:
    row = dict(zip(header, cells, strict=False))
    product_id = row.get("product_id", "").strip() or None
    if len(cells) != len(header):
        return BadRow(
            line,
            product_id,
            f"row has {len(cells)} cells but the header has {len(header)} columns; "
            "put cells that contain commas in double quotes",
        )
    payload, problems = row_to_payload(row)
    return _validate(payload, line, product_id, column_for, problems)


def _jsonl_rows(text: str) -> Iterator[RowOutcome]:
    for line, raw in enumerate(text.split("\n"), start=1):
        if raw.strip():
            yield line, _jsonl_row(line, raw)


def _jsonl_row(line: int, raw: str) -> Product | BadRow:
    try:
        value = json.loads(raw)
    except json.JSONDecodeError as err:
        return BadRow(line, None, f"not valid JSON ({err.msg} at character {err.pos})")
    if not isinstance(value, dict):
        kind = type(value).__name__
        return BadRow(line, None, f"expected a JSON object (one product per line); got {kind}")
    product_id = value.get("product_id")
    product_id = product_id if isinstance(product_id, str) else None
    return _validate(value, line, product_id, _dotted)


def _validate(
    payload: dict[str, object],
    line: int,
    product_id: str | None,
    name: Callable[[Location], str],
    problems: list[str] | None = None,
) -> Product | BadRow:
    """A Product, or a BadRow listing every problem found in the row (not just the first)."""
    reasons = list(problems or [])
    try:
        product = Product.model_validate(payload)
    except ValidationError as err:
        reasons += [_reason(error, name) for error in err.errors()]
    if reasons:
        return BadRow(line, product_id, "; ".join(reasons))
    return product


def _reason(error: ErrorDetails, name: Callable[[Location], str]) -> str:
    """`price_en: Input should be greater than 0 (got -5)`: field, rule, and the offending value."""
    message = error["msg"].removeprefix("Value error, ")
    value = error.get("input")
    shown = isinstance(value, str | int | float) and len(str(value)) <= 60
    got = f" (got {value!r})" if shown and error["type"] != "missing" else ""
    return f"{name(error['loc'])}: {message}{got}"


def _dotted(location: Location) -> str:
    return ".".join(map(str, location)) or "row"


def _collect(rows: Iterator[RowOutcome], ignored_columns: list[str]) -> CatalogImport:
    """Split outcomes into products and bad rows; a repeated product id is a bad row."""
    products: list[Product] = []
    bad_rows: list[BadRow] = []
    first_seen: dict[str, int] = {}
    for line, outcome in rows:
        if isinstance(outcome, BadRow):
            bad_rows.append(outcome)
            continue
        product_id = outcome.product_id
        if product_id in first_seen:
            reason = (
                f"duplicate product_id {product_id}, first seen on line {first_seen[product_id]}"
            )
            bad_rows.append(BadRow(line, product_id, reason))
            continue
        first_seen[product_id] = line
        products.append(outcome)
    return CatalogImport(products=products, bad_rows=bad_rows, ignored_columns=ignored_columns)
