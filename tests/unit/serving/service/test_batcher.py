"""The dynamic batcher closes batches on size and on wait, keeps order and bounds its queue."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

import pytest

from serving.errors import ServiceNotReadyError, ServiceOverloadedError
from serving.service.batcher import DynamicBatcher

T = TypeVar("T")


class Recorder:
    """A processor that records its batches and doubles each item (or fails odd ones)."""

    def __init__(self, fail_odd: bool = False, gate: asyncio.Event | None = None) -> None:
        self.batches: list[list[int]] = []
        self.fail_odd = fail_odd
        self.gate = gate

    async def __call__(self, items: list[int]) -> Sequence[int | Exception]:
        self.batches.append(list(items))
        if self.gate is not None:
            await self.gate.wait()
        return [ValueError(f"odd {i}") if self.fail_odd and i % 2 else 2 * i for i in items]


def run(scenario: Callable[[], Awaitable[T]]) -> T:
    return asyncio.run(asyncio.wait_for(scenario(), 10))


async def _with_runner(batcher: DynamicBatcher[Any, Any], body: Callable[[], Awaitable[T]]) -> T:
    runner = asyncio.create_task(batcher.run())
    try:
        return await body()
    finally:
        batcher.close()
        await runner


def test_batch_closes_as_soon_as_it_is_full():
    async def scenario() -> float:
        recorder = Recorder()
        batcher = DynamicBatcher(recorder, max_batch=3, max_wait_s=30, max_queue=10)

        async def body() -> float:
            started = time.monotonic()
            futures = [batcher.offer(i) for i in range(3)]
            assert await asyncio.gather(*futures) == [0, 2, 4]
            assert recorder.batches == [[0, 1, 2]]
            return time.monotonic() - started

        return await _with_runner(batcher, body)

    assert run(scenario) < 5  # far below max_wait_s


def test_batch_closes_after_max_wait_from_its_first_request():
    async def scenario() -> tuple[float, list[list[int]]]:
        recorder = Recorder()
        batcher = DynamicBatcher(recorder, max_batch=10, max_wait_s=0.05, max_queue=10)

        async def body() -> tuple[float, list[list[int]]]:
            started = time.monotonic()
            futures = [batcher.offer(1), batcher.offer(2)]
            await asyncio.gather(*futures)
            return time.monotonic() - started, recorder.batches

        return await _with_runner(batcher, body)

    waited, batches = run(scenario)
    assert batches == [[1, 2]]
    assert waited >= 0.045


def test_order_is_kept_inside_and_across_batches():
    async def scenario() -> tuple[list[int], list[list[int]]]:
        recorder = Recorder()
        batcher = DynamicBatcher(recorder, max_batch=3, max_wait_s=0.01, max_queue=10)

        async def body() -> tuple[list[int], list[list[int]]]:
            futures = [batcher.offer(i) for i in range(7)]
            return list(await asyncio.gather(*futures)), recorder.batches

        return await _with_runner(batcher, body)

    results, batches = run(scenario)
    assert results == [2 * i for i in range(7)]
    assert batches == [[0, 1, 2], [3, 4, 5], [6]]


def test_full_queue_refuses_with_overload_and_says_the_limit():
    async def scenario() -> None:
        batcher = DynamicBatcher(Recorder(), max_batch=4, max_wait_s=0.01, max_queue=2)
        batcher.offer(1)
        batcher.offer(2)
        assert batcher.depth == 2
        with pytest.raises(ServiceOverloadedError, match="max_queue=2"):
            batcher.offer(3)
        batcher.close()
        await batcher.run()

    run(scenario)


def test_put_waits_for_room_instead_of_refusing():
    async def scenario() -> list[int]:
        recorder = Recorder()
        batcher = DynamicBatcher(recorder, max_batch=1, max_wait_s=0, max_queue=1)

        async def body() -> list[int]:
            futures = [await batcher.put(i) for i in range(4)]
            return list(await asyncio.gather(*futures))

        return await _with_runner(batcher, body)

    assert run(scenario) == [0, 2, 4, 6]


def test_an_error_for_one_item_reaches_only_that_item():
    async def scenario() -> list[object]:
        batcher = DynamicBatcher(Recorder(fail_odd=True), max_batch=4, max_wait_s=0, max_queue=4)

        async def body() -> list[object]:
            futures = [batcher.offer(i) for i in range(4)]
            return list(await asyncio.gather(*futures, return_exceptions=True))

        return await _with_runner(batcher, body)

    results = run(scenario)
    assert results[0] == 0 and results[2] == 4
    assert isinstance(results[1], ValueError) and isinstance(results[3], ValueError)


def test_close_finishes_the_running_batch_and_fails_the_queued_ones():
    async def scenario() -> tuple[object, object]:
        gate = asyncio.Event()
        recorder = Recorder(gate=gate)
        batcher = DynamicBatcher(recorder, max_batch=1, max_wait_s=0, max_queue=4)
        runner = asyncio.create_task(batcher.run())
        running, queued = batcher.offer(1), batcher.offer(2)
        while not recorder.batches:  # the first batch is in the processor
            await asyncio.sleep(0)
        batcher.close()
        with pytest.raises(ServiceNotReadyError):
            batcher.offer(3)
        gate.set()
        await runner
        results = await asyncio.gather(running, queued, return_exceptions=True)
        return results[0], results[1]

    finished, refused = run(scenario)
    assert finished == 2
    assert isinstance(refused, ServiceNotReadyError)


def test_cancelled_requests_are_left_out_of_the_batch():
    async def scenario() -> list[list[int]]:
        recorder = Recorder()
        batcher = DynamicBatcher(recorder, max_batch=4, max_wait_s=0.02, max_queue=4)

        async def body() -> list[list[int]]:
            gone, kept = batcher.offer(1), batcher.offer(2)
            gone.cancel()
            assert await kept == 4
            return recorder.batches

        return await _with_runner(batcher, body)

    assert run(scenario) == [[2]]


def test_processor_failure_fails_the_whole_batch_but_not_the_batcher():
    calls = []

    async def flaky(items: list[int]) -> Sequence[int | Exception]:
        calls.append(items)
        if len(calls) == 1:
            raise RuntimeError("model exploded")
        return items

    async def scenario() -> tuple[object, object]:
        batcher = DynamicBatcher(flaky, max_batch=1, max_wait_s=0, max_queue=4)

        async def body() -> tuple[object, object]:
            first, second = batcher.offer(1), batcher.offer(2)
            results = await asyncio.gather(first, second, return_exceptions=True)
            return results[0], results[1]

        return await _with_runner(batcher, body)

    failed, served = run(scenario)
    assert isinstance(failed, RuntimeError) and served == 2


@pytest.mark.parametrize("bad", [{"max_batch": 0}, {"max_queue": 0}, {"max_wait_s": -1}])
def test_nonsense_limits_are_rejected(bad):
    limits = {"max_batch": 1, "max_wait_s": 0.0, "max_queue": 1, **bad}
    with pytest.raises(ValueError, match="must be at least"):
        DynamicBatcher(Recorder(), **limits)
