"""The soak's traffic: storefront load and HTTP asks at fixed rates, the topic ledger that
counts what the run's topics hold, and the drain that waits for the last copies."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import orjson

from bench.probes import process_tree_rss_mb, scrape, total
from bench.soak_report import progress_line
from bench.soak_run import LedgerCounts, SoakRun
from contracts.product import Product
from contracts.settings import Settings
from simulate.storefront.population import Shopper

if TYPE_CHECKING:
    from simulate.storefront.storefront import Storefront, StorefrontStats

WATCHED = {
    "stream-worker": ("copystream_events", "copystream_copy_", "copystream_dead_letters"),
    "outcome-joiner": ("copystream_outcome_records",),
    "generator-service": (
        "copystream_copies",
        "copystream_fallbacks",
        "copystream_service_requests",
        "copystream_service_queue_depth",
        "copystream_request_dead_letters",
    ),
}
"""Prometheus families (name prefixes) each service's /metrics is sampled for."""


def metric_ports(settings: Settings) -> dict[str, int]:
    return {
        "stream-worker": settings.streams.metrics_port,
        "outcome-joiner": settings.outcomes.metrics_port,
        "generator-service": settings.service.http_port,
    }


class TopicLedger:
    """Reads `user-events`, `copy-requests`, `generated-copy` and `dead-letters` of the run from
    the start in its own thread (a group-less kafka-python consumer, never shared)."""

    def __init__(self, settings: Settings) -> None:
        from kafka import KafkaConsumer, TopicPartition

        topics, kafka = settings.kafka.topics, settings.kafka
        self._handlers = {
            topics.user_events: self._on_event,
            topics.copy_requests: self._on_request,
            topics.generated_copy: self._on_copy,
            topics.dead_letters: self._on_dead_letter,
        }
        counts = {topics.user_events: kafka.user_events_partitions}
        partitions = [
            TopicPartition(topic, p)
            for topic in self._handlers
            for p in range(counts.get(topic, kafka.partitions))
        ]
        self._consumer = KafkaConsumer(
            bootstrap_servers=kafka.bootstrap_servers, enable_auto_commit=False
        )
        self._consumer.assign(partitions)
        self._consumer.seek_to_beginning(*partitions)
        self._events: Counter[str] = Counter()
        self._requested: set[str] = set()
        self._copies: Counter[str] = Counter()
        self._fallbacks = 0
        self._dead_letters: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="soak-ledger", daemon=True)

    def start(self) -> TopicLedger:
        self._thread.start()
        return self

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)
        self._consumer.close()

    def counts(self) -> LedgerCounts:
        with self._lock:
            answered = self._requested & self._copies.keys()
            return LedgerCounts(
                events_by_type=dict(self._events),
                copy_requests=len(self._requested),
                requests_with_copy=len(answered),
                requests_without_copy=len(self._requested) - len(answered),
                requests_with_several_copies=sum(self._copies[r] > 1 for r in answered),
                copies=self._copies.total(),
                copies_without_request=len(self._copies.keys() - self._requested),
                fallbacks=self._fallbacks,
                dead_letters=dict(self._dead_letters),
            )

    def _run(self) -> None:
        while not self._stop.is_set():
            batches = self._consumer.poll(timeout_ms=200)
            with self._lock:
                for partition, records in batches.items():
                    handle = self._handlers[partition.topic]
                    for record in records:
                        handle(orjson.loads(record.value))

    def _on_event(self, doc: dict[str, Any]) -> None:
        self._events[str(doc.get("type"))] += 1

    def _on_request(self, doc: dict[str, Any]) -> None:
        self._requested.add(doc["request_id"])

    def _on_copy(self, doc: dict[str, Any]) -> None:
        self._copies[doc["request_id"]] += 1
        self._fallbacks += bool(doc.get("fallback", {}).get("used"))

    def _on_dead_letter(self, doc: dict[str, Any]) -> None:
        self._dead_letters[str(doc.get("error_type"))] += 1


