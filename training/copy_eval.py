"""Judge a copy model the way serving will use it: perplexity, diversity, and the checker.

Perplexity is scored in PyTorch on held-out copies. Everything else is measured on copies
sampled from the exported ONNX graph through serving's own decoder and sampling settings, and
judged on the model's raw candidates (before any template fallback), so a model that leans on
the fallback cannot look good.
"""

from __future__ import annotations

import math
import random
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
from tokenizers import Tokenizer
from tqdm import tqdm
from transformers import AutoModelForCausalLM, PreTrainedModel

from contracts.logs import get_logger
from contracts.product import Product
from contracts.settings import Settings
from contracts.vocabulary import Angle, Channel, Locale
from serving.checks import CopyChecker
from serving.generation.decoder import BatchDecoder, Decoded, DecodeRequest
from serving.generation.sampling import SamplingParams
from serving.model.onnx_lm import OnnxCausalLM
from serving.prompting import CopyBrief, PromptBuilder
from serving.slots import slot_texts
from training.rewarded import CopyForBrief
from training.sequences import CopySequence, encode_copy
from training.trainer import held_out_perplexity, seed_everything

log = get_logger(__name__)

EVAL_LOCALES: tuple[Locale, ...] = (Locale.EN, Locale.ZH_CN)
DECODE_ROWS = 64
"""Prompt x sample rows decoded at once (as serving's `max_batch_rows`)."""


@dataclass(frozen=True)
class CopyModelMetrics:
    """Rates are shares of sampled copies in [0, 1]; `perplexity` is per held-out copy token.

    `pass_rate`: no violation at all (and the copy ended); `faithful_rate`: no faithfulness
    violation; `compliant_rate`: no compliance violation and the copy ended by itself.
    """

    perplexity: float
    distinct_1: float
    distinct_2: float
    pass_rate: float
    faithful_rate: float
    compliant_rate: float
    samples: int
    seconds: float

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


@dataclass(frozen=True)
class _Judged:
    text: str
    locale: Locale
    faithful: bool
    compliant: bool


def evaluation_briefs(
    catalog: Sequence[Product], settings: Settings, *, count: int | None = None
) -> list[CopyBrief]:
    """`count` (default `settings.retraining.eval_briefs`) briefs over products, locales,
    channels and angles, drawn with the retraining seed: champion and challenger are judged
    on the same briefs."""
    rng = random.Random(settings.retraining.seed)
    products = sorted(catalog, key=lambda product: product.product_id)
    wanted = count or settings.retraining.eval_briefs
    threshold = settings.copy_rules.low_stock_threshold
    briefs = []
    for index in range(wanted):
        product = rng.choice(products)
        locale = EVAL_LOCALES[index % len(EVAL_LOCALES)]
        channel, angle = rng.choice(list(Channel)), rng.choice(list(Angle))
        briefs.append(CopyBrief.of(product, locale, channel, angle, threshold))
    return briefs


def evaluate_copy_model(
    settings: Settings,
    hf_dir: Path,
    onnx_dir: Path,
    held_out: Sequence[CopyForBrief],
    briefs: Sequence[CopyBrief],
    catalog: Sequence[Product],
    *,
    samples_per_brief: int = 1,
    progress: bool = True,
    checker: CopyChecker | None = None,
) -> CopyModelMetrics:
    """Metrics of the model in `hf_dir` (torch, perplexity) and its export in `onnx_dir`
    (sampled copies). At most `settings.retraining.eval_briefs` of `briefs` are sampled; the
    same settings and inputs give the same metrics."""
    started = time.monotonic()
    seed_everything(settings.retraining.seed, settings.training.torch_threads)
    perplexity = _perplexity(hf_dir, held_out)
    checker = checker or CopyChecker.from_rules(settings.copy_rules, catalog)
    chosen = list(briefs[: settings.retraining.eval_briefs])
    judged = _sample_and_judge(settings, onnx_dir, chosen, samples_per_brief, checker, progress)
    texts = [(item.text, item.locale) for item in judged]
    count = max(len(judged), 1)
    metrics = CopyModelMetrics(
        perplexity=perplexity,
        distinct_1=distinct_n(texts, 1),
        distinct_2=distinct_n(texts, 2),
        pass_rate=sum(item.faithful and item.compliant for item in judged) / count,
        faithful_rate=sum(item.faithful for item in judged) / count,
        compliant_rate=sum(item.compliant for item in judged) / count,
        samples=len(judged),
        seconds=time.monotonic() - started,
    )
    log.info("copy model evaluated", model=str(onnx_dir), **metrics.as_dict())
    return metrics


