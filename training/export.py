"""Export a Hugging Face GPT-2-style checkpoint to the ONNX model folder serving loads.

One graph takes the past keys/values as explicit inputs (empty for prefill) and returns the
present ones, with dynamic batch and sequence axes. transformers' cache object cannot cross
`torch.onnx.export`, so a thin wrapper rebuilds a `DynamicCache` from plain tensors inside.
A LoRA adapter (peft) is merged into the base weights first, so serving never sees one.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import torch
from tokenizers import Tokenizer
from transformers import AutoModelForCausalLM, DynamicCache, PreTrainedModel

from contracts.errors import ConfigurationError
from serving.model.manifest import ModelManifest
from serving.prompting import END, PAD, control_token

OPSET = 17
Dtype = Literal["float32", "float16"]


class ExportError(ConfigurationError):
    """Raised when a checkpoint cannot be exported (unsupported architecture, no tokenizer)."""


class _ExplicitCacheLM(torch.nn.Module):
    """`forward(ids, mask, positions, *past) -> (logits, *present)` with plain tensors only."""

    def __init__(self, model: PreTrainedModel, num_layers: int) -> None:
        super().__init__()
        self.model = model
        self.num_layers = num_layers

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        position_ids: torch.Tensor,
        *past: torch.Tensor,
    ) -> tuple[torch.Tensor, ...]:
        cache = DynamicCache()
        for layer in range(self.num_layers):
            cache.update(past[2 * layer], past[2 * layer + 1], layer)
        out = self.model(
            input_ids=input_ids,
            attention_mask=attention_mask,
            position_ids=position_ids,
            past_key_values=cache,
            use_cache=True,
        )
        present: list[torch.Tensor] = []
        for layer in out.past_key_values.layers:
            present += [layer.keys, layer.values]
        return (out.logits, *present)


@dataclass(frozen=True)
class ExportedModel:
    folder: Path
    manifest: ModelManifest


def load_for_export(model_or_path: PreTrainedModel | Path) -> PreTrainedModel:
    """A plain causal LM in eval mode: loaded from a local folder, LoRA merged, eager attention."""
    if isinstance(model_or_path, Path):
        if not (model_or_path / "config.json").is_file():
            raise ExportError(
                f"{model_or_path} is not a Hugging Face model folder (no config.json)"
            )
        model: Any = AutoModelForCausalLM.from_pretrained(model_or_path, dtype=torch.float32)
    else:
        model = model_or_path
    if hasattr(model, "merge_and_unload"):
        model = model.merge_and_unload()
    if model.config.model_type != "gpt2":
        raise ExportError(
            f"only GPT-2-architecture checkpoints are exported; got {model.config.model_type!r}"
        )
    model.config._attn_implementation = "eager"
    return model.float().eval()


def export_onnx(
    model: PreTrainedModel,
    tokenizer_file: Path,
    out_dir: Path,
    *,
    model_version: str,
    source: str,
    dtype: Dtype = "float32",
) -> ExportedModel:
    """Write `model.onnx`, `tokenizer.json` and the manifest to `out_dir` (replaced atomically)."""
    config = model.config
    num_layers, num_heads = config.n_layer, config.n_head
    head_dim = config.n_embd // num_heads
    vocab = Tokenizer.from_file(str(tokenizer_file)).get_vocab(with_added_tokens=True)
    manifest = ModelManifest(
        model_version=model_version,
        dtype=dtype,
        num_layers=num_layers,
        num_heads=num_heads,
        head_dim=head_dim,
        vocab_size=config.vocab_size,
        max_positions=config.n_positions,
        parameters=sum(parameter.numel() for parameter in model.parameters()),
        pad_token_id=_token_id(vocab, PAD, tokenizer_file),
        end_token_id=_token_id(vocab, END, tokenizer_file),
        categories=_categories(vocab),
        source=source,
    )
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".export-", dir=out_dir.parent))
    try:
        # The exporter restores the module's training flag afterwards: the wrapper must be in
        # eval mode itself, or dropout silently comes back on in the caller's model.
        _trace(model, manifest, staging / manifest.onnx_file)
        _optimize(staging / manifest.onnx_file, manifest, dtype)
        shutil.copyfile(tokenizer_file, staging / manifest.tokenizer_file)
        manifest.write(staging)
        _replace_dir(staging, out_dir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return ExportedModel(out_dir, manifest)


def _trace(model: PreTrainedModel, manifest: ModelManifest, path: Path) -> None:
    wrapper = _ExplicitCacheLM(model, manifest.num_layers).eval()
    rows, new, old = 2, 3, 2
    ids = torch.ones((rows, new), dtype=torch.long)
    mask = torch.ones((rows, old + new), dtype=torch.long)
    positions = torch.arange(old, old + new).expand(rows, new)
    past = [
        torch.zeros(rows, manifest.num_heads, old, manifest.head_dim) for _ in manifest.past_names
    ]
    axes: dict[str, dict[int, str]] = {
        "input_ids": {0: "batch", 1: "new"},
        "attention_mask": {0: "batch", 1: "total"},
        "position_ids": {0: "batch", 1: "new"},
        "logits": {0: "batch", 1: "new"},
    }
    axes |= {name: {0: "batch", 2: "past"} for name in manifest.past_names}
    axes |= {name: {0: "batch", 2: "total"} for name in manifest.present_names}
    with torch.no_grad(), warnings.catch_warnings():
        # The tracer warns about every Python-side shape check in transformers; the parity
        # check, not these warnings, is what tells whether the graph is right.
        warnings.filterwarnings("ignore", category=torch.jit.TracerWarning)
        warnings.filterwarnings("ignore", category=UserWarning, module="torch.onnx")
        warnings.filterwarnings("ignore", category=DeprecationWarning)
        torch.onnx.export(
            wrapper,
            (ids, mask, positions, *past),
            str(path),
            input_names=["input_ids", "attention_mask", "position_ids", *manifest.past_names],
            output_names=["logits", *manifest.present_names],
            dynamic_axes=axes,
            opset_version=OPSET,
            dynamo=False,
        )


def _optimize(path: Path, manifest: ModelManifest, dtype: Dtype) -> None:
    """Fuse what onnxruntime's transformer optimizer recognizes (FastGelu, SkipLayerNorm) and,
    for CUDA, convert to fp16 end to end (inputs/outputs too, so the cache stays fp16)."""
    from onnxruntime.transformers.optimizer import optimize_model

    logging.disable(logging.INFO)  # the optimizer logs every node it removes at INFO
    try:
        optimized = optimize_model(
            str(path),
            model_type="gpt2",
            num_heads=manifest.num_heads,
            hidden_size=manifest.num_heads * manifest.head_dim,
            opt_level=0,
        )
    finally:
        logging.disable(logging.NOTSET)
    if dtype == "float16":
        optimized.convert_float_to_float16(keep_io_types=False)
    optimized.save_model_to_file(str(path))


def _replace_dir(staging: Path, target: Path) -> None:
    """Swap the new folder in with renames, so a reader never sees half a model."""
    target.parent.mkdir(parents=True, exist_ok=True)
    old = target.with_name(f".{target.name}.old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    staging.rename(target)
    shutil.rmtree(old, ignore_errors=True)


def _token_id(vocab: dict[str, int], token: str, tokenizer_file: Path) -> int:
    if token not in vocab:
        raise ExportError(f"tokenizer {tokenizer_file} lacks {token!r}; it is not a Copystream one")
    return vocab[token]


def _categories(vocab: dict[str, int]) -> tuple[str, ...]:
    prefix = control_token("cat", "")[:-2]
    return tuple(sorted(token[len(prefix) : -2] for token in vocab if token.startswith(prefix)))
