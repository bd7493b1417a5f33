"""The soak's results for people: the memory verdict per service, bench/results/soak.json,
the RSS-over-time PNG, the progress lines and the closing summary."""

from __future__ import annotations

import os
import platform
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.probes import total
from bench.soak_run import LedgerCounts, SoakPlan, SoakRun

GROWTH_LIMIT = 0.10
"""Largest relative change of median RSS, steady window to the end, that still counts as flat."""


@dataclass(frozen=True)
class MemoryVerdict:
    """One service's RSS over the load, in MB; `growth` is final median / steady median - 1."""

    start_mb: float
    steady_mb: float
    final_mb: float
    peak_mb: float
    growth: float
    slope_mb_per_min: float
    flat: bool


def memory_verdict(series: Sequence[tuple[float, float]], plan: SoakPlan) -> MemoryVerdict:
    """Median RSS of the final window against the steady window (after warm-up)."""

    def median_in(window: tuple[float, float]) -> float:
        values = [mb for t, mb in series if window[0] <= t <= window[1]]
        return statistics.median(values) if values else float("nan")

    steady, final = median_in(plan.steady_window_s), median_in(plan.final_window_s)
    after = [(t, mb) for t, mb in series if t >= plan.steady_window_s[0]]
    slope = 0.0
    if len(after) > 1:
        slope = 60 * statistics.linear_regression(*zip(*after, strict=True)).slope
    growth = final / steady - 1 if steady > 0 else float("nan")
    return MemoryVerdict(
        start_mb=round(series[0][1], 1) if series else 0.0,
        steady_mb=round(steady, 1),
        final_mb=round(final, 1),
        peak_mb=round(max((mb for _, mb in series), default=0.0), 1),
        growth=round(growth, 4),
        slope_mb_per_min=round(slope, 3),
        flat=abs(growth) <= GROWTH_LIMIT,
    )


def progress_line(run: SoakRun, at: float, counts: LedgerCounts) -> str:
    rss = ", ".join(f"{name} {series[-1][1]:.0f}" for name, series in run.rss.items())
    http = run_http_counts(run)
    queue = total(run.metrics.get("generator-service", {}), "copystream_service_queue_depth")
    return (
        f"{at / 60:5.1f}/{run.plan.minutes:g} min: {counts.events_by_type.get('view', 0)} views, "
        f"{counts.requests_with_copy}/{counts.copy_requests} requests answered, "
        f"{http['answered']} http ({http['timeouts']} timeouts), queue {queue:.0f}; RSS MB: {rss}"
    )


def run_http_counts(run: SoakRun) -> dict[str, Any]:
    no_answer = run.http["timeout"] + run.http["error"]
    return {
        "asked": run.http.total(),
        "answered": run.http.total() - no_answer,
        "timeouts": run.http["timeout"],
        "errors": run.http["error"],
        "status": {k: v for k, v in sorted(run.http.items()) if k.isdigit()},
    }


