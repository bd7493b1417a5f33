"""End-to-end latency: a view produced to `user-events` → its copy readable on `generated-copy`.

Runs the real stream worker and generator service with the bootstrap model at several offered
rates, each with dynamic batching and, as the baseline in the same run, with batches of one
request. Writes bench/results/e2e.json. Run with `make bench` (starts Kafka and Redis first).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.ingest import percentile
from bench.probes import scrape_histogram
from contracts.events import ViewEvent, event_to_json
from contracts.product import Product
from contracts.settings import Settings
from contracts.vocabulary import Channel, EventType, Locale
from features.catalog import load_catalog, write_catalog_jsonl
from features.catalog_features import CatalogFeatureLoader
from features.online_reader import OnlineFeatureReader
from features.store import open_feature_store
from infra.topics import ensure_topics, tagged_topic_names
from policy.requests import request_id_for
from simulate.copy_reader import GeneratedCopyReader
from simulate.worker import (
    GeneratorServiceProcess,
    StreamWorkerProcess,
    wait_until_ready,
    wait_until_serving,
)

RESULTS = Path(__file__).resolve().parent / "results" / "e2e.json"
HTTP_PORT = 8477
BATCH_METRIC = "copystream_service_batch_requests"
DRAIN_S = 20.0


def bench_settings(max_batch_requests: int | None) -> Settings:
    base = Settings()
    tag = uuid.uuid4().hex[:8]
    service = base.service.model_dump()
    service |= {"http_port": HTTP_PORT, "group_id": f"bench-generator-{tag}"}
    if max_batch_requests is not None:
        service["max_batch_requests"] = max_batch_requests
    return Settings(
        home=base.home / "bench" / f"e2e-{tag}",
        kafka={**base.kafka.model_dump(), "topics": tagged_topic_names(base.kafka, f"e2e-{tag}")},
        redis=base.redis.model_dump(),
        feast={"project": f"e2e{tag}", "online_store": "redis"},
        streams={"app_id": f"e2e-{tag}", "metrics_port": 0},
        generator={**base.generator.model_dump(), "model_dir": base.generator_model_dir},
        service=service,
        # every view in the benchmark comes from a new shopper; no rate limit applies anyway
        decisions={"max_requests_per_user": 1_000},
        log_level="WARNING",
    )


def prepare(settings: Settings, catalog: list[Product]) -> None:
    settings.home.mkdir(parents=True, exist_ok=True)
    ensure_topics(settings.kafka)
    write_catalog_jsonl(catalog, settings.catalog_file)
    store = open_feature_store(settings, apply=True)
    CatalogFeatureLoader(store).load(catalog, settings.data_dir / "product_catalog.parquet")


def views(catalog: list[Product], count: int, label: str, seed: int) -> list[ViewEvent]:
    """One view per new shopper (so every view asks for copy), random products and surfaces."""
    rng = random.Random(seed)
    events = []
    for n in range(count):
        product = rng.choice(catalog)
        locale = rng.choice([Locale.EN, Locale.EN, Locale.ZH_CN])
        events.append(
            ViewEvent(
                type=EventType.VIEW,
                event_id=f"{label}-{n}",
                user_id=f"{label}-u{n}",
                session_id=f"{label}-s{n}",
                ts=datetime.now(UTC),
                channel=rng.choice([Channel.WEB, Channel.APP]),
                locale=locale,
                product_id=product.product_id,
                category=product.category,
                price=product.localized(locale).price,
            )
        )
    return events


def offered_load(
    settings: Settings, catalog: list[Product], rate: float, seconds: float, label: str
) -> dict[str, Any]:
    """Produce views at `rate` for `seconds`; time each until its copy is readable."""
    from kafka import KafkaProducer

    events = views(catalog, int(rate * seconds), label, seed=int(rate))
    sent_at: dict[str, float] = {}
    arrived: dict[str, tuple[float, bool]] = {}
    reader = GeneratedCopyReader(settings, from_beginning=False)
    producer = KafkaProducer(bootstrap_servers=settings.kafka.bootstrap_servers, linger_ms=0)
    batches_before = scrape_histogram(HTTP_PORT, BATCH_METRIC)
    stop = threading.Event()

    def read_copies() -> None:
        while not stop.is_set():
            for copy, at in reader.read(timeout_s=0.05):
                arrived.setdefault(copy.request_id, (at, copy.fallback.used))

    thread = threading.Thread(target=read_copies, daemon=True)
    thread.start()
    started = time.perf_counter()
    for n, event in enumerate(events):
        ahead = n / rate - (time.perf_counter() - started)
        if ahead > 0:
            time.sleep(ahead)
        sent_at[request_id_for("view", event.event_id)] = time.time()
        producer.send(
            settings.kafka.topics.user_events,
            key=event.user_id.encode(),
            value=event_to_json(event),
        )
    producer.flush()
    drain_until = time.monotonic() + DRAIN_S
    while len(arrived.keys() & sent_at.keys()) < len(sent_at) and time.monotonic() < drain_until:
        time.sleep(0.1)
    stop.set()
    thread.join()
    reader.close()
    producer.close()
    batches_after = scrape_histogram(HTTP_PORT, BATCH_METRIC)
    latencies = [(arrived[r][0] - t) * 1000 for r, t in sent_at.items() if r in arrived]
    batches = batches_after[1] - batches_before[1]
    return {
        "offered_rate_per_s": rate,
        "seconds": seconds,
        "requests": len(sent_at),
        "answered": len(latencies),
        "fallbacks": sum(arrived[r][1] for r in sent_at if r in arrived),
        "p50_ms": round(percentile(latencies, 50), 1),
        "p99_ms": round(percentile(latencies, 99), 1),
        "mean_batch_size": round((batches_after[0] - batches_before[0]) / batches, 2)
        if batches
        else None,
    }


def run_configuration(
    name: str, max_batch: int | None, rates: list[float], seconds: float, catalog: list[Product]
) -> list[dict[str, Any]]:
    settings = bench_settings(max_batch)
    prepare(settings, catalog)
    logs = settings.home / "logs"
    worker = StreamWorkerProcess(settings, logs / "stream-worker.log").start()
    service = GeneratorServiceProcess(settings, logs / "generator-service.log").start()
    try:
        wait_until_serving(settings, OnlineFeatureReader(open_feature_store(settings)), 180, worker)
        wait_until_ready(settings, 180)
        offered_load(settings, catalog, 10, 3, f"{name}-warmup")  # JIT, caches, connections
        results = []
        for rate in rates:
            label = f"{name}-{int(rate)}-{uuid.uuid4().hex[:4]}"
            result = offered_load(settings, catalog, rate, seconds, label)
            print(f"{name:>20} @ {rate:>5.0f}/s: {json.dumps(result)}", flush=True)
            results.append(result)
        return results
    finally:
        service.stop()
        worker.stop()


def device() -> str:
    import onnxruntime as ort

    if "CUDAExecutionProvider" in ort.get_available_providers():
        return "cuda (onnxruntime CUDAExecutionProvider)"
    return f"cpu: {platform.processor() or platform.machine()}, {os.cpu_count()} cores"


def main(rates: list[float], seconds: float) -> dict[str, Any]:
    catalog = load_catalog(Settings())
    batched = run_configuration("dynamic-batching", None, rates, seconds, catalog)
    single = run_configuration("batch-of-one", 1, rates, seconds, catalog)
    defaults = Settings().service
    ratios = [
        round(s["p99_ms"] / b["p99_ms"], 2) if b["p99_ms"] else None
        for b, s in zip(batched, single, strict=True)
    ]
    result = {
        "device": device(),
        "model_dir": str(Settings().generator_model_dir),
        "max_batch_requests": defaults.max_batch_requests,
        "max_wait_ms": defaults.max_wait_ms,
        "results": batched,
        "baseline_batch_of_one": single,
        "p99_ratio_baseline_over_batched": ratios,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nend to end (view produced → copy readable), {result['device']}")
    print(
        f"{'rate/s':>7}{'answered':>10}{'fallbacks':>10}{'p50 ms':>9}{'p99 ms':>9}{'batch':>7}"
        f"{'p99 batch=1':>13}{'ratio':>7}"
    )
    for b, s, ratio in zip(batched, single, ratios, strict=True):
        print(
            f"{b['offered_rate_per_s']:>7.0f}{b['answered']:>5}/{b['requests']:<4}"
            f"{b['fallbacks']:>10}{b['p50_ms']:>9}{b['p99_ms']:>9}{b['mean_batch_size']!s:>7}"
            f"{s['p99_ms']:>13}{ratio!s:>7}"
        )
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rates", default="25,50", help="offered requests per second")
    parser.add_argument("--seconds", type=float, default=20.0, help="per rate")
    args = parser.parse_args()
    main([float(r) for r in args.rates.split(",")], args.seconds)
