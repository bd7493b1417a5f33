"""The Faust app: `user-events` → per-user state → Feast; product activity → popularity.

Delivery: at-least-once consumption with idempotent effects. Offsets are committed only after
(1) the state changelog and any produced messages are flushed (Faust flushes its producer before
each commit) and (2) the feature rows covering those events are written to the online store.
After a crash, uncommitted events are re-read: ids already in the user's state are not counted
again, and their product activity is re-sent but dropped by the per-partition watermark, so a
restarted worker ends with exactly the features of an uninterrupted run. Dead letters may repeat
after a crash (at-least-once); their source offset identifies them.
"""

from __future__ import annotations

import asyncio
import os
import socket
from collections.abc import Awaitable, Callable
from typing import Any

import faust

from contracts.dead_letter import DeadLetter
from contracts.logs import get_logger
from contracts.settings import Settings
from features.online_writer import OnlineFeatureWriter
from features.schema import PRODUCT_POPULARITY_VIEW, USER_ACTIVITY_VIEW
from streams import metrics
from streams.copy_agent import CopyDecisionAgent
from streams.faust_app import new_faust_app
from streams.faust_internals import flow_control_active
from streams.feature_sink import CoalescingFeatureSink
from streams.messages import RawMessage
from streams.product_popularity import ProductPopularityProcessor
from streams.product_state import ProductPopularityState
from streams.record_batches import RecordBatchSender
from streams.state_store import FaustTableState
from streams.user_activity import UserActivityProcessor
from streams.user_state import UserActivityState

log = get_logger(__name__)
BatchHandler = Callable[[list[Any]], Awaitable[None]]
EXIT_CRASHED = 70
"""Exit status of a worker that crashed and whose shutdown hung (EX_SOFTWARE)."""


def create_app(settings: Settings) -> faust.App:
    cfg, kafka = settings.streams, settings.kafka
    app = new_faust_app(settings, cfg.app_id)
    worker = f"{socket.gethostname()}:{cfg.app_id}"
    topics = kafka.topics
    user_events = app.topic(topics.user_events, key_type=bytes, value_type=bytes)
    activity = app.topic(
        settings.product_activity_topic,
        key_type=bytes,
        value_type=bytes,
        partitions=kafka.partitions,
        internal=True,
    )
    dead_letters = app.topic(topics.dead_letters, key_type=bytes, value_type=bytes)
    user_table = app.Table(
        "user-activity", partitions=kafka.user_events_partitions, key_type=str, value_type=bytes
    )
    product_table = app.Table(
        "product-popularity", partitions=kafka.partitions, key_type=str, value_type=bytes
    )
    records = RecordBatchSender(app)
    user_state = FaustTableState(user_table, UserActivityState.from_bytes)
    product_state = FaustTableState(product_table, ProductPopularityState.from_bytes)
    users = UserActivityProcessor(
        settings,
        user_state,
        worker,
        route_product=lambda pid: records.partition_for(pid.encode(), kafka.partitions),
    )
    products = ProductPopularityProcessor(settings, product_state, worker)
    writer = OnlineFeatureWriter(settings)
    sink = CoalescingFeatureSink(writer.write)
    within = cfg.batch_max_delay_ms / 1000

    async def send_dead_letters(letters: list[DeadLetter]) -> None:
        for letter in letters:
            metrics.DEAD_LETTERS.labels(letter.error_type).inc()
            log.warning("dead_letter", **letter.log_fields)
            await dead_letters.send(value=letter.model_dump_json().encode())

    async def send_changes(state: FaustTableState[Any]) -> list[Any]:
        deliveries: list[Any] = []
        for partition, changes in state.take_changes().items():
            deliveries += await records.send(state.changelog_topic, partition, changes)
        return deliveries

    async def handle_user_batch(events: list[Any]) -> None:
        metrics.BATCH_SIZE.observe(len(events))
        messages = [RawMessage.from_faust(e.message) for e in events]
        result = users.process(messages)
        for outcome, n in result.outcomes.items():
            metrics.EVENTS.labels(outcome).inc(n)
        await send_dead_letters(result.dead_letters)
        deliveries = await send_changes(user_state)
        for partition, batches in result.product_activity.items():
            deliveries += await records.send(
                activity.get_topic_name(),
                partition,
                [(b"%d" % b.source_partition, b.model_dump_json().encode()) for b in batches],
            )
        if decisions is not None:
            deliveries += await decisions.decide(result.valid)
        acks = [(e.ack, e.message.timestamp) for e in events]
        await sink.submit(USER_ACTIVITY_VIEW, result.rows, result.timestamps, acks, deliveries)

    async def handle_product_batch(events: list[Any]) -> None:
        result = products.process([RawMessage.from_faust(e.message) for e in events])
        await send_dead_letters(result.dead_letters)
        deliveries = await send_changes(product_state)
        acks = [(e.ack, 0.0) for e in events]
        await sink.submit(PRODUCT_POPULARITY_VIEW, result.rows, result.timestamps, acks, deliveries)

    async def crash_worker(exc: BaseException) -> None:
        """A bug must stop the worker (uncommitted work is redone on restart), not leave a
        running process whose agent is dead. Faust's own shutdown can hang (seen after the
        worker had left its group), so the process exits hard if it has not stopped in time."""
        log.exception("stream_worker_crashed", error=repr(exc))
        asyncio.get_running_loop().call_later(cfg.crash_exit_after_s, _exit_hard)
        await app.crash(exc)

    async def consume_batches(stream: Any, handle: BatchHandler) -> None:
        try:
            async for events in stream.noack_take(cfg.batch_max_events, within=within):
                await handle(events)
        except Exception as exc:
            await crash_worker(exc)

    @app.agent(user_events, name="user-activity")
    async def user_activity(stream: Any) -> None:
        await consume_batches(stream, handle_user_batch)

    @app.agent(activity, name="product-popularity")
    async def product_popularity(stream: Any) -> None:
        await consume_batches(stream, handle_product_batch)

    decisions = _copy_decisions(app, settings, records, crash_worker)

    @app.task
    async def run_feature_sink() -> None:
        try:
            await writer.warm_up()
            log.info("feature_writer_ready", online_store=settings.feast.online_store)
            await sink.run()
        except Exception as exc:
            await crash_worker(exc)

    if cfg.metrics_port:

        @app.task
        async def serve_metrics() -> None:
            from prometheus_client import start_http_server

            start_http_server(cfg.metrics_port, addr="127.0.0.1")

    return app


