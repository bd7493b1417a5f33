"""The copy-model step of a round: fine-tune the champion on rewarded copies, export, score both.

Inputs are the champion's `hf/` checkpoint and its `onnx/` export (the current release's, or
the bootstrap model's). Fine-tuning mixes the window's rewarded copies with reference-corpus
copies of a sample of products (`training.finetune`). Both models are then judged on the same
things (`training.copy_eval`):
- perplexity on the held-out slice's rewarded copies plus reference copies of other products
  (what the model should now write, and what it must not forget);
- distinct-1/2 and checker pass rates of copies sampled from each ONNX export for the same
  briefs.
The export must pass the parity check, or the challenger is not a candidate at all.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from tokenizers import Tokenizer

from contracts.logs import get_logger
from contracts.outcomes import CopyOutcomeRecord
from contracts.product import Product
from contracts.settings import Settings
from serving.model.manifest import ModelManifest, ParityReport
from serving.prompting import PromptBuilder
from training.copy_eval import CopyModelMetrics, evaluate_copy_model, evaluation_briefs
from training.corpus import CopyCorpusBuilder, CopyExample
from training.finetune import FineTuneError, finetune_copy_model
from training.parity import ParityError
from training.publish_model import export_copy_model
from training.rewarded import select_rewarded_copies
from training.trainer import TrainingCurves

log = get_logger(__name__)
REFERENCE_PRODUCTS = 12
"""Products whose reference copies (100 each) are mixed into fine-tuning batches."""
HELD_OUT_PRODUCTS = 3
HELD_OUT_REFERENCE = 150
"""Reference copies of other products in the perplexity set (the 'not forgotten' half)."""
PARITY_PROMPTS = 6


@dataclass(frozen=True)
class CopyModelChampion:
    version: str
    hf_dir: Path
    onnx_dir: Path


@dataclass(frozen=True)
class CopyModelChallenger:
    """A fine-tuned, exported and parity-checked model, with both sides' metrics."""

    version: str
    hf_dir: Path
    onnx_dir: Path
    champion_metrics: CopyModelMetrics
    metrics: CopyModelMetrics
    curves: TrainingCurves
    method: str
    steps: int
    examples: int
    parity: ParityReport | None


@dataclass(frozen=True)
class CopyModelSkipped:
    reason: str


class CopyModelStep(Protocol):
    """Makes and judges a copy-model challenger in `work_dir`; the round injects fakes in tests."""

    def __call__(
        self,
        settings: Settings,
        champion: CopyModelChampion,
        train: Sequence[CopyOutcomeRecord],
        holdout: Sequence[CopyOutcomeRecord],
        catalog: Sequence[Product],
        work_dir: Path,
        *,
        progress: bool,
    ) -> CopyModelChallenger | CopyModelSkipped: ...


def train_copy_challenger(
    settings: Settings,
    champion: CopyModelChampion,
    train: Sequence[CopyOutcomeRecord],
    holdout: Sequence[CopyOutcomeRecord],
    catalog: Sequence[Product],
    work_dir: Path,
    *,
    progress: bool = True,
) -> CopyModelChallenger | CopyModelSkipped:
    """The default `CopyModelStep`; see the module docstring."""
    rules = settings.copy_rules
    rewarded = select_rewarded_copies(train, catalog, rules).copies
    if not rewarded:
        return CopyModelSkipped(
            f"none of the {len(train)} training outcomes earned reward with a model-written copy "
            "that still passes the checker"
        )
    reference, held_reference = _reference_copies(settings, catalog)
    held_rewarded = [
        CopyExample(copy.brief, copy.text, f"{copy.brief.written_angle}.rewarded")
        for copy in select_rewarded_copies(holdout, catalog, rules).copies
    ]
    held_out = [*held_rewarded, *held_reference]
    try:
        tuned = finetune_copy_model(
            settings,
            champion.hf_dir,
            rewarded,
            reference,
            work_dir,
            progress=progress,
            held_out=held_out,
        )
    except FineTuneError as error:
        return CopyModelSkipped(str(error))
    version = _checkpoint_version(tuned.hf_dir)
    briefs = evaluation_briefs(catalog, settings)
    builder = PromptBuilder(Tokenizer.from_file(str(tuned.hf_dir / "tokenizer.json")))
    prompts = [builder.prompt_ids(brief) for brief in briefs[:PARITY_PROMPTS]]
    try:
        manifest: ModelManifest = export_copy_model(
            tuned.hf_dir, work_dir / "onnx", version, prompts
        )
    except ParityError as error:
        return CopyModelSkipped(f"the export of {version} failed its parity check ({error})")
    samples = settings.retraining.eval_samples_per_brief
    champion_metrics = evaluate_copy_model(
        settings,
        champion.hf_dir,
        champion.onnx_dir,
        held_out,
        briefs,
        catalog,
        samples_per_brief=samples,
        progress=progress,
    )
    metrics = evaluate_copy_model(
        settings,
        tuned.hf_dir,
        work_dir / "onnx",
        held_out,
        briefs,
        catalog,
        samples_per_brief=samples,
        progress=progress,
    )
    return CopyModelChallenger(
        version=version,
        hf_dir=tuned.hf_dir,
        onnx_dir=work_dir / "onnx",
        champion_metrics=champion_metrics,
        metrics=metrics,
        curves=tuned.curves,
        method=tuned.method,
        steps=tuned.steps,
        examples=tuned.examples,
        parity=manifest.parity,
    )


def _reference_copies(
    settings: Settings, catalog: Sequence[Product]
) -> tuple[list[CopyExample], list[CopyExample]]:
    """Reference copies of a seeded sample of products, and of a disjoint held-out sample."""
    products = sorted(catalog, key=lambda product: product.product_id)
    random.Random(settings.retraining.seed).shuffle(products)
    held = products[:HELD_OUT_PRODUCTS]
    train = products[HELD_OUT_PRODUCTS : HELD_OUT_PRODUCTS + REFERENCE_PRODUCTS]
    builder = CopyCorpusBuilder(settings.copy_rules, settings.training.seed, 1)
    held_copies = builder.build(held)
    step = max(1, len(held_copies) // HELD_OUT_REFERENCE)
    return builder.build(train), held_copies[::step][:HELD_OUT_REFERENCE]


def _checkpoint_version(hf_dir: Path) -> str:
    """Names the weights: the same fine-tune gives the same version."""
    digest = hashlib.blake2b(digest_size=5)
    for name in ("model.safetensors", "tokenizer.json"):
        digest.update((hf_dir / name).read_bytes())
    return f"ft-{digest.hexdigest()}"
