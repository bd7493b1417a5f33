"""The learning loop's results for people: a per-round table and the CTR-per-round PNG."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from simulate.learning_loop import LoopResult, RetrainingResult, TrafficResult


def traffic_line(phase: TrafficResult) -> str:
    return (
        f"round {phase.round}: release {phase.release or 'none (bootstrap, uniform policy)'}; "
        f"{phase.copies} copies, {phase.templates} templates, {phase.unchecked} failing checks; "
        f"true CTR {phase.true_ctr:.3f} (random {phase.random_ctr:.3f}, oracle "
        f"{phase.oracle_ctr:.3f}), observed {phase.observed_ctr:.3f} "
        f"({phase.clicks}/{phase.impressions})"
    )


def retraining_line(result: RetrainingResult) -> str:
    head = f"retraining {result.round}: {result.round_seconds:.0f} s, "
    if result.published is None:
        head += "nothing published"
    else:
        head += f"published {result.published} (served after {result.reload_seconds} s)"
    lines = [head]
    for name, reason in result.reasons.items():
        verdict = "promoted" if name in result.promoted else "kept"
        lines.append(f"  {name}: {verdict}: {reason}")
    if result.ope is not None:
        ope = result.ope
        lines.append(
            f"  new policy: SNIPS {ope['snips']:.3f} [{ope['ci_low']:.3f}, {ope['ci_high']:.3f}]"
            f", true {ope['true']:.3f} (off by {100 * ope['relative_error']:.1f} %; worth "
            f"{ope.get('effective_sample_size', 0):.0f} of {ope.get('held_out', 0)} held-out "
            f"decisions, {ope.get('weighed_per_copy', 0)} weighed per copy; "
            f"{ope.get('snips_expected_clicks', float('nan')):.3f} with true click chances)"
        )
    return "\n".join(lines)


def loop_summary(result: LoopResult) -> dict[str, Any]:
    """The numbers `bench/results/loop.json` holds."""
    last = result.traffic[-1]
    return {
        "rounds": len(result.retraining),
        "ctr_by_round": result.ctr_by_round,
        "observed_ctr_by_round": [phase.observed_ctr for phase in result.traffic],
        "random_ctr": last.random_ctr,
        "oracle_ctr": last.oracle_ctr,
        "random_ctr_by_round": [phase.random_ctr for phase in result.traffic],
        "oracle_ctr_by_round": [phase.oracle_ctr for phase in result.traffic],
        "gap_closed": round(result.gap_closed, 4),
        "ope_estimate_vs_true": [retraining.ope for retraining in result.retraining],
        "round_seconds": [retraining.round_seconds for retraining in result.retraining],
        "reload_seconds": [retraining.reload_seconds for retraining in result.retraining],
        "published": [retraining.published for retraining in result.retraining],
        "promoted": [retraining.promoted for retraining in result.retraining],
        "copies_by_round": [phase.copies for phase in result.traffic],
        "templates_by_round": [phase.templates for phase in result.traffic],
        "failing_checks_by_round": [phase.unchecked for phase in result.traffic],
        "faithful_compliant_share": _share_passing(result),
    }


def _share_passing(result: LoopResult) -> float:
    copies = sum(phase.copies for phase in result.traffic)
    failing = sum(phase.unchecked for phase in result.traffic)
    return round(1 - failing / copies, 6) if copies else 1.0


def plot_ctr_by_round(result: LoopResult, path: Path) -> Path:
    """True CTR of the deployed policy per round, against uniform-random and the oracle."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rounds = [phase.round for phase in result.traffic]
    figure, axis = plt.subplots(figsize=(8, 4.5), dpi=110)
    axis.plot(rounds, [p.oracle_ctr for p in result.traffic], "--", color="#2ca25f", label="oracle")
    axis.plot(rounds, result.ctr_by_round, "o-", color="#08519c", label="deployed policy (true)")
    axis.plot(
        rounds,
        [p.observed_ctr for p in result.traffic],
        "x",
        color="#6baed6",
        label="deployed policy (observed)",
    )
    axis.plot(rounds, [p.random_ctr for p in result.traffic], "--", color="#de2d26", label="random")
    axis.set_xlabel("retraining round (0: bootstrap, uniform policy)")
    axis.set_ylabel("CTR (clicks per impression)")
    axis.set_xticks(rounds)
    axis.set_title(f"Copystream learning loop: gap closed {result.gap_closed:.2f}")
    axis.grid(alpha=0.3)
    axis.legend(loc="lower right")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    plt.close(figure)
    return path