def _exit_hard() -> None:
    log.error("stream_worker_exit_forced", reason="shutdown after a crash did not finish")
    os._exit(EXIT_CRASHED)


def _copy_decisions(
    app: faust.App,
    settings: Settings,
    records: RecordBatchSender,
    crash_worker: Callable[[BaseException], Awaitable[None]],
) -> CopyDecisionAgent | None:
    """The copy decider, with its table and the abandoned-cart timer; None when disabled.

    It reads the same micro-batches as the activity processor rather than being a second agent
    on `user-events`, so each message is acked once, after both have delivered their effects.
    """
    if not settings.decisions.enabled:
        return None
    from features.catalog_guard import CatalogGuard
    from features.snapshots import FeatureSnapshotReader
    from features.store import open_feature_store
    from policy.registry import load_angle_policy
    from policy.requests import CopyRequestBuilder
    from releases.served import release_registry
    from streams.copy_agent import AnglePolicyReloader
    from streams.copy_state import CopyDecisionState

    table = app.Table(
        "copy-decisions",
        partitions=settings.kafka.user_events_partitions,
        key_type=str,
        value_type=bytes,
    )
    registry = release_registry(settings)
    version = registry.current_version()
    policy = load_angle_policy(settings, registry.get(version) if version else None)
    log.info("angle_policy_loaded", release=version, policy_version=policy.version)
    builder = CopyRequestBuilder(settings.decisions, policy)
    agent = CopyDecisionAgent(
        settings,
        FaustTableState(table, CopyDecisionState.from_bytes),
        records,
        FeatureSnapshotReader(open_feature_store(settings)),
        builder,
    )
    reloader = AnglePolicyReloader(settings, builder, registry, load_angle_policy, seen=version)

    @app.timer(settings.decisions.policy_reload_interval_s)
    async def reload_angle_policy() -> None:
        """A newly published release's policy decides from the next micro-batch on."""
        await reloader.check()

    guard = CatalogGuard(settings)

    @app.timer(settings.catalog.guard_interval_s)
    async def guard_catalog() -> None:
        """A Redis that came back empty would leave every view `unknown_product`: the catalog
        is reloaded from its file as soon as sampled products are found missing."""
        try:
            report = await asyncio.to_thread(guard.check_and_restore)
        except Exception as exc:  # the store is down: the next tick tries again
            log.warning("catalog_guard_failed", error=repr(exc))
            return
        if report.reloaded:
            metrics.CATALOG_RELOADS.inc()

    @app.timer(settings.decisions.cart_check_interval_s)
    async def check_abandoned_carts() -> None:
        if not flow_control_active(app):  # recovering or rebalancing: state incomplete
            return
        try:
            await agent.check_carts(frozenset(app.assignor.assigned_actives()))
        except Exception as exc:
            await crash_worker(exc)

    return agent
