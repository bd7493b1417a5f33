"""HTTP asks go through features, the policy, the shared pipeline and the publisher, in order."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import TypeVar

import pytest
from prometheus_client import REGISTRY

from contracts.copies import CopyTrigger, FeatureSnapshot, GeneratedCopy
from contracts.settings import DecisionSettings, ServiceSettings
from contracts.vocabulary import Channel, Locale
from policy.requests import CopyAsk, CopyRequestBuilder
from policy.uniform import UniformAnglePolicy
from serving.errors import (
    FeatureReadError,
    PublishError,
    ServiceNotReadyError,
    ServiceOverloadedError,
    UnknownProductError,
)
from serving.service.on_demand import OnDemandCopies
from serving.service.pipeline import CopyPipeline, Source
from tests.polling import poll_until
from tests.unit.serving.service.conftest import writer_for
from tests.unit.serving.service.factories import T0

T = TypeVar("T")


class FakeSnapshots:
    def __init__(self, gate: threading.Event | None = None, broken: bool = False) -> None:
        self.reads: list[tuple[str, str]] = []
        self.gate = gate
        self.broken = broken

    def read(
        self, pairs: Sequence[tuple[str, str]], snapshot_ids: Sequence[str], now: datetime
    ) -> list[FeatureSnapshot]:
        if self.gate is not None:
            self.gate.wait(5)
        if self.broken:
            raise OSError("online store is gone")
        self.reads += pairs
        return [
            FeatureSnapshot(snapshot_id=sid, read_at=now, user={"views_10m": 2})
            for sid in snapshot_ids
        ]


class FakeSink:
    def __init__(self) -> None:
        self.published: list[tuple[GeneratedCopy, Source]] = []

    async def copy(self, copy: GeneratedCopy, source: Source) -> None:
        self.published.append((copy, source))


def _ask(product_id: str, request_id: str = "r-http1") -> CopyAsk:
    return CopyAsk(
        request_id=request_id,
        user_id="u-7",
        product_id=product_id,
        channel=Channel.APP,
        locale=Locale.ZH_CN,
        slot="api",
        trigger=CopyTrigger.EXPLICIT,
    )


def _with_service(
    catalog,
    checker,
    body: Callable[[OnDemandCopies, FakeSink], Awaitable[T]],
    snapshots: FakeSnapshots | None = None,
    ready: bool = True,
    read_timeout_s: float = 5.0,
    sink: FakeSink | None = None,
) -> T:
    async def scenario() -> T:
        pipeline = CopyPipeline(writer_for(catalog, checker), ServiceSettings(max_wait_ms=1))
        sink_ = sink or FakeSink()
        service = OnDemandCopies(
            snapshots or FakeSnapshots(),
            CopyRequestBuilder(DecisionSettings(), UniformAnglePolicy()),
            pipeline,
            sink_,
            max_pending_reads=1,
            read_timeout_s=read_timeout_s,
            publish_timeout_s=0.2,
            ready=lambda: ready,
            clock=lambda: T0,
        )
        runner = asyncio.create_task(pipeline.run())
        try:
            return await body(service, sink_)
        finally:
            pipeline.close()
            await runner
            service.close()
            pipeline.shutdown()

    return asyncio.run(asyncio.wait_for(scenario(), 10))


def test_ask_is_decided_written_published_and_returned(small_catalog, checker):
    product = small_catalog[0]

    async def body(service: OnDemandCopies, sink: FakeSink) -> GeneratedCopy:
        return await service.copy(_ask(product.product_id))

    copy = _with_service(small_catalog, checker, body)
    assert copy.request_id == "r-http1" and copy.copy_id == "c-http1"
    assert copy.trigger is CopyTrigger.EXPLICIT and copy.policy_version == "uniform-v1"
    assert copy.features is not None and copy.features.snapshot_id == "s-http1"
    assert copy.features.user == {"views_10m": 2}
    assert copy.propensity == pytest.approx(0.1)


def test_published_copy_is_the_returned_one(small_catalog, checker):
    async def body(service: OnDemandCopies, sink: FakeSink) -> bool:
        copy = await service.copy(_ask(small_catalog[1].product_id))
        return sink.published == [(copy, "http")]

    assert _with_service(small_catalog, checker, body)


def test_unknown_product_is_refused_before_reading_features(small_catalog, checker):
    snapshots = FakeSnapshots()

    async def body(service: OnDemandCopies, sink: FakeSink) -> None:
        with pytest.raises(UnknownProductError):
            await service.copy(_ask("p99999"))
        assert not snapshots.reads and not sink.published

    _with_service(small_catalog, checker, body, snapshots)


def test_not_ready_is_refused(small_catalog, checker):
    async def body(service: OnDemandCopies, sink: FakeSink) -> None:
        with pytest.raises(ServiceNotReadyError, match="retry"):
            await service.copy(_ask(small_catalog[0].product_id))

    _with_service(small_catalog, checker, body, ready=False)


def test_feature_reads_are_bounded_and_failures_are_unavailable(small_catalog, checker):
    gate = threading.Event()
    product_id = small_catalog[0].product_id

    async def body(service: OnDemandCopies, sink: FakeSink) -> None:
        waiting = asyncio.create_task(service.copy(_ask(product_id)))
        await asyncio.sleep(0)  # the first read now holds the only place in line
        with pytest.raises(ServiceOverloadedError):
            await service.copy(_ask(product_id, "r-http2"))
        gate.set()
        assert (await waiting).request_id == "r-http1"

    _with_service(small_catalog, checker, body, FakeSnapshots(gate))

    async def broken(service: OnDemandCopies, sink: FakeSink) -> None:
        with pytest.raises(FeatureReadError, match="online store is gone"):
            await service.copy(_ask(product_id))

    _with_service(small_catalog, checker, broken, FakeSnapshots(broken=True))


def _failures(reason: str) -> float:
    value = REGISTRY.get_sample_value("copystream_feature_read_failures_total", {"reason": reason})
    return value or 0.0


def test_a_hung_feature_read_times_out_and_later_asks_are_refused_at_once(small_catalog, checker):
    """An online store that hangs (Redis unreachable, no socket timeout) costs the first ask
    the read deadline and every later one nothing, until the read comes back."""
    gate = threading.Event()
    product_id = small_catalog[0].product_id
    before = {reason: _failures(reason) for reason in ("timeout", "stalled")}

    async def body(service: OnDemandCopies, sink: FakeSink) -> None:
        with pytest.raises(FeatureReadError, match=r"did not answer within 200 ms"):
            await service.copy(_ask(product_id))
        for number in range(2, 5):  # refused at once, not after waiting their own deadline
            with pytest.raises(FeatureReadError, match="has not answered a read"):
                await service.copy(_ask(product_id, f"r-http{number}"))
        gate.set()  # the store answers again
        await asyncio.to_thread(poll_until, lambda: service._reading_since is None, 5, "idle")
        copy = await service.copy(_ask(product_id, "r-http9"))
        assert sink.published == [(copy, "http")]

    try:
        _with_service(small_catalog, checker, body, FakeSnapshots(gate), read_timeout_s=0.2)
    finally:
        gate.set()
    assert _failures("timeout") == before["timeout"] + 1
    assert _failures("stalled") == before["stalled"] + 3


class UnacknowledgedSink(FakeSink):
    """A broker that is down: the copy is handed over and never acknowledged."""

    def __init__(self) -> None:
        super().__init__()
        self.handed: list[GeneratedCopy] = []
        self.ack = asyncio.Event()

    async def copy(self, copy: GeneratedCopy, source: Source) -> None:
        self.handed.append(copy)
        await self.ack.wait()
        await super().copy(copy, source)


def test_an_unacknowledged_copy_answers_503_in_time_and_is_still_delivered(small_catalog, checker):
    product = small_catalog[0].product_id
    sink = UnacknowledgedSink()

    async def body(service: OnDemandCopies, sink_: FakeSink) -> None:
        with pytest.raises(PublishError, match="publish_timeout_ms"):
            await service.copy(_ask(product))
        assert len(sink.handed) == 1 and sink.published == []
        sink.ack.set()  # the broker is back: the send that was not cancelled completes
        await asyncio.to_thread(poll_until, lambda: sink.published, 5, "the delivery")
        assert sink.published[0][0].copy_id == sink.handed[0].copy_id

    _with_service(small_catalog, checker, body, sink=sink)
