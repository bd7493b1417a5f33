"""The learning loop's benchmark: CTR per retraining round against uniform-random and oracle.

Runs `simulate.learning_loop` with a fixed seed on the real services (Kafka and Redis from
`make infra`, the bootstrap model from `make model`) and writes bench/results/loop.json and
bench/results/loop_ctr.png. The baseline, uniform-random angles, is round 0 of the same run
(the cold-start policy) and is also computed exactly on every round's contexts.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
from pathlib import Path

from contracts.logs import configure_logging
from contracts.settings import Settings
from simulate.learning_loop import LearningLoop, LoopPlan, loop_settings
from simulate.loop_report import loop_summary, plot_ctr_by_round, retraining_line, traffic_line

RESULTS = Path(__file__).resolve().parent / "results"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=LoopPlan.rounds)
    parser.add_argument("--traffic-s", type=float, default=LoopPlan.traffic_s)
    parser.add_argument("--events-per-s", type=float, default=LoopPlan.events_per_s)
    args = parser.parse_args()
    base = Settings()
    configure_logging(base.model_copy(update={"log_json": False, "log_level": "WARNING"}))
    plan = LoopPlan(rounds=args.rounds, traffic_s=args.traffic_s, events_per_s=args.events_per_s)
    settings = loop_settings(base.model_copy(update={"log_level": "WARNING"}), plan)
    from features.catalog import CatalogGenerator

    catalog = CatalogGenerator(settings.catalog.seed, settings.catalog.products).generate()
    result = LearningLoop(settings, catalog, plan).run(
        on_traffic=lambda phase: print(traffic_line(phase), flush=True),
        on_retraining=lambda retraining: print(retraining_line(retraining), flush=True),
    )
    summary = loop_summary(result) | {
        "ratio_to_random": round(result.ctr_by_round[-1] / result.traffic[-1].random_ctr, 3),
        "plan": plan.__dict__,
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "home": str(result.home),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "loop.json").write_text(json.dumps(summary, indent=2) + "\n")
    plot_ctr_by_round(result, RESULTS / "loop_ctr.png")
    print(
        f"gap closed {summary['gap_closed']:.2f}; last CTR {result.ctr_by_round[-1]:.3f} = "
        f"{summary['ratio_to_random']}x random; wrote {RESULTS / 'loop.json'}"
    )


if __name__ == "__main__":
    main()
