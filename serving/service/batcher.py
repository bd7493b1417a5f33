"""Dynamic batching on the event loop: a request waits at most `max_wait_s` for batch-mates.

A batch closes when it holds `max_batch` items or when its first item has waited `max_wait_s`,
whichever comes first; while one batch is processed the next one fills, so queued work meets a
free model at once. Items keep their arrival order inside and across batches. The queue is
bounded: `offer` refuses when it is full (HTTP answers 503) and `put` waits for room (Kafka
polling slows down instead).
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

from serving.errors import ServiceNotReadyError, ServiceOverloadedError

T = TypeVar("T")
R = TypeVar("R")

BatchProcessor = Callable[[list[T]], Awaitable[Sequence[R | Exception]]]
"""Processes one batch; returns one result or one exception per item, in the items' order."""


@dataclass(frozen=True)
class _Waiting(Generic[T, R]):
    item: T
    future: asyncio.Future[R]
    queued_at: float


class DynamicBatcher(Generic[T, R]):
    """Collects items into batches for one processor; `run()` must be running to make progress."""

    def __init__(
        self, process: BatchProcessor[T, R], *, max_batch: int, max_wait_s: float, max_queue: int
    ) -> None:
        if max_batch < 1 or max_queue < 1 or max_wait_s < 0:
            raise ValueError(
                f"max_batch ({max_batch}) and max_queue ({max_queue}) must be at least 1 and "
                f"max_wait_s ({max_wait_s}) at least 0"
            )
        self._process = process
        self.max_batch = max_batch
        self.max_wait_s = max_wait_s
        self.max_queue = max_queue
        self._queue: deque[_Waiting[T, R]] = deque()
        self._arrived = asyncio.Event()
        self._room = asyncio.Event()
        self._closed = False

    @property
    def depth(self) -> int:
        """Items waiting for a batch (the batch being processed is not counted)."""
        return len(self._queue)

    @property
    def closed(self) -> bool:
        return self._closed

    def offer(self, item: T) -> asyncio.Future[R]:
        """Queue `item` now, or raise `ServiceOverloadedError` when `max_queue` items wait."""
        if self._closed:
            raise ServiceNotReadyError("the generator service is shutting down; retry elsewhere")
        if len(self._queue) >= self.max_queue:
            raise ServiceOverloadedError(
                f"{len(self._queue)} requests already wait for the model (service.max_queue="
                f"{self.max_queue}); retry shortly, or add service instances"
            )
        loop = asyncio.get_running_loop()
        waiting = _Waiting(item, loop.create_future(), loop.time())
        self._queue.append(waiting)
        self._arrived.set()
        return waiting.future

    async def put(self, item: T, *, limit: int | None = None) -> asyncio.Future[R]:
        """Queue `item` once fewer than `limit` (default `max_queue`) items wait."""
        bound = min(limit or self.max_queue, self.max_queue)
        while len(self._queue) >= bound and not self._closed:
            self._room.clear()
            await self._room.wait()
        return self.offer(item)

    def close(self) -> None:
        """Stop taking items; the batch being processed finishes, queued items fail with
        `ServiceNotReadyError` (their sources redo or retry them)."""
        self._closed = True
        self._arrived.set()
        self._room.set()

    async def run(self) -> None:
        """Form and process batches, one at a time, until `close()`."""
        while (batch := await self._next_batch()) is not None:
            if batch:
                await self._run_batch(batch)

    async def _next_batch(self) -> list[_Waiting[T, R]] | None:
        while not self._queue:
            if self._closed:
                return None
            self._arrived.clear()
            await self._arrived.wait()
        loop = asyncio.get_running_loop()
        while len(self._queue) < self.max_batch and not self._closed:
            remaining = self._queue[0].queued_at + self.max_wait_s - loop.time()
            if remaining <= 0:
                break
            self._arrived.clear()
            try:
                await asyncio.wait_for(self._arrived.wait(), remaining)
            except TimeoutError:
                break
        if self._closed:
            self._fail_queued()
            return None
        taken = [self._queue.popleft() for _ in range(min(self.max_batch, len(self._queue)))]
        self._room.set()
        return [waiting for waiting in taken if not waiting.future.done()]  # skip cancelled

    async def _run_batch(self, batch: list[_Waiting[T, R]]) -> None:
        try:
            results = await self._process([waiting.item for waiting in batch])
        except asyncio.CancelledError:
            _fail(batch, ServiceNotReadyError("the generator service stopped mid-batch"))
            raise
        except Exception as exc:
            _fail(batch, exc)
            return
        if len(results) != len(batch):
            _fail(batch, RuntimeError(f"{len(results)} results for a batch of {len(batch)}"))
            return
        for waiting, result in zip(batch, results, strict=True):
            if waiting.future.done():
                continue
            if isinstance(result, Exception):
                waiting.future.set_exception(result)
            else:
                waiting.future.set_result(result)

    def _fail_queued(self) -> None:
        queued = list(self._queue)
        self._queue.clear()
        _fail(queued, ServiceNotReadyError("the generator service is shutting down"))


def _fail(batch: list[_Waiting[T, R]], exc: BaseException) -> None:
    for waiting in batch:
        if not waiting.future.done():
            waiting.future.set_exception(exc)
