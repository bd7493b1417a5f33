"""The outcome joiner's Faust app: `generated-copy` + `user-events` → the outcome log.

`generated-copy` has `kafka.partitions` partitions and `user-events` more, so a first agent
re-keys each copy onto an internal topic co-partitioned with `user-events` (key = user id,
murmur2 like every producer of user events); a second agent reads both, so a user's copies
and events meet in one worker and one table partition. Invalid copies go to `dead-letters`;
invalid user events are only counted (`kind="unparsed"` or `result="invalid"`), as the
feature worker already dead-letters them.
"""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import faust
from pydantic import ValidationError

from contracts.copies import GeneratedCopy
from contracts.events import EventAdmission
from contracts.logs import get_logger
from contracts.settings import Settings
from features.outcome_log import OutcomeLogWriter
from streams.faust_app import new_faust_app
from streams.faust_internals import flow_control_active, recovery_completed
from streams.messages import RawMessage
from streams.outcomes import metrics
from streams.outcomes.agent import OutcomeJoinAgent
from streams.outcomes.join import COPY, OutcomeJoiner
from streams.outcomes.state import FaustOutcomeTable
from streams.record_batches import RecordBatchSender

log = get_logger(__name__)


def copies_topic(settings: Settings) -> str:
    """Internal to one outcome app (like Faust's own topics), so twin apps never share it."""
    return f"{settings.outcomes.app_id}-copies-by-user"


def create_outcome_app(settings: Settings) -> faust.App:
    cfg, streams, kafka = settings.outcomes, settings.streams, settings.kafka
    app = new_faust_app(settings, cfg.app_id)
    worker = f"{socket.gethostname()}:{cfg.app_id}"
    topics = kafka.topics
    by_user = copies_topic(settings)
    generated = app.topic(topics.generated_copy, key_type=bytes, value_type=bytes)
    joined = app.topic(topics.user_events, by_user, key_type=bytes, value_type=bytes)
    dead_letters = app.topic(topics.dead_letters, key_type=bytes, value_type=bytes)
    table = FaustOutcomeTable(
        app.Table(
            "copy-outcomes",
            partitions=kafka.user_events_partitions,
            key_type=str,
            value_type=bytes,
        )
    )
    records = RecordBatchSender(app)
    agent = OutcomeJoinAgent(
        OutcomeJoiner(cfg, table, EventAdmission.of(kafka)),
        table,
        app,
        OutcomeLogWriter(settings.outcome_log_uri, max_records_per_file=cfg.flush_max_records),
        copies_topic=by_user,
        events_topic=topics.user_events,
    )
    within = streams.batch_max_delay_ms / 1000

    def assignment() -> tuple[int, frozenset[Any]]:
        return app.consumer_generation_id, frozenset(app.assignor.assigned_actives())

    def ready() -> bool:
        """Tables recovered and stream partitions seeked. Faust resumes flow while it still
        reads changelogs, so flow control alone does not say the table is complete."""
        return recovery_completed(app) and not app.rebalancing

    async def crash_worker(exc: BaseException) -> None:
        """A bug stops the worker (uncommitted work is redone on restart) rather than leave a
        process whose agent is dead."""
        log.exception("outcome_worker_crashed", error=repr(exc))
        await app.crash(exc)

    async def forward(events: list[Any]) -> None:
        # Copies go out only once this worker's own join agent has settled its positions: a
        # message landing between Faust's resume and seek of a restart may not be read.
        while not ready():
            await asyncio.sleep(0.05)
        by_partition: dict[int, list[tuple[bytes, bytes]]] = {}
        for event in events:
            message = RawMessage.from_faust(event.message)
            try:
                copy = GeneratedCopy.model_validate_json(message.value or b"")
            except ValidationError as exc:
                metrics.OUTCOME_EVENTS.labels(COPY, "invalid").inc()
                letter = message.dead_letter("invalid_copy", _reason(exc), worker)
                log.warning("dead_letter", **letter.log_fields)
                await dead_letters.send(value=letter.model_dump_json().encode())
                continue
            key = copy.user_id.encode()
            partition = records.partition_for(key, kafka.user_events_partitions)
            by_partition.setdefault(partition, []).append((key, message.value or b""))
        deliveries: list[Any] = []
        for partition, batch in by_partition.items():
            deliveries += await records.send(by_user, partition, batch)
        await asyncio.gather(*deliveries)

    @app.agent(generated, name="copy-forwarder")
    async def forward_copies(stream: Any) -> None:
        try:
            async for events in stream.noack_take(streams.batch_max_events, within=within):
                await forward(events)
                for event in events:
                    event.ack()
        except Exception as exc:
            await crash_worker(exc)

    @app.agent(joined, name="outcome-join")
    async def join_outcomes(stream: Any) -> None:
        try:
            async for events in stream.noack_take(streams.batch_max_events, within=within):
                messages = [RawMessage.from_faust(event.message) for event in events]
                await agent.join(messages, assignment())
                for event in events:
                    event.ack()
        except Exception as exc:
            await crash_worker(exc)

    @app.timer(cfg.close_check_interval_s)
    async def close_windows() -> None:
        if not (flow_control_active(app) and ready()):  # state incomplete
            return
        try:
            await agent.close_windows(assignment())
        except Exception as exc:
            await crash_worker(exc)

    if cfg.metrics_port:

        @app.task
        async def serve_metrics() -> None:
            from prometheus_client import start_http_server

            start_http_server(cfg.metrics_port, addr="127.0.0.1")

    return app


def _reason(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors(include_url=False)[:5]:
        where = ".".join(str(p) for p in err["loc"]) or "<message>"
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)
