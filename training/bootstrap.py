"""Make the bootstrap copy model: corpus → tokenizer → GPT-2 pretraining → ONNX export + parity.

`python -m training.bootstrap` writes, under `<home>/models/bootstrap/`: `hf/` (the checkpoint,
`from_pretrained`-loadable), `onnx/` (what serving loads), `training_curve.png` and
`report.json`. With `--base-model PATH` any local Hugging Face GPT-2-architecture checkpoint is
fine-tuned instead of a new model being pretrained (its tokenizer gains our control tokens).
"""

from __future__ import annotations

import hashlib
import json
import random
from dataclasses import dataclass
from pathlib import Path

import click
import torch
from tokenizers import Tokenizer
from transformers import AutoModelForCausalLM, GPT2Config, GPT2LMHeadModel, PreTrainedModel

from contracts.errors import ConfigurationError
from contracts.logs import configure_logging, get_logger
from contracts.product import Product
from contracts.settings import Settings
from features.catalog.files import load_catalog
from serving.model.manifest import ModelManifest
from serving.prompting import BOS, END, PAD, PromptBuilder, control_tokens, facts_text
from training.corpus import CopyCorpusBuilder, CopyExample
from training.plots import plot_training_curves
from training.publish_model import export_copy_model
from training.sequences import CopySequence, encode_copy
from training.tokenizer import add_control_tokens, save_tokenizer, train_copy_tokenizer
from training.trainer import TrainingCurves, seed_everything, train_copy_model

log = get_logger(__name__)
PARITY_PROMPTS = 6


@dataclass(frozen=True)
class BootstrapResult:
    folder: Path
    onnx_dir: Path
    manifest: ModelManifest
    curves: TrainingCurves
    report: dict[str, object]


def build_bootstrap_model(
    settings: Settings,
    *,
    out_dir: Path | None = None,
    base_model: Path | None = None,
    products: list[Product] | None = None,
    max_steps: int | None = None,
    progress: bool = True,
) -> BootstrapResult:
    """Train (or fine-tune `base_model`) and export; the same settings give the same model."""
    folder = out_dir or settings.models_dir / "bootstrap"
    training = settings.training
    seed_everything(training.seed, training.torch_threads)
    catalog = products if products is not None else load_catalog(settings)
    train_products, held_products = _split_products(catalog, training.holdout_share, training.seed)
    corpus = CopyCorpusBuilder(settings.copy_rules, training.seed, training.copies_per_angle)
    train_copies, held_copies = corpus.build(train_products), corpus.build(held_products)
    log.info("corpus built", train=len(train_copies), held_out=len(held_copies))
    categories = sorted({product.category for product in catalog})
    tokenizer, model = _tokenizer_and_model(settings, base_model, train_copies, categories)
    builder = PromptBuilder(tokenizer)
    train_seqs = _encode(builder, train_copies, training.max_sequence)
    held_seqs = _encode(builder, held_copies, training.max_sequence)
    curves = train_copy_model(
        model,
        train_seqs,
        held_seqs,
        builder.pad_id,
        training,
        max_steps=max_steps,
        progress=progress,
    )
    hf_dir = folder / "hf"
    model.save_pretrained(hf_dir)
    save_tokenizer(tokenizer, hf_dir)
    plot_training_curves(curves, folder / "training_curve.png", "bootstrap copy model")
    version = _model_version(settings, base_model, len(catalog), hf_dir)
    prompts = [seq.ids[: seq.prompt_length] for seq in held_seqs[:PARITY_PROMPTS]]
    manifest = export_copy_model(hf_dir, folder / "onnx", version, prompts)
    report = _report(manifest, curves, len(train_seqs), len(held_seqs))
    (folder / "report.json").write_text(json.dumps(report, indent=2) + "\n")
    return BootstrapResult(folder, folder / "onnx", manifest, curves, report)


def _split_products(
    catalog: list[Product], share: float, seed: int
) -> tuple[list[Product], list[Product]]:
    """Held-out products, not copies: perplexity then measures writing about unseen facts."""
    order = sorted(catalog, key=lambda product: product.product_id)
    random.Random(seed).shuffle(order)
    cut = max(1, round(len(order) * share))
    return order[cut:], order[:cut]


