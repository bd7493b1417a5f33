"""PNG plots of training runs (people would rather see a curve than read a loss table)."""

from __future__ import annotations

from pathlib import Path

from training.trainer import TrainingCurves

SMOOTHING = 25


def plot_training_curves(curves: TrainingCurves, path: Path, title: str) -> Path:
    """Train loss (raw and smoothed) and held-out perplexity against the step."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, loss_axis = plt.subplots(figsize=(8, 4.5), dpi=110)
    loss_axis.plot(
        curves.steps, curves.train_loss, color="#9ecae1", linewidth=0.8, label="train loss"
    )
    loss_axis.plot(
        curves.steps, _moving_average(curves.train_loss), color="#08519c", label="smoothed"
    )
    loss_axis.set_xlabel("step")
    loss_axis.set_ylabel("cross-entropy per copy token")
    ppl_axis = loss_axis.twinx()
    ppl_axis.plot(
        curves.eval_steps,
        curves.eval_perplexity,
        "o-",
        color="#d94801",
        label="held-out perplexity",
    )
    ppl_axis.set_ylabel("held-out perplexity")
    lines = loss_axis.get_legend_handles_labels()
    more = ppl_axis.get_legend_handles_labels()
    loss_axis.legend(lines[0] + more[0], lines[1] + more[1], loc="upper right")
    loss_axis.set_title(title)
    figure.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(path)
    plt.close(figure)
    return path


def _moving_average(values: list[float]) -> list[float]:
    smoothed, window_sum = [], 0.0
    for index, value in enumerate(values):
        window_sum += value
        if index >= SMOOTHING:
            window_sum -= values[index - SMOOTHING]
        smoothed.append(window_sum / min(index + 1, SMOOTHING))
    return smoothed
