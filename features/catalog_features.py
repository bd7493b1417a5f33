"""Product catalog → `product_catalog` online features (and an offline Parquet copy).

`load_catalog_file` is the one way a catalog file reaches the online store: `copystream-features
load`, the demo and the catalog guard all call it. `missing_catalog_products` says which products
the online store does not hold.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contracts.errors import CatalogError
from contracts.product import Product
from contracts.settings import Settings
from contracts.vocabulary import Locale
from features.online_writer import write_rows
from features.schema import PRODUCT_CATALOG_VIEW

if TYPE_CHECKING:
    from feast import FeatureStore

PRESENCE_FEATURE = f"{PRODUCT_CATALOG_VIEW}:title_en"
"""Read to tell whether a product is in the online store: every catalog row has an English title."""


def catalog_row(product: Product) -> dict[str, Any]:
    """Flatten one product into the feature columns of `product_catalog`."""
    en = product.text[Locale.EN]
    zh = product.localized(Locale.ZH_CN)
    return {
        "brand": product.brand,
        "category": product.category,
        "price": en.price,
        "list_price": en.list_price,
        "currency": en.currency,
        "discount_pct": product.discount_pct,
        "rating": product.rating,
        "review_count": product.review_count,
        "stock": product.stock,
        "is_new": product.is_new,
        "free_shipping": product.free_shipping,
        "title_en": en.title,
        "description_en": en.description,
        "title_zh_cn": zh.title,
        "description_zh_cn": zh.description,
        "price_zh_cn": zh.price,
        "list_price_zh_cn": zh.list_price,
        "attributes_json": json.dumps(
            {loc.value: listing.attributes for loc, listing in product.text.items()},
            ensure_ascii=False,
            sort_keys=True,
        ),
    }


class CatalogFeatureLoader:
    """Writes catalog rows in chunks (Feast's write cost grows with rows times features)."""

    def __init__(self, store: FeatureStore, chunk: int = 500) -> None:
        self._store = store
        self._chunk = chunk

    def load(
        self, products: Iterable[Product], offline_path: Path | None = None, progress: bool = True
    ) -> int:
        from tqdm import tqdm

        rows = {p.product_id: catalog_row(p) for p in products}
        now = time.time()
        keys = list(rows)
        with tqdm(
            total=len(keys), unit="product", desc="catalog → feast", disable=not progress
        ) as bar:
            for start in range(0, len(keys), self._chunk):
                part = {k: rows[k] for k in keys[start : start + self._chunk]}
                write_rows(self._store, {PRODUCT_CATALOG_VIEW: part}, dict.fromkeys(part, now))
                bar.update(len(part))
        if offline_path is not None:
            self._write_offline(rows, now, offline_path)
        return len(rows)

    @staticmethod
    def _write_offline(rows: dict[str, dict[str, Any]], ts: float, path: Path) -> None:
        import pandas as pd

        frame = pd.DataFrame.from_records(list(rows.values()))
        frame.insert(0, "product_id", list(rows))
        frame["event_timestamp"] = pd.Timestamp(ts, unit="s", tz="UTC")
        path.parent.mkdir(parents=True, exist_ok=True)
        frame.to_parquet(path, index=False)


def catalog_offline_path(settings: Settings) -> Path:
    """Where the catalog's offline (Parquet) copy is written."""
    return settings.data_dir / "product_catalog.parquet"


def load_catalog_file(
    settings: Settings,
    path: Path | None = None,
    store: FeatureStore | None = None,
    offline: bool = True,
    progress: bool = True,
) -> int:
    """Write every product of the JSONL catalog at `path` (default `settings.catalog_file`) to
    the online store; returns how many were written. Without a `store`, the Feast repo is applied
    first. `offline` also writes the Parquet copy. Raises `CatalogError` when the file is missing
    or corrupt (nothing is written then)."""
    from features.catalog.files import read_catalog_jsonl

    path = settings.catalog_file if path is None else path
    _require_catalog_file(path)
    products = read_catalog_jsonl(path)
    if store is None:
        from features.store import open_feature_store

        store = open_feature_store(settings, apply=True)
    offline_path = catalog_offline_path(settings) if offline else None
    return CatalogFeatureLoader(store).load(products, offline_path, progress=progress)


def catalog_product_ids(path: Path) -> list[str]:
    """The product ids of a JSONL catalog in file order, without validating the products (cheap
    enough to call often). Raises `CatalogError` when the file is missing or a line is not a
    JSON object with a `product_id`."""
    _require_catalog_file(path)
    ids: list[str] = []
    try:
        with path.open("rb") as file:
            for number, line in enumerate(file, start=1):
                if line.strip():
                    ids.append(_product_id_of(line, path, number))
    except OSError as err:
        raise CatalogError(f"cannot read {path}: {err.strerror or err}") from err
    return ids


def missing_catalog_products(
    store: FeatureStore, product_ids: Sequence[str], chunk: int = 500
) -> list[str]:
    """The ids among `product_ids` whose catalog row the online store does not hold, in order."""
    missing: list[str] = []
    for start in range(0, len(product_ids), chunk):
        part = product_ids[start : start + chunk]
        result = store.get_online_features(
            features=[PRESENCE_FEATURE], entity_rows=[{"product_id": pid} for pid in part]
        ).to_dict()
        titles = result[PRESENCE_FEATURE.split(":", 1)[1]]
        missing += [pid for pid, title in zip(part, titles, strict=True) if title is None]
    return missing


def _require_catalog_file(path: Path) -> None:
    if not path.is_file():
        raise CatalogError(
            f"catalog file {path} does not exist; write it with `copystream-catalog generate` "
            "(sample catalog) or `copystream-catalog import FILE` (your own)"
        )


def _product_id_of(line: bytes, path: Path, number: int) -> str:
    try:
        product_id = json.loads(line).get("product_id")
    except (ValueError, AttributeError):
        product_id = None
    if not isinstance(product_id, str) or not product_id:
        raise CatalogError(
            f"{path} line {number}: not a catalog row with a product_id; rewrite it with "
            "`copystream-catalog generate` or `copystream-catalog import`"
        )
    return product_id
