"""Catalog files Copystream writes and reads itself: JSONL (the canonical copy) and CSV.

Writes go to a temporary file that is renamed into place, so a reader never sees half a catalog.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from contracts.errors import CatalogError
from contracts.product import Product
from contracts.settings import Settings
from features.catalog.csv_format import ALL_COLUMNS, product_to_row
from features.catalog.importer import CatalogImporter


def load_catalog(settings: Settings) -> list[Product]:
    """The shop's catalog file when there is one, else the seeded sample catalog."""
    if settings.catalog_file.is_file():
        return read_catalog_jsonl(settings.catalog_file)
    from features.catalog.generator import CatalogGenerator

    return CatalogGenerator(settings.catalog.seed, settings.catalog.products).generate()


def write_catalog_jsonl(products: Iterable[Product], path: Path | str) -> None:
    """One `Product.model_dump(mode="json")` object per line, UTF-8, in the given order."""
    with _replacing(Path(path)) as out:
        for product in products:
            out.write(product.model_dump_json() + "\n")


def write_catalog_csv(products: Iterable[Product], path: Path | str) -> None:
    """The flat CSV layout `CatalogImporter` reads; doubles as a template for a shop's own file."""
    with _replacing(Path(path)) as out:
        writer = csv.DictWriter(out, fieldnames=ALL_COLUMNS)
        writer.writeheader()
        writer.writerows(product_to_row(product) for product in products)


def read_catalog_jsonl(path: Path | str) -> list[Product]:
    """Every product of a catalog this project wrote; a bad row raises, as it means corruption."""
    result = CatalogImporter().load_jsonl(path)
    if result.bad_rows:
        first = result.bad_rows[0]
        raise CatalogError(
            f"{path} line {first.line}: {first.reason} ({len(result.bad_rows)} bad row(s) in "
            "all); rewrite it with `copystream-catalog generate` or `copystream-catalog import`"
        )
    return result.products


@contextmanager
def _replacing(path: Path) -> Iterator[TextIO]:
    """A text file that replaces `path` only once everything was written without error."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with partial.open("w", encoding="utf-8", newline="") as out:
            yield out
        partial.replace(path)
    except OSError as err:
        raise CatalogError(
            f"cannot write {path}: {err.strerror or err}; choose another path"
        ) from err
    finally:
        partial.unlink(missing_ok=True)
