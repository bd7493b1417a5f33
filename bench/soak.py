"""Soak: the whole loop at steady load for a long time; every service's memory must stay flat.

Starts the stream worker, the outcome joiner and the generator service on their own topics,
Feast project (Redis) and home (`simulate.learning_loop.loop_settings`), drives the seeded
storefront at a fixed event rate and `POST /v1/copy` at a fixed rate, samples each service's
RSS (process and children) and Prometheus counters, then drains and checks that every copy
request got exactly one copy. Writes bench/results/soak.json and soak_memory.png; exits 1
when a target fails. Run with `make soak` (starts Kafka and Redis, builds the model first).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import socket
import sys
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType

from bench.probes import child_pid, scrape
from bench.soak_report import plot_memory, print_summary, soak_report
from bench.soak_run import SoakPlan, SoakRun
from bench.soak_traffic import WATCHED, HttpAsker, TopicLedger, apply_load, drain, metric_ports
from contracts.errors import ConfigurationError
from contracts.logs import configure_logging
from contracts.product import Product
from contracts.settings import Settings

RESULTS = Path(__file__).resolve().parent / "results"


def soak_settings(base: Settings, plan: SoakPlan) -> Settings:
    """The learning loop's isolated settings (own home, topics, Feast project on Redis), with
    free ports for the service's HTTP API and the workers' /metrics."""
    from simulate.learning_loop import LoopPlan, loop_settings

    model_dir = base.generator_model_dir
    if not (model_dir / "copystream_model.json").is_file():
        raise ConfigurationError(
            f"no bootstrap model in {model_dir} (expected copystream_model.json there); "
            "run `make model` first"
        )
    ports = [free_port() for _ in range(3)]
    loop = LoopPlan(http_port=ports[0], seed=plan.seed)
    settings = loop_settings(base, loop, tag=f"soak{uuid.uuid4().hex[:8]}")
    return settings.model_copy(
        update={
            "streams": settings.streams.model_copy(update={"metrics_port": ports[1]}),
            "outcomes": settings.outcomes.model_copy(update={"metrics_port": ports[2]}),
        }
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def run_soak(settings: Settings, plan: SoakPlan, catalog: list[Product]) -> SoakRun:
    """Start the services, load them for `plan.minutes`, drain, stop them (also on Ctrl-C)."""
    from simulate.learning_loop import prepare_run, wait_for_services
    from simulate.storefront.config import StorefrontConfig
    from simulate.storefront.storefront import Storefront
    from simulate.worker import GeneratorServiceProcess, OutcomeWorkerProcess, StreamWorkerProcess

    prepare_run(settings, catalog)
    logs = settings.home / "logs"
    run = SoakRun(plan, settings)
    with contextlib.ExitStack() as cleanup:
        pids = {}
        for name, kind in (
            ("stream-worker", StreamWorkerProcess),
            ("outcome-joiner", OutcomeWorkerProcess),
            ("generator-service", GeneratorServiceProcess),
        ):
            process = kind(settings, logs / f"{name}.log").start()
            cleanup.callback(process.stop)
            pids[name] = child_pid(process.module)
        print(f"services started (logs in {logs}); waiting until they serve", flush=True)
        wait_for_services(settings)
        ledger = TopicLedger(settings).start()
        cleanup.callback(ledger.close)
        storefront = Storefront(settings, catalog, StorefrontConfig(seed=plan.seed))
        cleanup.callback(storefront.close)
        asker = HttpAsker(settings, storefront.population.shoppers, catalog)
        cleanup.callback(asker.stop)
        storefront.start()
        asker.start(plan.http_per_s, plan.http_timeout_s, plan.seed)
        apply_load(run, storefront, pids, ledger, asker)
        asker.stop()
        drain(run, storefront, ledger)
        run.http = asker.counts()
        run.ledger = ledger.counts()
        run.metrics = {n: scrape(p, WATCHED[n]) for n, p in metric_ports(settings).items()}
    run.outcome_records = outcome_records(settings)
    return run


def outcome_records(settings: Settings) -> int:
    """Records in the run's outcome log (today and yesterday, UTC: a run may cross midnight)."""
    from features.outcome_log import OutcomeLogReader

    today = datetime.now(UTC).date()
    reader = OutcomeLogReader(settings.outcome_log_uri)
    return len(reader.read(today - timedelta(days=1), today, allow_missing=True).records)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    """SIGTERM ends the run like Ctrl-C, so the services are stopped on the way out."""
    raise KeyboardInterrupt


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=SoakPlan.minutes)
    parser.add_argument("--events-per-s", type=float, default=SoakPlan.events_per_s)
    parser.add_argument("--http-per-s", type=float, default=SoakPlan.http_per_s)
    args = parser.parse_args()
    if args.minutes < 1 or args.events_per_s <= 0 or args.http_per_s <= 0:
        parser.error("need --minutes >= 1, --events-per-s > 0 and --http-per-s > 0")
    plan = SoakPlan(
        minutes=args.minutes, events_per_s=args.events_per_s, http_per_s=args.http_per_s
    )
    signal.signal(signal.SIGTERM, _interrupt)
    base = Settings().model_copy(update={"log_level": "WARNING"})
    configure_logging(base.model_copy(update={"log_json": False}))
    try:
        settings = soak_settings(base, plan)
    except ConfigurationError as exc:
        print(f"soak: {exc}", file=sys.stderr)
        return 2
    from features.catalog import CatalogGenerator

    catalog = CatalogGenerator(settings.catalog.seed, settings.catalog.products).generate()
    print(
        f"soak: {plan.minutes:g} min at {plan.events_per_s:g} events/s and {plan.http_per_s:g} "
        f"HTTP asks/s, RSS sampled every {plan.sample_s:g} s; home {settings.home}",
        flush=True,
    )
    try:
        report = soak_report(run_soak(settings, plan, catalog))
    except KeyboardInterrupt:
        print("soak: interrupted; the services are stopped, nothing written", file=sys.stderr)
        return 130
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "soak.json").write_text(json.dumps(report, indent=2) + "\n")
    plot_memory(report, RESULTS / "soak_memory.png")
    print_summary(report)
    print(f"wrote {RESULTS / 'soak.json'} and {RESULTS / 'soak_memory.png'}")
    return 0 if report["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
