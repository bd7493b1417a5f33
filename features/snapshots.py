"""Reads the features a decision is made on, for many (user, product) pairs in two lookups.

A snapshot is what the angle policy saw; it travels with the copy request so the learning loop
trains on exactly those values. Long catalog texts are left out: they are product facts that
serving reads from the catalog, not decision features.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from contracts.copies import FeatureSnapshot, FeatureValue
from features.online_reader import PRODUCT_FEATURE_REFS, USER_FEATURE_REFS
from features.schema import PRODUCT_CATALOG_VIEW

if TYPE_CHECKING:
    from feast import FeatureStore

_CATALOG_TEXTS = ("title_en", "description_en", "title_zh_cn", "description_zh_cn")
_LEFT_OUT = {f"{PRODUCT_CATALOG_VIEW}:{name}" for name in (*_CATALOG_TEXTS, "attributes_json")}
SNAPSHOT_USER_REFS = USER_FEATURE_REFS
SNAPSHOT_PRODUCT_REFS = [ref for ref in PRODUCT_FEATURE_REFS if ref not in _LEFT_OUT]


class FeatureSnapshotReader:
    """Blocking (Feast's online read is synchronous): call it from a worker thread."""

    def __init__(self, store: FeatureStore) -> None:
        self._store = store

    def read(
        self, pairs: Sequence[tuple[str, str]], snapshot_ids: Sequence[str], now: datetime
    ) -> list[FeatureSnapshot]:
        """One snapshot per (user_id, product_id); unknown entities give empty rows."""
        if not pairs:
            return []
        users = self._rows(SNAPSHOT_USER_REFS, "user_id", sorted({u for u, _ in pairs}))
        products = self._rows(SNAPSHOT_PRODUCT_REFS, "product_id", sorted({p for _, p in pairs}))
        return [
            FeatureSnapshot(
                snapshot_id=snapshot_id,
                read_at=now,
                user=users.get(user_id, {}),
                product=products.get(product_id, {}),
            )
            for (user_id, product_id), snapshot_id in zip(pairs, snapshot_ids, strict=True)
        ]

    def _rows(
        self, refs: list[str], key: str, ids: list[str]
    ) -> dict[str, dict[str, FeatureValue]]:
        result = self._store.get_online_features(
            features=refs, entity_rows=[{key: entity} for entity in ids]
        ).to_dict()
        names = [ref.split(":", 1)[1] for ref in refs]
        rows: dict[str, dict[str, FeatureValue]] = {}
        for position, entity in enumerate(ids):
            row = {name: _plain(result[name][position]) for name in names}
            if any(value is not None for value in row.values()):
                rows[entity] = row
        return rows


def _plain(value: Any) -> FeatureValue:
    """JSON-safe feature values (Feast may hand back numpy scalars or tuples)."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    if hasattr(value, "item"):
        plain = value.item()
        return plain if isinstance(plain, bool | int | float | str) else str(plain)
    return str(value)
