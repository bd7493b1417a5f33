"""The product catalog: a deterministic generator, an importer for a shop's own files, file I/O."""

from features.catalog.files import (
    load_catalog,
    read_catalog_jsonl,
    write_catalog_csv,
    write_catalog_jsonl,
)
from features.catalog.generator import CatalogGenerator
from features.catalog.importer import BadRow, CatalogImport, CatalogImporter

__all__ = [
    "BadRow",
    "CatalogGenerator",
    "CatalogImport",
    "CatalogImporter",
    "load_catalog",
    "read_catalog_jsonl",
    "write_catalog_csv",
    "write_catalog_jsonl",
]