class HttpAsker:
    """`POST /v1/copy` at a fixed rate from its own thread, one ask at a time, each with a
    client timeout; counts answers by status code, plus `timeout` and `error` (no answer)."""

    def __init__(
        self, settings: Settings, shoppers: Sequence[Shopper], products: Sequence[Product]
    ) -> None:
        self._counts: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._settings = settings
        self._shoppers, self._products = list(shoppers), list(products)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, rate_per_s: float, timeout_s: float, seed: int) -> HttpAsker:
        self._thread = threading.Thread(
            target=self._run, args=(rate_per_s, timeout_s, seed), name="soak-http", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def counts(self) -> Counter[str]:
        with self._lock:
            return Counter(self._counts)

    def _run(self, rate_per_s: float, timeout_s: float, seed: int) -> None:
        import random

        import httpx

        service = self._settings.service
        url = f"http://{service.http_host}:{service.http_port}/v1/copy"
        token = service.api_token.get_secret_value()
        rng = random.Random(seed)
        started = time.monotonic()
        with httpx.Client(timeout=timeout_s, headers={"authorization": f"Bearer {token}"}) as http:
            for n in range(1_000_000_000):  # ends with stop(); the range only bounds the loop
                if self._stop.wait(max(started + n / rate_per_s - time.monotonic(), 0.0)):
                    return
                shopper = rng.choice(self._shoppers)
                body = {
                    "user_id": shopper.user_id,
                    "product_id": rng.choice(self._products).product_id,
                    "channel": shopper.channel.value,
                    "locale": shopper.locale.value,
                }
                try:
                    answer = str(http.post(url, json=body).status_code)
                except httpx.TimeoutException:
                    answer = "timeout"
                except httpx.TransportError:
                    answer = "error"
                with self._lock:
                    self._counts[answer] += 1


def apply_load(
    run: SoakRun,
    storefront: Storefront,
    pids: Mapping[str, int],
    ledger: TopicLedger,
    asker: HttpAsker,
) -> None:
    """Storefront traffic in slices of `sample_s`, sampling RSS and /metrics after each slice;
    stops early when a service has died."""
    plan = run.plan
    ports = metric_ports(run.settings)
    started = last_line = time.monotonic()
    for _ in range(int(plan.duration_s / plan.sample_s + 0.5)):
        stats = storefront.run(plan.sample_s, plan.events_per_s, drain_s=0.0)
        add_storefront_stats(run.storefront, stats)
        at = time.monotonic() - started
        for name, pid in pids.items():
            run.processes[name] = process_tree_rss_mb(pid)
            rss = round(sum(run.processes[name].values()), 1)
            run.rss.setdefault(name, []).append((round(at, 1), rss))
        run.http = asker.counts()
        run.metrics = {name: scrape(port, WATCHED[name]) for name, port in ports.items()}
        run.services_alive = all(series[-1][1] > 0 for series in run.rss.values())
        if time.monotonic() - last_line >= 30 or not run.services_alive:
            print(progress_line(run, at, ledger.counts()), flush=True)
            last_line = time.monotonic()
        if not run.services_alive:
            print("a service died; stopping the load early", flush=True)
            break
    run.load_s = round(time.monotonic() - started, 1)


def drain(run: SoakRun, storefront: Storefront, ledger: TopicLedger) -> None:
    """React to the last copies, until every request has its copy and every shown copy its
    outcome record, or `drain_s` has passed."""
    port = run.settings.outcomes.metrics_port
    deadline = time.monotonic() + run.plan.drain_s
    while time.monotonic() < deadline:
        add_storefront_stats(run.storefront, storefront.run(0.0, 1.0, drain_s=1.0))
        samples = scrape(port, WATCHED["outcome-joiner"])
        written = total(samples, "copystream_outcome_records_total", "result=written")
        if ledger.counts().requests_without_copy == 0 and written >= run.storefront["impressions"]:
            return


def add_storefront_stats(totals: Counter[str], stats: StorefrontStats) -> None:
    for name in ("events_sent", "copies_seen", "impressions", "clicks", "duplicate_copies"):
        totals[name] += getattr(stats, name)
