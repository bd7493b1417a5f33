"""Reward-weighted fine-tuning of the copy model on copies shoppers answered.

The loss is reward-weighted likelihood: each rewarded copy's mean token NLL (copy tokens only,
as in pretraining) times its weight, so copies that earned more pull harder and a weight of 0
pulls not at all. Every batch also holds `reference_share` reference-corpus copies at weight 1,
which keeps the model writing every angle and locale while it leans toward what earned reward.

LoRA (peft) is the default: a rank-8 adapter on the attention and MLP projections moves a
small share of the weights, which is what a few hundred rewarded copies can support; `full`
fine-tunes every weight instead. The adapter is merged before saving, so what comes out is a
plain GPT-2 checkpoint that `training.publish_model.export_copy_model` exports like any other.
"""

from __future__ import annotations

import math
import random
import shutil
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import torch
from tokenizers import Tokenizer
from tqdm import tqdm
from transformers import AutoModelForCausalLM, PreTrainedModel

from contracts.errors import ConfigurationError
from contracts.logs import get_logger
from contracts.settings import FineTuneSettings, Settings
from serving.prompting import CopyBrief, PromptBuilder
from training.rewarded import CopyForBrief, RewardedCopy
from training.sequences import IGNORE, Batch, CopySequence, collate, encode_copy
from training.tokenizer import save_tokenizer
from training.trainer import (
    EVAL_BATCH,
    MAX_GRAD_NORM,
    TrainingCurves,
    held_out_perplexity,
    seed_everything,
)

log = get_logger(__name__)

LORA_TARGETS = ("c_attn", "c_proj", "c_fc")
"""GPT-2's attention (qkv, out) and MLP projections; they are `Conv1D`, so fan_in_fan_out."""
WARMUP_SHARE = 0.1
EVAL_POINTS = 4
"""Held-out evaluations per run besides the first and the last (curves for the plot)."""
PROBE_SEQUENCES = 256
"""Held-out copies scored at each evaluation: enough for a curve, cheap enough to repeat."""

Method = Literal["lora", "full"]


class FineTuneError(ConfigurationError):
    """Raised when fine-tuning cannot start: no usable rewarded copy, or a base checkpoint
    folder without `config.json` or `tokenizer.json`."""


@dataclass(frozen=True)
class WeightedSequence:
    """One training sequence and the weight of its loss (reward weight, or 1 for reference)."""

    sequence: CopySequence
    weight: float


@dataclass(frozen=True)
class FineTuneResult:
    """The merged checkpoint (`hf_dir`, `from_pretrained`-loadable with `tokenizer.json`)."""

    hf_dir: Path
    curves: TrainingCurves
    method: Method
    steps: int
    examples: int
    seconds: float
    trainable_parameters: int


def weighted_copy_loss(
    logits: torch.Tensor, labels: torch.Tensor, weights: torch.Tensor
) -> torch.Tensor:
    """sum_i weight_i * (mean NLL of row i's copy tokens) / rows.

    The mean is per sequence, so a long copy counts no more than a short one that earned the
    same reward; dividing by the row count (not the weight sum) keeps the gradient linear in
    each weight, and with weights of mean 1 the scale matches an unweighted mean.
    """
    shifted_logits = logits[:, :-1, :].float()
    targets = labels[:, 1:]
    token_nll = torch.nn.functional.cross_entropy(
        shifted_logits.reshape(-1, shifted_logits.shape[-1]),
        targets.reshape(-1),
        ignore_index=IGNORE,
        reduction="none",
    ).view(targets.shape)
    counted = (targets != IGNORE).sum(dim=1).clamp(min=1)
    per_sequence = token_nll.sum(dim=1) / counted
    return (per_sequence * weights.to(per_sequence.dtype)).sum() / len(weights)