def soak_report(run: SoakRun) -> dict[str, Any]:
    """The numbers bench/results/soak.json holds."""
    plan, counts = run.plan, run.ledger
    assert counts is not None
    verdicts = {name: memory_verdict(series, plan) for name, series in run.rss.items()}
    http = run_http_counts(run)
    unanswered = counts.requests_without_copy + http["timeouts"] + http["errors"]
    shown = run.storefront["impressions"]
    targets = {
        "memory_flat": bool(verdicts) and all(v.flat for v in verdicts.values()),
        "nothing_unanswered": unanswered == 0,
        "one_copy_per_request": counts.requests_with_several_copies == 0,
        "services_alive": run.services_alive,
    }
    return {
        "passed": all(targets.values()),
        "targets": targets,
        "unanswered": unanswered,
        "plan": asdict(plan) | {"sample_s": plan.sample_s},
        "load_s": run.load_s,
        "memory": {
            "growth_limit": GROWTH_LIMIT,
            "steady_window_s": plan.steady_window_s,
            "final_window_s": plan.final_window_s,
            "services": {
                name: asdict(verdicts[name])
                | {"processes_at_end_mb": run.processes.get(name, {}), "series_s_mb": series}
                for name, series in run.rss.items()
            },
        },
        "counts": {
            "views_sent": counts.events_by_type.get("view", 0),
            "events_by_type": counts.events_by_type,
            "copy_requests": counts.copy_requests,
            "requests_with_copy": counts.requests_with_copy,
            "requests_without_copy": counts.requests_without_copy,
            "requests_with_several_copies": counts.requests_with_several_copies,
            "copies": counts.copies,
            "copies_asked_over_http": counts.copies_without_request,
            "fallbacks": counts.fallbacks,
            "http": http,
            "storefront": dict(run.storefront),
            "outcome_records_written": run.outcome_records,
            "shown_copies_without_outcome": max(shown - run.outcome_records, 0),
            "dead_letters": counts.dead_letters,
        },
        "metrics_at_end": run.metrics,
        "settings": {
            "home": str(run.settings.home),
            "online_store": run.settings.feast.online_store,
            "model_dir": str(run.settings.generator_model_dir),
            "max_requests_per_user": run.settings.decisions.max_requests_per_user,
            "attribution_window_s": run.settings.outcomes.attribution_window_s,
        },
        "machine": {"cpus": os.cpu_count(), "platform": platform.platform()},
        "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }


def plot_memory(report: dict[str, Any], path: Path) -> Path:
    """RSS per service over the run, with the steady and final windows shaded."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, axis = plt.subplots(figsize=(9, 4.8), dpi=110)
    memory = report["memory"]
    for name, service in memory["services"].items():
        t, mb = zip(*service["series_s_mb"], strict=True) if service["series_s_mb"] else ((), ())
        label = f"{name} ({100 * service['growth']:+.1f} %)"
        axis.plot([s / 60 for s in t], mb, label=label)
    for (start, end), color in ((memory["steady_window_s"], "#9ecae1"),
                                (memory["final_window_s"], "#fdae6b")):  # fmt: skip
        axis.axvspan(start / 60, end / 60, color=color, alpha=0.25)
    axis.set_xlabel("minutes of load (shaded: steady window, final window)")
    axis.set_ylabel("RSS, MB (process and children)")
    verdict = "flat" if report["targets"]["memory_flat"] else "NOT flat"
    axis.set_title(f"Copystream soak: memory {verdict} (limit ±{100 * GROWTH_LIMIT:.0f} %)")
    axis.set_ylim(bottom=0)
    axis.grid(alpha=0.3)
    axis.legend(loc="lower right")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    plt.close(figure)
    return path


def print_summary(report: dict[str, Any]) -> None:
    print(f"\nsoak: {report['load_s'] / 60:.1f} min of load; RSS MB (process and children)")
    print(f"{'service':<20}{'start':>8}{'steady':>8}{'final':>8}{'peak':>8}{'growth':>9}"
          f"{'MB/min':>8}  flat")  # fmt: skip
    for name, v in report["memory"]["services"].items():
        print(
            f"{name:<20}{v['start_mb']:>8.0f}{v['steady_mb']:>8.0f}{v['final_mb']:>8.0f}"
            f"{v['peak_mb']:>8.0f}{100 * v['growth']:>8.1f}%{v['slope_mb_per_min']:>8.2f}  "
            f"{'yes' if v['flat'] else 'NO'}"
        )
    c = report["counts"]
    print(
        f"views {c['views_sent']}, copy requests {c['copy_requests']} (without copy "
        f"{c['requests_without_copy']}, several copies {c['requests_with_several_copies']}), "
        f"copies {c['copies']} ({c['fallbacks']} templates)\n"
        f"http: {c['http']['asked']} asked, status {c['http']['status']}, "
        f"{c['http']['timeouts']} timeouts, {c['http']['errors']} errors\n"
        f"shown {c['storefront'].get('impressions', 0)}, outcome records "
        f"{c['outcome_records_written']}, dead letters {c['dead_letters'] or 0}\n"
        f"unanswered {report['unanswered']}; targets {report['targets']}: "
        f"{'PASS' if report['passed'] else 'FAIL'}"
    )
