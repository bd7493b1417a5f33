"""A round's report: JSON for machines, a few lines for people, a PNG of the curves.

Written into the published release folder, or into `<home>/reports/<round id>/` when the round
published nothing, so the reason a champion was kept is on disk next to the numbers.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from training.trainer import TrainingCurves

REPORT_JSON = "round_report.json"
REPORT_TEXT = "round_report.txt"
REPORT_PNG = "round_curves.png"


@dataclass
class RoundReport:
    round_id: str
    started_at: str
    published: str | None  # the new release's version; None when nothing was promoted
    champion: str | None
    reason: str  # one line: what the round did and why
    examples: int
    train_examples: int = 0
    holdout_examples: int = 0
    data_window: dict[str, Any] = field(default_factory=dict)
    gate: dict[str, Any] = field(default_factory=dict)
    components: dict[str, dict[str, Any]] = field(default_factory=dict)
    step_seconds: dict[str, float] = field(default_factory=dict)
    round_seconds: float = 0.0
    folder: str | None = None  # where these files were written

    def as_dict(self) -> dict[str, Any]:
        return json_safe(self.__dict__)

    def text(self) -> str:
        """The short human summary (also the CLI's output)."""
        head = (
            f"round {self.round_id}: published {self.published}"
            if self.published
            else f"round {self.round_id}: nothing published"
        )
        lines = [
            head,
            f"  champion: {self.champion or 'none (cold start)'}",
            f"  data: {self.examples} outcomes ({self.train_examples} train, "
            f"{self.holdout_examples} held out), partitions "
            f"{', '.join(self.data_window.get('partitions', [])) or 'none'}",
            f"  {self.reason}",
        ]
        for name, verdict in self.gate.get("verdicts", {}).items():
            outcome = "promoted" if verdict["promote"] else "kept champion"
            lines.append(f"  {name}: {outcome}: {verdict['reason']}")
        steps = ", ".join(f"{k} {v:.1f}s" for k, v in self.step_seconds.items())
        lines.append(f"  took {self.round_seconds:.1f}s ({steps})")
        return "\n".join(lines) + "\n"

    def write(
        self, folder: Path, curves: TrainingCurves | None = None, *, final: Path | None = None
    ) -> Path:
        """Write the three files into `folder`; `final` is where they will live once a staging
        folder is renamed (recorded in the report instead of `folder`)."""
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = str(final or folder)
        (folder / REPORT_JSON).write_text(json.dumps(self.as_dict(), indent=2) + "\n")
        (folder / REPORT_TEXT).write_text(self.text())
        plot_round(self, curves, folder / REPORT_PNG)
        return folder


def plot_round(report: RoundReport, curves: TrainingCurves | None, path: Path) -> Path:
    """Three panels: fine-tune loss and held-out perplexity; policy value estimates with their
    intervals; reward-model log loss per head, champion against challenger."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (tune_axis, ope_axis, loss_axis) = plt.subplots(1, 3, figsize=(15, 4.5), dpi=100)
    _plot_finetune(tune_axis, curves)
    _plot_policy_values(ope_axis, report.components.get("angle_policy", {}))
    _plot_reward_loss(loss_axis, report.components.get("reward_model", {}))
    figure.suptitle(f"retraining round {report.round_id}")
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    plt.close(figure)
    return path


def _plot_finetune(axis: Any, curves: TrainingCurves | None) -> None:
    axis.set_title("copy model fine-tune")
    if curves is None or not curves.steps:
        axis.text(0.5, 0.5, "not fine-tuned this round", ha="center", va="center")
        return
    axis.plot(curves.steps, curves.train_loss, color="#08519c", label="weighted train loss")
    axis.set_xlabel("step")
    axis.set_ylabel("loss per copy")
    if curves.eval_steps:
        twin = axis.twinx()
        twin.plot(curves.eval_steps, curves.eval_perplexity, "o-", color="#d94801")
        twin.set_ylabel("held-out perplexity", color="#d94801")
    axis.legend(loc="upper right")


def _plot_policy_values(axis: Any, policy: dict[str, Any]) -> None:
    axis.set_title("angle policy value on held-out decisions")
    bars: list[tuple[str, float, float, float]] = []
    for side in ("champion", "challenger"):
        estimate = policy.get(f"{side}_value")
        if estimate:
            for name in ("ips", "snips"):
                interval = estimate[f"{name}_interval"]
                bars.append((f"{side}\n{name.upper()}", estimate[name], *_bounds(interval)))
    logged = policy.get("logged_value")
    if logged:
        bars.append(("logged\nmean", logged["mean"], *_bounds(logged["interval"])))
    if not bars:
        axis.text(0.5, 0.5, "not evaluated this round", ha="center", va="center")
        return
    labels = [bar[0] for bar in bars]
    values = [_or_zero(bar[1]) for bar in bars]
    errors = [
        [max(_or_zero(bar[1]) - _or_zero(bar[2]), 0.0) for bar in bars],
        [max(_or_zero(bar[3]) - _or_zero(bar[1]), 0.0) for bar in bars],
    ]
    colors = ["#9ecae1" if label.startswith("champion") else "#3182bd" for label in labels]
    axis.bar(labels, values, yerr=errors, capsize=4, color=colors)
    axis.set_ylabel(f"reward per decision ({policy.get('reward', 'click')})")


def _plot_reward_loss(axis: Any, reward: dict[str, Any]) -> None:
    axis.set_title("reward model held-out log loss")
    champion, challenger = reward.get("champion_loss", {}), reward.get("challenger_loss", {})
    heads = sorted(set(champion) | set(challenger))
    if not heads:
        axis.text(0.5, 0.5, "not evaluated this round", ha="center", va="center")
        return
    positions = range(len(heads))
    axis.bar(
        [p - 0.2 for p in positions],
        [_or_zero(champion.get(h)) for h in heads],
        0.4,
        label=str(reward.get("champion_label", "champion")),
        color="#9ecae1",
    )
    axis.bar(
        [p + 0.2 for p in positions],
        [_or_zero(challenger.get(h)) for h in heads],
        0.4,
        label="challenger",
        color="#3182bd",
    )
    axis.set_xticks(list(positions), heads)
    axis.set_ylabel("log loss (lower is better)")
    axis.legend()


def _bounds(interval: dict[str, float] | None) -> tuple[float, float]:
    if not interval:
        return math.nan, math.nan
    return interval["low"], interval["high"]


def _or_zero(value: float | None) -> float:
    return 0.0 if value is None or (isinstance(value, float) and math.isnan(value)) else value


def json_safe(value: Any) -> Any:
    """JSON has no NaN: NaN and infinities become null, recursively."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    return value
