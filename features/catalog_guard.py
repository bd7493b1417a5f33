"""Puts the catalog back into the online store when it went missing (e.g. Redis lost its data).

Without catalog features the stream worker's decider skips every view as `unknown_product`, so
the worker calls `CatalogGuard.check_and_restore()` on a timer, from a thread: it reads a few
sampled products from the online store and, if any is absent, reloads the whole catalog file.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from contracts.logs import get_logger
from contracts.settings import Settings
from features.catalog_features import (
    catalog_product_ids,
    load_catalog_file,
    missing_catalog_products,
)

if TYPE_CHECKING:
    from feast import FeatureStore

log = get_logger(__name__)


@dataclass(frozen=True)
class CatalogGuardReport:
    """One check: how many sampled products were read and missing, and what a reload wrote."""

    sampled: int
    missing: int
    reloaded: bool
    written: int
    """Products written by the reload; 0 when nothing was reloaded."""


def sample_evenly(ids: list[str], size: int) -> list[str]:
    """`size` ids spread evenly over `ids`, always the first and the last; the same ids for the
    same input."""
    if len(ids) <= size:
        return list(ids)
    if size == 1:
        return ids[:1]
    step = (len(ids) - 1) / (size - 1)
    return list(dict.fromkeys(ids[round(i * step)] for i in range(size)))


class CatalogGuard:
    """Checks a deterministic sample of `settings.catalog_file` against the online store and
    reloads the whole file when one is missing.

    Blocking (Feast and file I/O): call it from a thread. Calls are serialised. The store is
    opened on first use unless one is given; it should not be shared with another thread.
    `check_and_restore` raises `CatalogError` when the catalog file is missing or corrupt, and
    the online store's own errors (e.g. Redis unreachable) as they are.
    """

    def __init__(self, settings: Settings, store: FeatureStore | None = None) -> None:
        self._settings = settings
        self._store = store
        self._lock = threading.Lock()
        self._sample: list[str] = []
        self._sampled_version: tuple[Path, int, int] | None = None

    def check_and_restore(self) -> CatalogGuardReport:
        with self._lock:
            store = self._open_store()
            sample = self._sample_ids()
            missing = missing_catalog_products(store, sample)
            if not missing:
                return CatalogGuardReport(len(sample), 0, reloaded=False, written=0)
            written = load_catalog_file(
                self._settings,
                self._settings.catalog_file,
                store=store,
                offline=False,
                progress=False,
            )
            log.warning(
                "catalog_reloaded",
                reason="products missing from the online store",
                sampled=len(sample),
                missing=len(missing),
                first_missing=missing[0],
                written=written,
                online_store=self._settings.feast.online_store,
                feast_project=self._settings.feast.project,
            )
            return CatalogGuardReport(len(sample), len(missing), reloaded=True, written=written)

    def _open_store(self) -> FeatureStore:
        if self._store is None:
            from features.store import open_feature_store

            self._store = open_feature_store(self._settings)
        return self._store

    def _sample_ids(self) -> list[str]:
        """The sample, re-read only when the catalog file changed (size or modification time)."""
        path = self._settings.catalog_file
        try:
            stat = path.stat()
            version: tuple[Path, int, int] | None = (path, stat.st_mtime_ns, stat.st_size)
        except OSError:
            version = None  # catalog_product_ids raises the readable error
        if version is None or version != self._sampled_version:
            ids = catalog_product_ids(path)
            self._sample = sample_evenly(ids, self._settings.catalog.guard_sample)
            self._sampled_version = version
        return self._sample
