"""Product catalog → `product_catalog` online features (and an offline Parquet copy)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from contracts.product import Product
from contracts.vocabulary import Locale
from features.online_writer import write_rows
from features.schema import PRODUCT_CATALOG_VIEW

if TYPE_CHECKING:
    from feast import FeatureStore


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

    def load(self, products: Iterable[Product], offline_path: Path | None = None) -> int:
        from tqdm import tqdm

        rows = {p.product_id: catalog_row(p) for p in products}
        now = time.time()
        keys = list(rows)
        with tqdm(total=len(keys), unit="product", desc="catalog → feast") as bar:
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
