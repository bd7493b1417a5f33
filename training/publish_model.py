"""Publish a trained checkpoint: export it to ONNX, check parity, and seal the manifest.

Bootstrap training and every retraining round go through this one step, so each model that
serving can load has passed the same parity check and carries its report in the manifest.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from serving.model.manifest import ModelManifest
from training.export import ExportError, export_onnx, load_for_export
from training.parity import check_parity


def export_copy_model(
    hf_dir: Path,
    onnx_dir: Path,
    model_version: str,
    parity_prompts: Sequence[Sequence[int]],
) -> ModelManifest:
    """Export `hf_dir` (a plain GPT-2 checkpoint + `tokenizer.json`) to `onnx_dir` in fp32
    (the graph parity can hold to 1e-3; fp16 for CUDA is `training.export.export_onnx`'s).

    Raises `ParityError` when the graph does not reproduce the checkpoint (the folder is then
    written but its manifest has no parity report: do not serve it), `ExportError` when the
    folder is not an exportable checkpoint.
    """
    tokenizer_file = hf_dir / "tokenizer.json"
    if not tokenizer_file.is_file():
        raise ExportError(
            f"{hf_dir} has no tokenizer.json; save the tokenizer next to the weights "
            "(`training.tokenizer.save_tokenizer`) before exporting"
        )
    if not parity_prompts:
        raise ExportError("export_copy_model needs at least one parity prompt (prompt ids)")
    model = load_for_export(hf_dir)
    exported = export_onnx(
        model, tokenizer_file, onnx_dir, model_version=model_version, source=str(hf_dir)
    )
    parity = check_parity(model, exported.folder, parity_prompts)
    manifest = exported.manifest.model_copy(update={"parity": parity})
    manifest.write(exported.folder)
    return manifest
