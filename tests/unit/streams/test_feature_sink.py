import asyncio
import functools
from collections.abc import Callable

import pytest

from streams.feature_sink import CoalescingFeatureSink


class RecordingWriter:
    def __init__(self, fail_first: int = 0) -> None:
        self.calls: list[dict] = []
        self.fail_first = fail_first
        self.release = asyncio.Event()
        self.release.set()

    async def __call__(self, rows: dict, timestamps: dict) -> int:
        await self.release.wait()
        if self.fail_first:
            self.fail_first -= 1
            raise ConnectionError("store down")
        self.calls.append({view: dict(by_key) for view, by_key in rows.items()})
        return sum(len(v) for v in rows.values())


def _acks(log: list[str], *names: str) -> list[tuple[Callable[[], object], float]]:
    return [(functools.partial(log.append, name), 0.0) for name in names]


@pytest.mark.timeout(10)
def test_rows_submitted_during_a_write_are_coalesced_latest_wins_and_acked_after():
    async def scenario() -> tuple[list[dict], list[str]]:
        writer, acked = RecordingWriter(), list[str]()
        sink = CoalescingFeatureSink(writer)
        task = asyncio.create_task(sink.run())
        writer.release.clear()
        await sink.submit("v", {"u1": {"n": 1}}, {"u1": 1.0}, _acks(acked, "a"))
        await asyncio.sleep(0.01)  # first write now in flight, blocked
        await sink.submit("v", {"u1": {"n": 2}, "u2": {"n": 1}}, {}, _acks(acked, "b"))
        await sink.submit("v", {"u1": {"n": 3}}, {}, _acks(acked, "c"))
        assert acked == []
        writer.release.set()
        await asyncio.wait_for(sink.drained(), 5)
        task.cancel()
        return writer.calls, acked

    calls, acked = asyncio.run(scenario())
    assert calls == [{"v": {"u1": {"n": 1}}}, {"v": {"u1": {"n": 3}, "u2": {"n": 1}}}]
    assert acked == ["a", "b", "c"]


@pytest.mark.timeout(10)
def test_failed_write_is_retried_and_nothing_is_acked_until_it_succeeds():
    async def scenario() -> tuple[list[dict], list[str]]:
        writer, acked = RecordingWriter(fail_first=2), list[str]()
        sink = CoalescingFeatureSink(writer)
        task = asyncio.create_task(sink.run())
        await sink.submit("v", {"u1": {"n": 1}}, {}, _acks(acked, "a"))
        await asyncio.wait_for(sink.drained(), 5)
        task.cancel()
        return writer.calls, acked

    calls, acked = asyncio.run(scenario())
    assert calls == [{"v": {"u1": {"n": 1}}}] and acked == ["a"]