def finetune_copy_model(
    settings: Settings,
    base_hf_dir: Path,
    rewarded: Sequence[RewardedCopy],
    reference: Sequence[CopyForBrief],
    out_dir: Path,
    *,
    progress: bool = True,
    max_steps: int | None = None,
    method: Method | None = None,
    held_out: Sequence[CopyForBrief] = (),
) -> FineTuneResult:
    """Fine-tune `base_hf_dir` on `rewarded` (mixed with `reference`) and save the merged model
    to `out_dir / "hf"`. The same inputs and settings give the same weights. Stops after
    `max_steps` (default `settings.retraining.finetune.steps`) or at `max_minutes`.

    `reference` copies (`CopyExample`s, weight 1) fill `reference_share` of each batch.
    `held_out` copies, when given, are scored (perplexity) at a few points for the curves; at
    most `PROBE_SEQUENCES` of them, spread evenly (the round scores them all afterwards).
    """
    tune = settings.retraining.finetune
    chosen: Method = method or tune.method
    seed_everything(settings.retraining.seed, settings.training.torch_threads)
    tokenizer, base = _load_base(base_hf_dir)
    builder = PromptBuilder(tokenizer)
    limit = int(base.config.n_positions)
    rewarded_seqs = _encode(builder, [(c.brief, c.text, c.weight) for c in rewarded], limit)
    reference_seqs = _encode(builder, _unweighted(reference), limit)
    if not rewarded_seqs:
        raise FineTuneError(
            f"no rewarded copy fits the model ({len(rewarded)} given, {limit} tokens at most); "
            "fine-tuning needs at least one copy that earned reward"
        )
    spread = held_out[:: max(1, math.ceil(len(held_out) / PROBE_SEQUENCES))]
    probe = [weighted.sequence for weighted in _encode(builder, _unweighted(spread), limit)]
    model = _trainable(base, chosen, tune)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    steps = max_steps or tune.steps
    log.info(
        "fine-tune started",
        method=chosen,
        rewarded=len(rewarded_seqs),
        reference=len(reference_seqs),
        trainable_parameters=trainable,
        steps=steps,
    )
    data = _TrainingData(rewarded_seqs, reference_seqs, probe, builder.pad_id)
    curves = _train(model, chosen, data, settings, steps, progress)
    merged = _merged(model)
    hf_dir = _save(merged, tokenizer, out_dir / "hf")
    log.info(
        "fine-tune done",
        method=chosen,
        steps=curves.steps[-1] if curves.steps else 0,
        stopped_by=curves.stopped_by,
        seconds=round(curves.seconds, 1),
        final_loss=round(curves.train_loss[-1], 4) if curves.train_loss else None,
        held_out_perplexity=round(curves.final_perplexity, 4),
    )
    return FineTuneResult(
        hf_dir=hf_dir,
        curves=curves,
        method=chosen,
        steps=curves.steps[-1] if curves.steps else 0,
        examples=len(rewarded_seqs),
        seconds=curves.seconds,
        trainable_parameters=trainable,
    )


def copy_nll(model: PreTrainedModel, sequences: Sequence[CopySequence], pad_id: int) -> float:
    """Mean over sequences of each copy's mean token NLL (the unweighted fine-tuning loss)."""
    if not sequences:
        return math.nan
    model.eval()
    total = 0.0
    with torch.no_grad():
        for start in range(0, len(sequences), EVAL_BATCH):
            chunk = sequences[start : start + EVAL_BATCH]
            batch = collate(chunk, pad_id)
            logits = model(input_ids=batch.input_ids, attention_mask=batch.attention_mask).logits
            mean = weighted_copy_loss(logits, batch.labels, torch.ones(len(chunk)))
            total += float(mean) * len(chunk)
    return total / len(sequences)


def _load_base(base_hf_dir: Path) -> tuple[Tokenizer, PreTrainedModel]:
    tokenizer_file = base_hf_dir / "tokenizer.json"
    if not (base_hf_dir / "config.json").is_file() or not tokenizer_file.is_file():
        raise FineTuneError(
            f"{base_hf_dir} is not a copy-model checkpoint (needs config.json and "
            "tokenizer.json); pass the `hf/` folder written by `python -m training.bootstrap` "
            "or by an earlier fine-tune"
        )
    model: PreTrainedModel = AutoModelForCausalLM.from_pretrained(base_hf_dir, dtype=torch.float32)
    model.loss_type = "ForCausalLM"  # GPT2LMHeadModel maps to none; silences a loss warning
    return Tokenizer.from_file(str(tokenizer_file)), model


def _unweighted(copies: Sequence[CopyForBrief]) -> list[tuple[CopyBrief, str, float]]:
    return [(copy.brief, copy.text, 1.0) for copy in copies]


def _encode(
    builder: PromptBuilder, items: Sequence[tuple[CopyBrief, str, float]], max_length: int
) -> list[WeightedSequence]:
    encoded = []
    for brief, text, weight in items:
        sequence = encode_copy(builder, brief, text, max_length)
        if sequence is not None:
            encoded.append(WeightedSequence(sequence, weight))
    if len(encoded) < len(items):
        skipped = len(items) - len(encoded)
        log.warning("copies longer than the model's context skipped", skipped=skipped)
    return encoded


def _trainable(base: PreTrainedModel, method: Method, tune: FineTuneSettings) -> Any:
    """The model whose trainable parameters the optimizer sees: a peft LoRA wrapper, or `base`."""
    if method == "full":
        for parameter in base.parameters():
            parameter.requires_grad_(True)
        return base
    from peft import LoraConfig, get_peft_model

    config = LoraConfig(
        r=tune.lora_rank,
        lora_alpha=tune.lora_alpha,  # type: ignore[arg-type]  # typed int, scales as alpha / r
        lora_dropout=tune.lora_dropout,
        target_modules=list(LORA_TARGETS),
        fan_in_fan_out=True,
        bias="none",
    )
    return get_peft_model(base, config)


