"""The training loop for the copy model: AdamW, warmup + cosine, a step and a time budget.

Shows a progress bar, evaluates held-out perplexity every `eval_every` steps and returns the
curves, which `training.plots` turns into a PNG.
"""

from __future__ import annotations

import math
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import torch
from tqdm import tqdm
from transformers import PreTrainedModel

from contracts.settings import TrainingSettings
from training.sequences import Batch, CopySequence, collate, length_bucketed_batches

WARMUP_SHARE = 0.05
MAX_GRAD_NORM = 1.0
EVAL_BATCH = 64
PROGRESS_EVAL_SEQUENCES = 512
"""Held-out sequences scored at each progress evaluation (the final one scores them all):
a full pass every few steps would take a third of the time budget on two cores."""


@dataclass
class TrainingCurves:
    steps: list[int] = field(default_factory=list)
    train_loss: list[float] = field(default_factory=list)
    eval_steps: list[int] = field(default_factory=list)
    eval_perplexity: list[float] = field(default_factory=list)
    seconds: float = 0.0
    stopped_by: str = "max_steps"

    @property
    def final_perplexity(self) -> float:
        return self.eval_perplexity[-1] if self.eval_perplexity else math.nan


def seed_everything(seed: int, threads: int) -> None:
    random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(threads)


def held_out_perplexity(
    model: PreTrainedModel, sequences: Sequence[CopySequence], pad_id: int
) -> float:
    """exp(mean negative log-likelihood per copy token) over `sequences`."""
    model.eval()
    total_loss, total_tokens = 0.0, 0
    with torch.no_grad():
        for start in range(0, len(sequences), EVAL_BATCH):
            batch = collate(sequences[start : start + EVAL_BATCH], pad_id)
            tokens = batch.target_tokens
            loss = _loss(model, batch)
            total_loss += loss.item() * tokens
            total_tokens += tokens
    model.train()
    return math.exp(total_loss / max(total_tokens, 1))


def train_copy_model(
    model: PreTrainedModel,
    train: Sequence[CopySequence],
    held_out: Sequence[CopySequence],
    pad_id: int,
    settings: TrainingSettings,
    *,
    max_steps: int | None = None,
    progress: bool = True,
) -> TrainingCurves:
    """Train `model` in place; stops at `max_steps` or after `settings.max_minutes`."""
    steps = max_steps or settings.max_steps
    rng = random.Random(settings.seed)
    optimizer = torch.optim.AdamW(model.parameters(), lr=settings.learning_rate, weight_decay=0.01)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, _warmup_cosine(steps))
    batches = length_bucketed_batches(train, settings.batch_size, rng)
    probe = list(held_out[:: max(1, len(held_out) // PROGRESS_EVAL_SEQUENCES)])
    curves = TrainingCurves()
    started = time.monotonic()
    model.train()
    bar = tqdm(total=steps, desc="train copy model", unit="step", disable=not progress)
    for step in range(1, steps + 1):
        loss = _loss(model, collate(next(batches), pad_id))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), MAX_GRAD_NORM)
        optimizer.step()
        schedule.step()
        optimizer.zero_grad(set_to_none=True)
        curves.steps.append(step)
        value = loss.item()
        curves.train_loss.append(value)
        bar.update(1)
        bar.set_postfix(loss=f"{value:.3f}")
        out_of_time = time.monotonic() - started > settings.max_minutes * 60
        last = step == steps or out_of_time
        if step % settings.eval_every == 0 or last:
            curves.eval_steps.append(step)
            scored = held_out if last else probe
            curves.eval_perplexity.append(held_out_perplexity(model, scored, pad_id))
            bar.set_postfix(loss=f"{value:.3f}", ppl=f"{curves.eval_perplexity[-1]:.2f}")
        if out_of_time:
            curves.stopped_by = "max_minutes"
            break
    bar.close()
    curves.seconds = time.monotonic() - started
    model.eval()
    return curves


def _loss(model: PreTrainedModel, batch: Batch) -> torch.Tensor:
    output = model(
        input_ids=batch.input_ids, attention_mask=batch.attention_mask, labels=batch.labels
    )
    return output.loss


def _warmup_cosine(total: int) -> Callable[[int], float]:
    warmup = max(1, int(total * WARMUP_SHARE))

    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        progress = (step - warmup) / max(1, total - warmup)
        return 0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * min(progress, 1.0)))

    return factor
