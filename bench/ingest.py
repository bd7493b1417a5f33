"""Ingest benchmark: topic → readable online features, against a plain aiokafka consumer.

Writes bench/results/ingest.json. Run with `make bench` (starts Kafka and Redis first).
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import threading
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.probes import CommitLagProbe, scrape_counter
from contracts.settings import Settings
from features.catalog import CatalogGenerator
from features.online_reader import OnlineFeatureReader
from features.store import open_feature_store
from infra.topics import ensure_topics, tagged_topic_names
from simulate.replay import EventReplayer
from simulate.sessions import ShopperSessionGenerator, probe_event
from simulate.worker import StreamWorkerProcess, wait_until_serving

RESULTS = Path(__file__).resolve().parent / "results"
METRICS_PORT = 9477


def bench_settings(online_store: str) -> Settings:
    base = Settings()
    tag = uuid.uuid4().hex[:8]
    topics = tagged_topic_names(base.kafka, f"bench-{tag}")
    return Settings(
        home=base.home / "bench" / tag,
        kafka={**base.kafka.model_dump(), "topics": topics},
        redis=base.redis.model_dump(),
        feast={"project": f"bench{tag}", "online_store": online_store},
        streams={"app_id": f"bench-{tag}", "metrics_port": METRICS_PORT, "commit_interval_s": 0.2},
        log_level="WARNING",
    )


async def raw_consume(settings: Settings, expected: int) -> float:
    """Plain aiokafka consumer reading the same topic from the start; events per second."""
    from aiokafka import AIOKafkaConsumer

    consumer = AIOKafkaConsumer(
        settings.kafka.topics.user_events,
        bootstrap_servers=settings.kafka.bootstrap_servers,
        group_id=f"raw-{uuid.uuid4().hex[:6]}",
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    await consumer.start()
    seen, started = 0, None
    try:
        while seen < expected:
            batches = await consumer.getmany(timeout_ms=500, max_records=10_000)
            for records in batches.values():
                if started is None:
                    started = time.perf_counter()
                seen += len(records)
    finally:
        await consumer.stop()
    assert started is not None
    return seen / (time.perf_counter() - started)


def pipeline_rate(settings: Settings, events: int, log: Path) -> tuple[float, float]:
    """Start a fresh worker on the pre-filled topic; time first event → all rows stored."""
    worker = StreamWorkerProcess(settings, log).start()
    try:
        started = _wait(lambda: scrape_counter(METRICS_PORT, "copystream_events") > 0, 180)
        topics = settings.kafka.topics
        probe = CommitLagProbe(
            settings.kafka.bootstrap_servers,
            settings.streams.app_id,
            [topics.user_events, settings.product_activity_topic],
        )
        try:
            finished = _wait(lambda: probe.lag() == 0, 600, 0.05)
        finally:
            probe.close()
        elapsed = finished - started
        return events / elapsed, elapsed
    finally:
        worker.stop()


def freshness(settings: Settings, rate: float, seconds: float, log: Path) -> list[float]:
    """Tracer users among a steady background load: produced → readable, in ms."""
    worker = StreamWorkerProcess(settings, log).start()
    reader = OnlineFeatureReader(open_feature_store(settings))
    background = EventReplayer(settings)
    tracer = EventReplayer(settings, linger_ms=0)
    catalog = CatalogGenerator(seed=1, products=200).generate()
    shoppers = ShopperSessionGenerator(catalog, users=2_000, seed=3)
    try:
        wait_until_serving(settings, reader, 180, worker)
        pending: dict[str, float] = {}
        latencies: list[float] = []
        stop = threading.Event()

        def watch() -> None:
            while not stop.is_set() or pending:
                for user, sent_at in list(pending.items()):
                    if reader.user_views(user):
                        latencies.append((time.perf_counter() - sent_at) * 1000)
                        del pending[user]
                time.sleep(0.005)  # gentle: the worker shares the 2 cores

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        total = int(rate * seconds)
        started = time.perf_counter()
        for i, event in enumerate(shoppers.events(total, spacing_ms=1000 / rate)):
            background.send([event], progress=False, flush=False)
            if i % 50 == 0:
                user = f"tracer-{i}"
                pending[user] = time.perf_counter()
                tracer.send([probe_event(user, category="tracer")], progress=False)
            ahead = (i + 1) / rate - (time.perf_counter() - started)
            if ahead > 0:
                time.sleep(ahead)
        stop.set()
        watcher.join(60)
        return latencies
    finally:
        worker.stop()


def _wait(check: Any, timeout_s: float, interval: float = 0.02) -> float:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if check():
            return time.perf_counter()
        time.sleep(interval)
    raise TimeoutError(f"benchmark step did not finish within {timeout_s}s")


def percentile(values: list[float], q: int) -> float:
    if len(values) < 2:
        return float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def main(events: int = 200_000, users: int = 5_000, online_store: str = "redis") -> dict:
    settings = bench_settings(online_store)
    RESULTS.mkdir(parents=True, exist_ok=True)
    settings.home.mkdir(parents=True, exist_ok=True)
    ensure_topics(settings.kafka)
    open_feature_store(settings, apply=True)
    catalog = CatalogGenerator(seed=1, products=500).generate()
    shoppers = ShopperSessionGenerator(catalog, users=users, seed=2)
    print(f"producing {events} events for {users} shoppers …", flush=True)
    spacing_ms = 10.0  # event time ends now: the worker refuses events from the future
    start = datetime.now(UTC) - timedelta(milliseconds=spacing_ms * events)
    EventReplayer(settings).send(
        shoppers.events(events, start, spacing_ms), total=events, progress=False
    )
    raw = asyncio.run(raw_consume(settings, events))
    print(f"raw aiokafka consumer: {raw:,.0f} events/s", flush=True)
    rate, elapsed = pipeline_rate(settings, events, settings.home / "worker.log")
    print(f"pipeline (one worker, {online_store}): {rate:,.0f} events/s ({elapsed:.1f}s)")
    fresh_settings = bench_settings(online_store)
    ensure_topics(fresh_settings.kafka)
    open_feature_store(fresh_settings, apply=True)
    lat = freshness(fresh_settings, 1_000, 15, settings.home / "fresh.log")
    result = {
        "events": events,
        "users": users,
        "online_store": online_store,
        "pipeline_events_per_s": round(rate),
        "raw_consume_events_per_s": round(raw),
        "ratio": round(rate / raw, 3),
        "freshness_rate_per_s": 1_000,
        "freshness_samples": len(lat),
        "freshness_p50_ms": round(percentile(lat, 50), 1),
        "freshness_p99_ms": round(percentile(lat, 99), 1),
        "cpu_count": os.cpu_count(),
    }
    (RESULTS / "ingest.json").write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