def _tokenizer_and_model(
    settings: Settings, base_model: Path | None, copies: list[CopyExample], categories: list[str]
) -> tuple[Tokenizer, PreTrainedModel]:
    specials = control_tokens(categories)
    training = settings.training
    if base_model is not None:
        return _from_base(base_model, specials, training.max_sequence)
    texts = [example.text for example in copies]
    texts += [facts_text(example.brief.facts) for example in copies[:: max(1, len(copies) // 5000)]]
    tokenizer = train_copy_tokenizer(texts, training.vocab_size, specials)
    config = GPT2Config(
        vocab_size=tokenizer.get_vocab_size(with_added_tokens=True),
        n_positions=training.max_sequence,
        n_embd=training.n_embd,
        n_layer=training.n_layer,
        n_head=training.n_head,
        bos_token_id=tokenizer.token_to_id(BOS),
        eos_token_id=tokenizer.token_to_id(END),
        pad_token_id=tokenizer.token_to_id(PAD),
    )
    config.loss_type = "ForCausalLM"  # silences transformers' "loss_type=None" warning
    return tokenizer, GPT2LMHeadModel(config)


def _from_base(
    base_model: Path, specials: list[str], max_sequence: int
) -> tuple[Tokenizer, PreTrainedModel]:
    tokenizer_file = base_model / "tokenizer.json"
    if not tokenizer_file.is_file():
        raise ConfigurationError(
            f"--base-model {base_model} has no tokenizer.json; save the model with a fast "
            "tokenizer (`tokenizer.save_pretrained(path)`) next to its weights"
        )
    model: PreTrainedModel = AutoModelForCausalLM.from_pretrained(base_model, dtype=torch.float32)
    if model.config.max_position_embeddings < max_sequence:
        raise ConfigurationError(
            f"--base-model {base_model} handles {model.config.max_position_embeddings} "
            f"positions; COPYSTREAM_TRAINING__MAX_SEQUENCE is {max_sequence}"
        )
    tokenizer = add_control_tokens(Tokenizer.from_file(str(tokenizer_file)), specials)
    model.resize_token_embeddings(tokenizer.get_vocab_size(with_added_tokens=True))
    return tokenizer, model


def _encode(
    builder: PromptBuilder, copies: list[CopyExample], max_length: int
) -> list[CopySequence]:
    encoded = [encode_copy(builder, ex.brief, ex.text, max_length) for ex in copies]
    kept = [sequence for sequence in encoded if sequence is not None]
    if len(kept) < len(encoded):
        log.warning("copies longer than max_sequence skipped", skipped=len(encoded) - len(kept))
    return kept


def _model_version(settings: Settings, base_model: Path | None, products: int, hf_dir: Path) -> str:
    """Names the recipe and the weights: the same seed and code give the same version."""
    recipe = {
        "training": settings.training.model_dump(mode="json"),
        "catalog_seed": settings.catalog.seed,
        "products": products,
        "base": str(base_model) if base_model else None,
    }
    digest = hashlib.sha256(json.dumps(recipe, sort_keys=True).encode())
    for name in ("model.safetensors", "tokenizer.json"):
        digest.update((hf_dir / name).read_bytes())
    return f"bootstrap-{digest.hexdigest()[:10]}"


def _report(
    manifest: ModelManifest, curves: TrainingCurves, train: int, held: int
) -> dict[str, object]:
    return {
        "model_version": manifest.model_version,
        "parameters": manifest.parameters,
        "train_sequences": train,
        "held_out_sequences": held,
        "steps": curves.steps[-1] if curves.steps else 0,
        "stopped_by": curves.stopped_by,
        "train_seconds": round(curves.seconds, 1),
        "held_out_perplexity": round(curves.final_perplexity, 3),
        "perplexity_by_step": dict(zip(curves.eval_steps, curves.eval_perplexity, strict=True)),
        "parity": manifest.parity.model_dump() if manifest.parity else None,
    }


@click.command()
@click.option(
    "--base-model",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=None,
    help="local Hugging Face causal-LM folder to fine-tune instead of pretraining",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="output folder [default: <home>/models/bootstrap]",
)
@click.option("--max-steps", type=click.IntRange(min=1), default=None, help="[default: settings]")
def main(base_model: Path | None, out: Path | None, max_steps: int | None) -> None:
    """Train and export the bootstrap copy model."""
    settings = Settings()
    configure_logging(settings)
    result = build_bootstrap_model(
        settings, out_dir=out, base_model=base_model, max_steps=max_steps
    )
    report = result.report
    click.echo(
        f"model {report['model_version']}: {report['parameters']:,} parameters, held-out "
        f"perplexity {report['held_out_perplexity']} after {report['steps']} steps "
        f"({report['train_seconds']} s); ONNX in {result.onnx_dir}"
    )


if __name__ == "__main__":
    main()
