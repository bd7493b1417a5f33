"""The copy decider's I/O: snapshot features, choose angles, send `copy-requests`, keep state.

It runs inside the activity agent's batch handler (one agent per topic: Faust acks a message
once, after the features and the decisions of its batch are both delivered), so it is
at-least-once like the rest of the worker. The cart check delivers its requests before the
state that forgets the carts. Batches and cart checks take one lock, so neither ships the
other's changes. `AnglePolicyReloader` swaps a newly published angle policy in while it runs.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any, Protocol

from tenacity import AsyncRetrying, RetryCallState, wait_exponential_jitter

from contracts.copies import CopyRequest, FeatureSnapshot
from contracts.errors import ConfigurationError
from contracts.events import BehaviourEvent
from contracts.logs import get_logger
from contracts.settings import Settings
from features.snapshots import FeatureSnapshotReader
from policy.decision import AnglePolicy
from policy.requests import CopyAsk, CopyRequestBuilder
from releases.manifest import Release
from streams import metrics
from streams.copy_decisions import CopyDecisionProcessor
from streams.copy_state import CopyDecisionState
from streams.messages import RawMessage
from streams.record_batches import RecordBatchSender
from streams.state_store import FaustTableState

log = get_logger(__name__)
UNKNOWN_PRODUCT = "unknown_product"


class CopyDecisionAgent:
    def __init__(
        self,
        settings: Settings,
        state: FaustTableState[CopyDecisionState],
        records: RecordBatchSender,
        reader: FeatureSnapshotReader,
        builder: CopyRequestBuilder,
    ) -> None:
        self._settings = settings
        self._state = state
        self._records = records
        self._reader = reader
        self._builder = builder
        self._processor = CopyDecisionProcessor(settings.decisions, state)
        self._lock = asyncio.Lock()
        self._reads = ThreadPoolExecutor(max_workers=1, thread_name_prefix="feature-snapshots")
        self._indexed_at = 0.0
        self._assignment: frozenset[Any] = frozenset()

    async def decide(self, messages: list[tuple[RawMessage, BehaviourEvent]]) -> list[Any]:
        """Send the requests a micro-batch asks for and the state that remembers them.

        Returns the delivery futures; the caller acks the batch only once they are done. The
        two may land in either order: an event replayed after a crash whose state remembers a
        request asks again with the same id.
        """
        async with self._lock:
            started = time.perf_counter()
            result = self._processor.process_events(messages)
            deliveries = await self._send_requests(result.asks, result.skipped)
            deliveries += await self._send_changes()
            metrics.DECISION_SECONDS.observe(time.perf_counter() - started)
            return deliveries

    async def check_carts(self, assignment: frozenset[Any]) -> None:
        async with self._lock:
            rescan = self._settings.decisions.cart_rescan_interval_s
            if assignment != self._assignment or time.monotonic() - self._indexed_at > rescan:
                self._processor.index_carts(self._state.keys())
                self._assignment, self._indexed_at = assignment, time.monotonic()
            result = self._processor.due_carts(time.time())
            # the reminders are delivered before the state that forgets the carts
            await asyncio.gather(*await self._send_requests(result.asks, result.skipped))
            await asyncio.gather(*await self._send_changes())

    def close(self) -> None:
        self._reads.shutdown(wait=False, cancel_futures=True)

    async def _send_requests(self, asks: list[CopyAsk], skipped: Counter[str]) -> list[Any]:
        requests = await self._requests(asks, skipped)
        for outcome, n in skipped.items():
            metrics.COPY_DECISIONS.labels(outcome).inc(n)
        if set(skipped) - {"requested"}:
            log.debug("copy_asks_decided", **{k: n for k, n in skipped.items()})
        deliveries: list[Any] = []
        kafka = self._settings.kafka
        topic, partitions = kafka.topics.copy_requests, kafka.partitions
        by_partition: dict[int, list[tuple[bytes, bytes]]] = {}
        for request in requests:
            key = request.user_id.encode()
            partition = self._records.partition_for(key, partitions)
            by_partition.setdefault(partition, []).append((key, request.model_dump_json().encode()))
            metrics.COPY_REQUESTS.labels(request.trigger.value, request.angle.value).inc()
            log.info(
                "copy_requested",
                request_id=request.request_id,
                user_id=request.user_id,
                product_id=request.product_id,
                trigger=request.trigger.value,
                angle=request.angle.value,
                propensity=round(request.propensity, 6),
                policy_version=request.policy_version,
            )
        for partition, records in by_partition.items():
            deliveries += await self._records.send(topic, partition, records)
        return deliveries

    async def _send_changes(self) -> list[Any]:
        changes: list[Any] = []
        for partition, records in self._state.take_changes().items():
            changes += await self._records.send(self._state.changelog_topic, partition, records)
        return changes

    async def _requests(self, asks: list[CopyAsk], skipped: Counter[str]) -> list[CopyRequest]:
        if not asks:
            return []
        pairs = [(ask.user_id, ask.product_id) for ask in asks]
        ids = [ask.snapshot_id for ask in asks]
        now, snapshots = await self._read_snapshots(pairs, ids)
        requests = []
        for ask, snapshot in zip(asks, snapshots, strict=True):
            if not snapshot.product:  # not in the catalog: no facts to write faithful copy from
                skipped[UNKNOWN_PRODUCT] += 1
                continue
            requests.append(self._builder.build(ask, snapshot, now))
        skipped["requested"] += len(requests)
        return requests

    async def _read_snapshots(
        self, pairs: list[tuple[str, str]], ids: list[str]
    ) -> tuple[datetime, list[FeatureSnapshot]]:
        """The snapshots and when they were read, retried with backoff while the online store
        is down. The batch waits (unacked, uncommitted) instead of the worker dying: nothing
        is lost, and it resumes by itself once the store answers. Requests are built from the
        time of the read that succeeded, so their deadlines start then."""
        loop = asyncio.get_running_loop()
        retrying = AsyncRetrying(
            wait=wait_exponential_jitter(
                initial=0.1, max=self._settings.streams.retry_max_wait_s, jitter=0.1
            ),
            before_sleep=_log_read_retry,
            reraise=True,
        )
        async for attempt in retrying:
            with attempt:
                now = datetime.now(UTC)
                snapshots = await loop.run_in_executor(
                    self._reads, self._reader.read, pairs, ids, now
                )
        return now, snapshots


def _log_read_retry(state: RetryCallState) -> None:
    metrics.STORE_RETRIES.labels(operation="snapshot_read").inc()
    error = state.outcome.exception() if state.outcome is not None else None
    log.warning(
        "feature_snapshot_read_failed",
        attempt=state.attempt_number,
        error=repr(error),
        retry_in_s=round(state.upcoming_sleep, 2),
        hint="the batch waits uncommitted; check the online store (Redis) is up",
    )


class ReleaseSource(Protocol):
    """What the reloader reads of `releases.registry.ReleaseRegistry`."""

    def current_version(self) -> str | None: ...

    def get(self, version: str) -> Release: ...


PolicyLoader = Callable[[Settings, Release], AnglePolicy]
"""`policy.registry.load_angle_policy` (blocking: reads and checks a VW model)."""


class AnglePolicyReloader:
    """Swaps a newly published angle policy into the decider's request builder, no restart.

    A Faust timer calls `check()` every `decisions.policy_reload_interval_s`; reading the
    registry's `current` link is cheap, and a new release's policy is loaded in a worker thread.
    Requests built after the swap name the new policy version, so propensities stay exact. A
    policy that fails to load is logged and counted and the old one keeps deciding; it is tried
    again only when the version changes again. A pinned `policy.model_dir` is never reloaded.
    """

    def __init__(
        self,
        settings: Settings,
        builder: CopyRequestBuilder,
        registry: ReleaseSource,
        load: PolicyLoader,
        *,
        seen: str | None,
    ) -> None:
        self._settings = settings
        self._builder = builder
        self._registry = registry
        self._load = load
        self._seen = seen

    async def check(self) -> bool:
        """True when a new policy was swapped in."""
        if self._settings.policy.model_dir is not None:
            return False
        try:
            version = self._registry.current_version()
        except ConfigurationError as exc:  # a broken link: keep deciding, say so
            log.warning("release_link_unreadable", error=str(exc))
            return False
        if version is None or version == self._seen:
            return False
        self._seen = version
        current = self._builder.policy
        try:
            release = await asyncio.to_thread(self._registry.get, version)
            policy = await asyncio.to_thread(self._load, self._settings, release)
        except Exception as exc:
            metrics.POLICY_RELOADS.labels(result="failed").inc()
            log.error(
                "angle_policy_reload_failed",
                release=version,
                policy_version=current.version,
                error=str(exc),
                hint="the old policy keeps deciding; publish a fixed release or roll back",
            )
            return False
        if policy.version == current.version:
            _close(policy)  # same model (a release that changed other parts): keep the one loaded
            log.info("angle_policy_unchanged", release=version, policy_version=current.version)
            return False
        # The builder decides synchronously on the event loop, so nothing is mid-decision now.
        _close(self._builder.use_policy(policy))
        metrics.POLICY_RELOADS.labels(result="swapped").inc()
        log.info(
            "angle_policy_swapped",
            release=version,
            policy_version=policy.version,
            previous=current.version,
        )
        return True


def _close(policy: AnglePolicy) -> None:
    close = getattr(policy, "close", None)  # VW policies hold a workspace; uniform holds nothing
    if callable(close):
        close()