def _learning_rate(method: Method, tune: FineTuneSettings) -> float:
    return tune.full_learning_rate if method == "full" else tune.learning_rate


@dataclass(frozen=True)
class _TrainingData:
    rewarded: Sequence[WeightedSequence]
    reference: Sequence[WeightedSequence]
    probe: Sequence[CopySequence]
    pad_id: int


def _train(
    model: Any, method: Method, data: _TrainingData, settings: Settings, steps: int, progress: bool
) -> TrainingCurves:
    tune = settings.retraining.finetune
    parameters = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(parameters, lr=_learning_rate(method, tune), weight_decay=0.0)
    schedule = torch.optim.lr_scheduler.LambdaLR(optimizer, _warmup_linear(steps))
    rng = random.Random(settings.retraining.seed)
    batches = mixed_batches(data.rewarded, data.reference, tune, rng)
    eval_at = {max(1, round(steps * k / (EVAL_POINTS + 1))) for k in range(1, EVAL_POINTS + 1)}
    curves = TrainingCurves()
    _evaluate(model, data, curves, step=0)
    started = time.monotonic()
    model.train()
    bar = tqdm(total=steps, desc="fine-tune copy model", unit="step", disable=not progress)
    for step in range(1, steps + 1):
        rows = next(batches)
        batch = collate([row.sequence for row in rows], data.pad_id)
        loss = _batch_loss(model, batch, torch.tensor([row.weight for row in rows]))
        loss.backward()
        torch.nn.utils.clip_grad_norm_(parameters, MAX_GRAD_NORM)
        optimizer.step()
        schedule.step()
        optimizer.zero_grad(set_to_none=True)
        value = loss.item()
        curves.steps.append(step)
        curves.train_loss.append(value)
        bar.update(1)
        bar.set_postfix(loss=f"{value:.3f}")
        out_of_time = time.monotonic() - started > tune.max_minutes * 60
        if step in eval_at or step == steps or out_of_time:
            _evaluate(model, data, curves, step)
        if out_of_time:
            curves.stopped_by = "max_minutes"
            break
    bar.close()
    curves.seconds = time.monotonic() - started
    model.eval()
    return curves


def _evaluate(model: Any, data: _TrainingData, curves: TrainingCurves, step: int) -> None:
    """Held-out perplexity for the curves (leaves the model in training mode)."""
    if data.probe:
        curves.eval_steps.append(step)
        curves.eval_perplexity.append(held_out_perplexity(model, data.probe, data.pad_id))


def _batch_loss(model: Any, batch: Batch, weights: torch.Tensor) -> torch.Tensor:
    logits = model(input_ids=batch.input_ids, attention_mask=batch.attention_mask).logits
    return weighted_copy_loss(logits, batch.labels, weights)


def mixed_batches(
    rewarded: Sequence[WeightedSequence],
    reference: Sequence[WeightedSequence],
    tune: FineTuneSettings,
    rng: random.Random,
) -> Iterator[list[WeightedSequence]]:
    """Endless batches of `batch_size` rows, `reference_share` of them reference copies; each
    source is drawn in shuffled passes, so every rewarded copy is seen once per pass."""
    from_reference = round(tune.batch_size * tune.reference_share) if reference else 0
    from_rewarded = max(1, tune.batch_size - from_reference)
    rewarded_rows, reference_rows = _passes(rewarded, rng), _passes(reference, rng)
    while True:
        rows = [next(rewarded_rows) for _ in range(from_rewarded)]
        rows += [next(reference_rows) for _ in range(from_reference)]
        yield rows


def _passes(items: Sequence[WeightedSequence], rng: random.Random) -> Iterator[WeightedSequence]:
    while items:
        order = list(items)
        rng.shuffle(order)
        yield from order


def _warmup_linear(total: int) -> Callable[[int], float]:
    """Linear warm-up, then a linear decay to a tenth of the rate."""
    warmup = max(1, int(total * WARMUP_SHARE))

    def factor(step: int) -> float:
        if step < warmup:
            return (step + 1) / warmup
        return 1.0 - 0.9 * min(1.0, (step - warmup) / max(1, total - warmup))

    return factor


def _merged(model: Any) -> PreTrainedModel:
    """A plain GPT-2: LoRA deltas folded into the base weights, no peft module left."""
    if hasattr(model, "merge_and_unload"):
        model = model.merge_and_unload()
    merged: PreTrainedModel = model.eval()
    return merged


def _save(model: PreTrainedModel, tokenizer: Tokenizer, hf_dir: Path) -> Path:
    if hf_dir.exists():
        shutil.rmtree(hf_dir)
    model.save_pretrained(hf_dir)
    save_tokenizer(tokenizer, hf_dir)
    return hf_dir