def distinct_n(texts: Iterable[tuple[str, Locale]], n: int) -> float:
    """Distinct n-grams / all n-grams over every text (corpus-level distinct-n, Li et al. 2016);
    words are the units in English, characters in Chinese. 0 when there is no n-gram."""
    grams: Counter[tuple[str, ...]] = Counter()
    for text, locale in texts:
        units = _units(text, locale)
        grams.update(tuple(units[i : i + n]) for i in range(len(units) - n + 1))
    total = sum(grams.values())
    return len(grams) / total if total else 0.0


def _units(text: str, locale: Locale) -> list[str]:
    if locale is Locale.ZH_CN:
        return [char for char in text if not char.isspace()]
    return text.lower().split()


def _perplexity(hf_dir: Path, held_out: Sequence[CopyForBrief]) -> float:
    model: PreTrainedModel = AutoModelForCausalLM.from_pretrained(hf_dir, dtype=torch.float32)
    model.loss_type = "ForCausalLM"  # GPT2LMHeadModel maps to none; silences a loss warning
    builder = PromptBuilder(Tokenizer.from_file(str(hf_dir / "tokenizer.json")))
    limit = int(model.config.n_positions)
    sequences: list[CopySequence] = []
    for copy in held_out:
        sequence = encode_copy(builder, copy.brief, copy.text, limit)
        if sequence is not None:
            sequences.append(sequence)
    if not sequences:
        return math.nan
    return held_out_perplexity(model, sequences, builder.pad_id)


def _sample_and_judge(
    settings: Settings,
    onnx_dir: Path,
    briefs: Sequence[CopyBrief],
    samples_per_brief: int,
    checker: CopyChecker,
    progress: bool,
) -> list[_Judged]:
    lm = OnnxCausalLM(onnx_dir, settings.generator.provider, settings.training.torch_threads)
    prompts = PromptBuilder(lm.tokenizer)
    decoder = BatchDecoder(
        lm.runner, lm.manifest.pad_token_id, lm.manifest.end_token_id, prompts.banned_output_ids
    )
    config = settings.generator
    params = SamplingParams(
        max_new_tokens=config.max_new_tokens,
        temperature=config.temperature,
        top_k=config.top_k,
        top_p=config.top_p,
        repetition_penalty=config.repetition_penalty,
    )
    jobs = [(brief, sample) for brief in briefs for sample in range(samples_per_brief)]
    requests = [
        DecodeRequest(prompts.prompt_ids(brief), _seed(settings.retraining.seed, index))
        for index, (brief, _) in enumerate(jobs)
    ]
    judged: list[_Judged] = []
    bar = tqdm(total=len(jobs), desc="sample copies", unit="copy", disable=not progress)
    for start in range(0, len(requests), DECODE_ROWS):
        rows = decoder.decode(requests[start : start + DECODE_ROWS], params)
        for (brief, _), row in zip(jobs[start : start + DECODE_ROWS], rows, strict=True):
            judged.append(_judge(prompts, checker, brief, row))
        bar.update(len(rows))
    bar.close()
    return judged


def _judge(prompts: PromptBuilder, checker: CopyChecker, brief: CopyBrief, row: Decoded) -> _Judged:
    text = prompts.copy_text(row.token_ids, slot_texts(brief.facts))
    compliance = checker.compliance.check(text, brief.channel, brief.locale)
    faithfulness = checker.faithfulness.check(text, brief.facts)
    return _Judged(text, brief.locale, not faithfulness, row.finished and not compliance)


def _seed(base: int, index: int) -> int:
    return int(np.random.SeedSequence([base & 0xFFFFFFFF, index]).generate_state(1)[0])
