"""Reads online features for a user and a product, as services and tests see them."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from features.schema import (
    PRODUCT_CATALOG_FIELDS,
    PRODUCT_CATALOG_VIEW,
    PRODUCT_POPULARITY_FIELDS,
    PRODUCT_POPULARITY_VIEW,
    USER_ACTIVITY_FIELDS,
    USER_ACTIVITY_VIEW,
)

if TYPE_CHECKING:
    from feast import FeatureStore

USER_FEATURE_REFS = [f"{USER_ACTIVITY_VIEW}:{name}" for name in USER_ACTIVITY_FIELDS]
PRODUCT_FEATURE_REFS = [f"{PRODUCT_POPULARITY_VIEW}:{n}" for n in PRODUCT_POPULARITY_FIELDS] + [
    f"{PRODUCT_CATALOG_VIEW}:{n}" for n in PRODUCT_CATALOG_FIELDS
]


class OnlineFeatureReader:
    """`user()` adds `seconds_since_last_event`, which only makes sense at read time."""

    def __init__(self, store: FeatureStore) -> None:
        self._store = store

    def user(self, user_id: str, now: float | None = None) -> dict[str, Any] | None:
        row = self._read(USER_FEATURE_REFS, {"user_id": user_id})
        if row is None:
            return None
        now = time.time() if now is None else now
        row["seconds_since_last_event"] = max(0.0, now - row["last_event_at"] / 1000)
        return row

    def product(self, product_id: str) -> dict[str, Any] | None:
        return self._read(PRODUCT_FEATURE_REFS, {"product_id": product_id})

    def user_views(self, user_id: str) -> int | None:
        """Cheap probe used by freshness measurements: one feature, no derived values."""
        row = self._read([f"{USER_ACTIVITY_VIEW}:events_total"], {"user_id": user_id})
        return None if row is None else int(row["events_total"])

    def _read(self, refs: list[str], entity: dict[str, str]) -> dict[str, Any] | None:
        """The feature row, or None when the store knows nothing about this entity."""
        result = self._store.get_online_features(features=refs, entity_rows=[entity]).to_dict()
        row = {name: values[0] for name, values in result.items()}
        if all(row.get(ref.split(":", 1)[1]) is None for ref in refs):
            return None
        return row
