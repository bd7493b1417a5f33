"""One road to the model for every source: a dynamic batcher in front of one model thread.

Kafka requests and HTTP asks share the batcher, so they share batches. Generation blocks, so it
runs in a single dedicated thread (`ThreadPoolExecutor(max_workers=1)`); the batcher hands it
one batch at a time, which bounds that thread's queue to one batch and keeps the loop free.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Literal

from contracts.copies import CopyRequest, GeneratedCopy
from contracts.logs import get_logger
from contracts.settings import ServiceSettings
from serving.metrics import BATCH_REQUESTS, BATCH_SECONDS, QUEUE_DEPTH, REQUESTS
from serving.service.batcher import DynamicBatcher
from serving.service.copy_writer import CopyOutcome, CopyWriter

log = get_logger(__name__)
Source = Literal["kafka", "http"]


class CopyPipeline:
    """`offer`/`put` a request, await its future for the copy; `run()` must be running."""

    def __init__(self, writer: CopyWriter, service: ServiceSettings) -> None:
        self.writer = writer
        self._model_thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="copy-model")
        self.batcher: DynamicBatcher[CopyRequest, GeneratedCopy] = DynamicBatcher(
            self._write_batch,
            max_batch=service.max_batch_requests,
            max_wait_s=service.max_wait_ms / 1e3,
            max_queue=service.max_queue,
        )
        QUEUE_DEPTH.set_function(lambda: self.batcher.depth)

    @property
    def accepting(self) -> bool:
        return not self.batcher.closed

    def offer(self, request: CopyRequest, source: Source) -> asyncio.Future[GeneratedCopy]:
        """Queue now or raise `ServiceOverloadedError` (a caller who can answer 503)."""
        future = self.batcher.offer(request)
        REQUESTS.labels(source=source).inc()
        return future

    async def put(
        self, request: CopyRequest, source: Source, limit: int | None = None
    ) -> asyncio.Future[GeneratedCopy]:
        """Queue once fewer than `limit` requests wait (a caller who can slow down)."""
        future = await self.batcher.put(request, limit=limit)
        REQUESTS.labels(source=source).inc()
        return future

    async def run(self) -> None:
        await self.batcher.run()

    def close(self) -> None:
        """Finish the batch in the model thread; queued requests fail as not ready."""
        self.batcher.close()

    async def batch_boundary(self) -> None:
        """Return once the batch the model thread is running now (if any) has finished: the
        thread runs one thing at a time, so a no-op queued behind it marks the boundary."""
        await asyncio.get_running_loop().run_in_executor(self._model_thread, _nothing)

    def shutdown(self) -> None:
        self._model_thread.shutdown(wait=True, cancel_futures=True)

    async def _write_batch(self, requests: list[CopyRequest]) -> Sequence[CopyOutcome]:
        started = time.perf_counter()
        loop = asyncio.get_running_loop()
        outcomes = await loop.run_in_executor(self._model_thread, self.writer.write, requests)
        seconds = time.perf_counter() - started
        BATCH_REQUESTS.observe(len(requests))
        BATCH_SECONDS.observe(seconds)
        log.debug("batch_written", requests=len(requests), seconds=round(seconds, 4))
        return outcomes


def _nothing() -> None:
    return None
