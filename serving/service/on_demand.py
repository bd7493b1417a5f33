"""Copy asked for over HTTP and answered synchronously, through the same batcher as Kafka.

The ask is decided like a stream request (features snapshot, angle policy, deadline of the
`explicit` trigger) and the copy is also produced to `generated-copy`, so its outcomes can be
joined like any other. Feature reads block (Feast), so they run in their own thread (one: Feast's
`FeatureStore` is not documented as thread-safe) whose waiting line is bounded: past
`max_pending_reads` an ask is refused as overloaded. Each ask waits for its read at most
`read_timeout_s` (then 503); while a read hangs past that, new asks are refused at once rather
than queued behind it, so an online-store outage answers fast instead of hanging the API.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from typing import Protocol

from contracts.copies import FeatureSnapshot, GeneratedCopy
from policy.requests import CopyAsk, CopyRequestBuilder
from serving.errors import (
    FeatureReadError,
    PublishError,
    ServiceNotReadyError,
    ServiceOverloadedError,
)
from serving.metrics import FEATURE_READ_FAILURES
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
        read_timeout_s: float,
        publish_timeout_s: float,
        ready: Callable[[], bool],
        clock: Clock = utc_now,
    ) -> None:
        self._snapshots = snapshots
        self._builder = builder
        self._pipeline = pipeline
        self._publisher = publisher
        self._max_pending_reads = max_pending_reads
        self._read_timeout_s = read_timeout_s
        self._publish_timeout_s = publish_timeout_s
        self._ready = ready
        self._clock = clock
        self._reads = ThreadPoolExecutor(max_workers=1, thread_name_prefix="feature-read")
        self._pending_reads = 0
        # When the ask whose read the thread runs now began waiting for it (loop time; None:
        # idle). Written by that thread.
        self._reading_since: float | None = None

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
        await self._publish(copy)
        return copy

    async def _publish(self, copy: GeneratedCopy) -> None:
        """Wait for Kafka's acknowledgement at most `publish_timeout_s`, then answer 503: in a
        broker outage the caller hears so in time. The send itself is not cancelled (shield):
        the producer still delivers it once the broker is back, like any other copy."""
        try:
            await asyncio.wait_for(
                asyncio.shield(self._publisher.copy(copy, "http")), self._publish_timeout_s
            )
        except TimeoutError:
            raise PublishError(
                f"Kafka did not acknowledge copy {copy.copy_id} within "
                f"{self._publish_timeout_s * 1e3:.0f} ms (service.publish_timeout_ms); it is "
                "delivered once the broker answers. Retry shortly"
            ) from None

    def close(self) -> None:
        self._reads.shutdown(wait=False, cancel_futures=True)

    async def _snapshot(self, ask: CopyAsk, now: datetime) -> FeatureSnapshot:
        self._refuse_while_stalled()
        if self._pending_reads >= self._max_pending_reads:
            raise ServiceOverloadedError(
                f"{self._pending_reads} feature reads are waiting; retry shortly"
            )
        self._pending_reads += 1
        loop = asyncio.get_running_loop()
        asked_at = loop.time()
        deadline = asyncio.timeout_at(asked_at + self._read_timeout_s)
        try:
            async with deadline:
                snapshots = await loop.run_in_executor(
                    self._reads,
                    self._read,
                    [(ask.user_id, ask.product_id)],
                    [ask.snapshot_id],
                    now,
                    asked_at,
                )
        except Exception as exc:
            timed_out = deadline.expired()
            FEATURE_READ_FAILURES.labels(reason="timeout" if timed_out else "error").inc()
            problem = (
                f"did not answer within {self._read_timeout_s * 1e3:.0f} ms "
                "(service.feature_read_timeout_ms)"
                if timed_out
                else f"failed: {exc!r}"
            )
            raise FeatureReadError(
                f"reading the features of user {ask.user_id!r} and product {ask.product_id!r} "
                f"from the online store {problem}; check that the feature store is reachable "
                "(`make infra`) and its definitions applied"
            ) from exc
        finally:
            self._pending_reads -= 1
        return snapshots[0]

    def _read(
        self,
        pairs: list[tuple[str, str]],
        snapshot_ids: list[str],
        now: datetime,
        asked_at: float,
    ) -> list[FeatureSnapshot]:
        """In the read thread. An ask that timed out leaves its read running (a thread cannot
        be interrupted); `_reading_since` lets later asks see that it hangs."""
        self._reading_since = asked_at
        try:
            return self._snapshots.read(pairs, snapshot_ids, now)
        finally:
            self._reading_since = None

    def _refuse_while_stalled(self) -> None:
        """Queued behind a read that outlived its own ask's deadline, an ask could only time
        out too: refuse it now."""
        since = self._reading_since
        if since is None:
            return
        stalled_s = asyncio.get_running_loop().time() - since
        if stalled_s >= self._read_timeout_s:
            FEATURE_READ_FAILURES.labels(reason="stalled").inc()
            raise FeatureReadError(
                f"the online feature store has not answered a read for {stalled_s:.1f} s "
                f"(service.feature_read_timeout_ms is {self._read_timeout_s * 1e3:.0f}); asks "
                "are refused until it does; check that the feature store is reachable "
                "(`make infra`)"
            )
