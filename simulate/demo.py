"""`make demo`: the whole learning loop on local defaults, end to end, with a readable live view.

Starts from running Kafka/Redis (`make infra`) and the bootstrap model (`make model`). Starts
the stream worker (features and copy decisions), the outcome joiner and the generator service
on a run of their own, then: simulated shoppers see live copy and click or buy; outcomes are
logged; a retraining round updates the angle policy, the reward model and the copy model; the
service and the decider hot-reload the new release; repeat. Prints sample copies, the CTR of
each round against uniform-random and the oracle, and writes a PNG of CTR per round.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from contracts.copies import GeneratedCopy
from contracts.logs import configure_logging
from contracts.settings import Settings
from simulate.learning_loop import LearningLoop, LoopPlan, loop_settings
from simulate.loop_report import plot_ctr_by_round, retraining_line, traffic_line

SAMPLE_EVERY = 100
"""One copy in this many is printed, so a round reads as a handful of examples."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=LoopPlan.rounds)
    parser.add_argument("--traffic-s", type=float, default=LoopPlan.traffic_s)
    args = parser.parse_args()
    base = Settings()
    configure_logging(base.model_copy(update={"log_json": False, "log_level": "WARNING"}))
    plan = LoopPlan(rounds=args.rounds, traffic_s=args.traffic_s)
    settings = loop_settings(base.model_copy(update={"log_level": "WARNING"}), plan)
    from features.catalog import CatalogGenerator

    catalog = CatalogGenerator(settings.catalog.seed, settings.catalog.products).generate()
    print(
        f"run home {settings.home} (logs in {settings.home / 'logs'}); {plan.shoppers} "
        f"shoppers, {plan.events_per_s:.0f} events/s for {plan.traffic_s:.0f} s per round, "
        f"{plan.rounds} retraining rounds"
    )
    printed = {"n": 0}

    def sample(copy: GeneratedCopy) -> None:
        printed["n"] += 1
        if printed["n"] % SAMPLE_EVERY == 1:
            _print_copy(copy)

    def ask_over_http(running: Settings) -> None:
        _ask_over_http(running, catalog)

    started = time.monotonic()
    result = LearningLoop(settings, catalog, plan).run(
        on_traffic=lambda phase: print(traffic_line(phase) + "\n", flush=True),
        on_retraining=lambda retraining: print(retraining_line(retraining) + "\n", flush=True),
        on_copy=sample,
        on_finish=ask_over_http,
    )
    plot = plot_ctr_by_round(result, settings.home / "ctr_by_round.png")
    ctr = " → ".join(f"{value:.3f}" for value in result.ctr_by_round)
    print(
        f"\ntrue CTR by round {ctr}; gap to the oracle closed {result.gap_closed:.2f}; "
        f"{(time.monotonic() - started) / 60:.1f} min; plot: {plot}"
    )


def _print_copy(copy: GeneratedCopy) -> None:
    angle = copy.requested_angle.value
    if copy.angle != copy.requested_angle:
        angle += f" ({copy.angle.value})"
    source = " [template]" if copy.fallback.used else ""
    print(
        f"  {copy.user_id:<12}{copy.product_id:<8}{copy.channel.value:<5}{copy.locale.value:<6}"
        f"{angle:<28}p={copy.propensity:.2f} {copy.latency_ms:>5.0f} ms  {copy.text}{source}"
    )


def _ask_over_http(settings: Settings, catalog: list[Any]) -> None:
    """The synchronous path a live session would use."""
    import httpx

    url = f"http://{settings.service.http_host}:{settings.service.http_port}/v1/copy"
    body = {
        "user_id": "u00001",
        "product_id": catalog[0].product_id,
        "channel": "app",
        "locale": "zh-CN",
    }
    token = settings.service.api_token.get_secret_value()
    started = time.perf_counter()
    response = httpx.post(url, json=body, headers={"Authorization": f"Bearer {token}"})
    took = (time.perf_counter() - started) * 1000
    print(f"\nPOST {url} {body} → {response.status_code} in {took:.0f} ms")
    if response.is_success:
        copy = response.json()
        print(f"  angle {copy['angle']} (p={copy['propensity']:.3f}): {copy['text']}")
    else:
        print(f"  {response.text}")


if __name__ == "__main__":
    main()
