"""Check an exported graph against the PyTorch model it came from (optimum-style validation).

Two checks on a left-padded batch of uneven prompts: the logits at every real (non-pad)
position agree within a tolerance, and greedy decoding through serving's own decoder yields
exactly the tokens `transformers`' `generate()` yields.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import torch
from transformers import PreTrainedModel

from contracts.errors import CopystreamError
from serving.generation.decoder import BatchDecoder, DecodeRequest, left_pad
from serving.generation.sampling import SamplingParams
from serving.model.manifest import ModelManifest, ParityReport
from serving.model.onnx_lm import OnnxCausalLM

FLOAT32_TOLERANCE = 1e-3
"""Max absolute logit difference accepted for fp32 graphs (fused kernels reorder sums)."""


class ParityError(CopystreamError):
    """Raised when an exported graph does not reproduce the PyTorch model; do not serve it."""


def check_parity(
    model: PreTrainedModel,
    folder: Path,
    prompts: Sequence[Sequence[int]],
    new_tokens: int = 16,
    tolerance: float = FLOAT32_TOLERANCE,
) -> ParityReport:
    """Compare `folder`'s graph with `model`; raises `ParityError` when they disagree."""
    lm = OnnxCausalLM(folder, provider="cpu")
    manifest = lm.manifest
    ids, mask = left_pad(prompts, manifest.pad_token_id)
    diff = _max_logit_diff(model, lm, ids, mask)
    onnx_tokens = _onnx_greedy(lm, prompts, new_tokens)
    torch_tokens = _torch_greedy(model, manifest, ids, mask, new_tokens)
    report = ParityReport(
        max_abs_logit_diff=diff,
        tolerance=tolerance,
        greedy_identical=onnx_tokens == torch_tokens,
        rows=len(prompts),
        new_tokens=new_tokens,
    )
    if diff > tolerance or not report.greedy_identical:
        raise ParityError(
            f"exported graph in {folder} differs from the PyTorch model: max |logit diff| "
            f"{diff:.2e} (tolerance {tolerance:.0e}), greedy identical: "
            f"{report.greedy_identical}; ONNX {onnx_tokens} vs PyTorch {torch_tokens}"
        )
    return report


def _max_logit_diff(
    model: PreTrainedModel, lm: OnnxCausalLM, ids: np.ndarray, mask: np.ndarray
) -> float:
    positions = np.clip(np.cumsum(mask, axis=1) - 1, 0, None)
    feed = {"input_ids": ids, "attention_mask": mask, "position_ids": positions}
    empty = lm.runner.empty_past(len(ids))
    feed.update(zip(lm.manifest.past_names, empty, strict=True))
    onnx_logits = lm.session.run(["logits"], feed)[0]
    with torch.no_grad():
        torch_logits = model(
            input_ids=torch.from_numpy(ids),
            attention_mask=torch.from_numpy(mask),
            position_ids=torch.from_numpy(positions),
        ).logits.numpy()
    real = mask.astype(bool)
    return float(np.abs(onnx_logits[real] - torch_logits[real]).max())


def _onnx_greedy(lm: OnnxCausalLM, prompts: Sequence[Sequence[int]], new_tokens: int) -> list:
    decoder = BatchDecoder(lm.runner, lm.manifest.pad_token_id, lm.manifest.end_token_id)
    params = SamplingParams(max_new_tokens=new_tokens, temperature=0.0, repetition_penalty=1.0)
    decoded = decoder.decode([DecodeRequest(prompt, seed=0) for prompt in prompts], params)
    return [list(row.token_ids) for row in decoded]


def _torch_greedy(
    model: PreTrainedModel,
    manifest: ModelManifest,
    ids: np.ndarray,
    mask: np.ndarray,
    new_tokens: int,
) -> list:
    with torch.no_grad():
        output = model.generate(  # type: ignore[operator]
            input_ids=torch.from_numpy(ids),
            attention_mask=torch.from_numpy(mask),
            do_sample=False,
            max_new_tokens=new_tokens,
            pad_token_id=manifest.pad_token_id,
            eos_token_id=manifest.end_token_id,
        )
    rows = []
    for row in output[:, ids.shape[1] :].tolist():
        end = row.index(manifest.end_token_id) if manifest.end_token_id in row else len(row)
        rows.append(row[:end])
    return rows
