"""Coalesces feature rows of consecutive micro-batches and acks events once rows are stored.

While one write is in flight, newer rows for the same entity replace older ones, so the online
store sees at most one write per entity per flush however fast events arrive. Events are acked
(made committable) only after the write that covers them succeeded and the Kafka records the
batch produced (state changelog, product activity) are delivered: at-least-once into the online
store. A failed write is retried with back-off; nothing is acked meanwhile. A failed delivery
is fatal: the worker stops without committing, and a restart re-processes the batch.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from contracts.logs import get_logger
from features.online_writer import FeatureRows
from streams import metrics

Ack = Callable[[], Any]
RowWriter = Callable[[FeatureRows, dict[str, float]], Awaitable[int]]

log = get_logger(__name__)


class CoalescingFeatureSink:
    def __init__(self, write: RowWriter, max_pending_events: int = 50_000) -> None:
        self._write = write
        self._max_pending = max_pending_events
        self._rows: FeatureRows = {}
        self._timestamps: dict[str, float] = {}
        self._acks: list[tuple[Ack, float]] = []  # (ack, kafka timestamp)
        self._deliveries: list[asyncio.Future[Any]] = []
        self._wake = asyncio.Event()
        self._idle = asyncio.Event()
        self._idle.set()
        self._room = asyncio.Event()
        self._room.set()

    async def submit(
        self,
        view: str,
        rows: dict[str, dict[str, Any]],
        timestamps: dict[str, float],
        acks: Sequence[tuple[Ack, float]],
        deliveries: Sequence[asyncio.Future[Any]] = (),
    ) -> None:
        """Queue rows (latest per entity wins) and the acks to run once they are stored."""
        while len(self._acks) >= self._max_pending:
            self._room.clear()
            await self._room.wait()
        self._rows.setdefault(view, {}).update(rows)
        self._timestamps.update(timestamps)
        self._acks.extend(acks)
        self._deliveries.extend(deliveries)
        self._idle.clear()
        self._wake.set()

    async def drained(self) -> None:
        await self._idle.wait()

    async def run(self) -> None:
        """The write loop; runs for the life of the worker."""
        backoff = 0.1
        while True:
            await self._wake.wait()
            self._wake.clear()
            if not self._acks and not self._rows:
                self._idle.set()
                continue
            rows, timestamps, acks = self._rows, self._timestamps, self._acks
            deliveries, self._deliveries = self._deliveries, []
            self._rows, self._timestamps, self._acks = {}, {}, []
            started = time.perf_counter()
            try:
                await self._write(rows, timestamps)
            except Exception as exc:  # any store failure: keep everything, retry later
                log.error("feature_write_failed", error=repr(exc), retry_in_s=backoff)
                self._requeue(rows, timestamps, acks)
                self._deliveries = deliveries + self._deliveries
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
                self._wake.set()
                continue
            backoff = 0.1
            await asyncio.gather(*deliveries)  # raises: crash without committing (see above)
            self._after_write(rows, acks, time.perf_counter() - started)
            self._room.set()
            if self._acks or self._rows:
                self._wake.set()
            else:
                self._idle.set()

    def _requeue(
        self, rows: FeatureRows, timestamps: dict[str, float], acks: list[tuple[Ack, float]]
    ) -> None:
        for view, by_key in rows.items():
            newer = self._rows.get(view, {})
            self._rows[view] = {**by_key, **newer}
        self._timestamps = {**timestamps, **self._timestamps}
        self._acks = acks + self._acks

    def _after_write(
        self, rows: FeatureRows, acks: list[tuple[Ack, float]], seconds: float
    ) -> None:
        metrics.WRITE_SECONDS.observe(seconds)
        for view, by_key in rows.items():
            metrics.FEATURE_ROWS.labels(view).inc(len(by_key))
        now = time.time()
        for ack, produced_at in acks:
            ack()
            if produced_at:
                metrics.FRESHNESS_SECONDS.observe(max(0.0, now - produced_at))
