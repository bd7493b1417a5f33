"""Copy asked for over HTTP and answered synchronously, through the same batcher as Kafka.

The ask is decided like a stream request (features snapshot, angle policy, deadline of the
`explicit` trigger) and the copy is also produced to `generated-copy`, so its outcomes can be
joined like any other. Feature reads block (Feast), so they run in their own thread (one: Feast's
`FeatureStore` is not documented as thread-safe) whose waiting line is bounded: past
`max_pending_reads` an ask is refused as overloaded.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Protocol

from contracts.copies import FeatureSnapshot, GeneratedCopy
from policy.requests import CopyAsk, CopyRequestBuilder
from serving.errors import FeatureReadError, ServiceNotReadyError, ServiceOverloadedError
from serving.service.copy_writer import Clock, utc_now
from serving.service.pipeline import CopyPipeline, Source


class SnapshotReader(Protocol):
    """`features.snapshots.FeatureSnapshotReader` (blocking)."""

    def read(
        self, pairs: Sequence[tuple[str, str]], snapshot_ids: Sequence[str], now: datetime
    ) -> list[FeatureSnapshot]: ...


class CopySink(Protocol):
    """`serving.service.publisher.CopyPublisher`: returns once the copy is acknowledged."""

    async def copy(self, copy: GeneratedCopy, source: Source) -> None: ...


class OnDemandCopies:
    def __init__(
        self,
        snapshots: SnapshotReader,
        builder: CopyRequestBuilder,
        pipeline: CopyPipeline,
        publisher: CopySink,
        *,
        max_pending_reads: int,
        ready: Callable[[], bool],
        clock: Clock = utc_now,
    ) -> None:
        self._snapshots = snapshots
        self._builder = builder
        self._pipeline = pipeline
        self._publisher = publisher
        self._max_pending_reads = max_pending_reads
        self._ready = ready
        self._clock = clock
        self._reads = ThreadPoolExecutor(max_workers=1, thread_name_prefix="feature-read")
        self._pending_reads = 0

    async def copy(self, ask: CopyAsk) -> GeneratedCopy:
        """Read, decide, write, publish; raises `UnknownProductError` before any of it for a
        product the catalog lacks, and a `ServiceUnavailableError` when it cannot serve now."""
        if not self._ready():
            raise ServiceNotReadyError(
                "the generator service is starting or stopping; retry in a few seconds"
            )
        self._pipeline.writer.product(ask.product_id)
        now = self._clock()
        snapshot = await self._snapshot(ask, now)
        request = self._builder.build(ask, snapshot, now)
        copy = await self._pipeline.offer(request, "http")
        await self._publisher.copy(copy, "http")
        return copy

    def close(self) -> None:
        self._reads.shutdown(wait=False, cancel_futures=True)

    async def _snapshot(self, ask: CopyAsk, now: datetime) -> FeatureSnapshot:
        if self._pending_reads >= self._max_pending_reads:
            raise ServiceOverloadedError(
                f"{self._pending_reads} feature reads are waiting; retry shortly"
            )
        self._pending_reads += 1
        try:
            loop = asyncio.get_running_loop()
            snapshots = await loop.run_in_executor(
                self._reads,
                self._snapshots.read,
                [(ask.user_id, ask.product_id)],
                [ask.snapshot_id],
                now,
            )
        except Exception as exc:
            raise FeatureReadError(
                f"could not read features of user {ask.user_id!r} and product "
                f"{ask.product_id!r} from the online store: {exc!r}; check that the feature "
                "store is reachable (`make infra`) and its definitions applied"
            ) from exc
        finally:
            self._pending_reads -= 1
        return snapshots[0]
