"""Writes feature rows to the Feast online store from a dedicated process.

Feast's write path is CPU-bound Python (protobuf conversion per value), so it runs in its own
process: it never blocks the caller's event loop and does not compete with it for the GIL.
"""

from __future__ import annotations

import asyncio
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from contracts.settings import Settings
from features.schema import ENTITY_KEY_OF_VIEW

if TYPE_CHECKING:
    from feast import FeatureStore

FeatureRows = dict[str, dict[str, dict[str, Any]]]  # view -> entity key -> feature values

_store: FeatureStore | None = None


def _open_in_child(settings: Settings) -> None:
    global _store
    from features.store import open_feature_store

    _store = open_feature_store(settings)


def write_rows(store: FeatureStore, rows: FeatureRows, timestamps: dict[str, float]) -> int:
    """Write `rows` through Feast's write API; returns the number of entity rows written."""
    import pandas as pd

    written = 0
    for view, by_key in rows.items():
        if not by_key:
            continue
        key_column = ENTITY_KEY_OF_VIEW[view]
        frame = pd.DataFrame.from_records(list(by_key.values()))
        frame[key_column] = list(by_key)
        frame["event_timestamp"] = [
            datetime.fromtimestamp(timestamps.get(key, 0.0), UTC) for key in by_key
        ]
        store.write_to_online_store(view, frame)
        written += len(by_key)
    return written


def _write_in_child(rows: FeatureRows, timestamps: dict[str, float]) -> int:
    assert _store is not None, "writer process was not initialised"
    return write_rows(_store, rows, timestamps)


class OnlineFeatureWriter:
    """Async facade over the writer process; writes are applied in submission order."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._pool = self._new_pool()

    def _new_pool(self) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            max_workers=1,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_open_in_child,
            initargs=(self._settings,),
        )

    async def write(self, rows: FeatureRows, timestamps: dict[str, float]) -> int:
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(self._pool, _write_in_child, rows, timestamps)
        except BrokenProcessPool:
            self._pool = self._new_pool()  # the writer died: start a fresh one, caller retries
            raise

    async def warm_up(self) -> None:
        """Start the process and open the store before the first batch needs it."""
        await self.write({}, {})

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=False)
