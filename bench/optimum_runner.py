"""Times Optimum's `ORTModelForCausalLM.generate()` (ONNX Runtime, KV cache) on a GPT-2 checkpoint.

Run by the optimum venv's python (see `bench/optimum_env.py`), never by the project's: it
imports only the stdlib and that venv's optimum / transformers / onnxruntime / torch, because
optimum-onnx needs transformers<4.58 and the project runs 5.x.

    python bench/optimum_runner.py input.json

input.json: {"hf_dir", "export_dir", "prompts": [[ids]...], "batch_sizes", "new_tokens",
"repeats", "threads", "pad_token_id"}. Prints one JSON line with the versions and, per batch
size, the median milliseconds per `generate()` call and per copy (row).
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from importlib import metadata
from pathlib import Path
from typing import Any

import onnxruntime
import torch
from optimum.onnxruntime import ORTModelForCausalLM

# Reported as "<name>_version"; the distribution names pip installed.
VERSIONED = ("optimum", "optimum-onnx", "transformers", "onnxruntime", "torch")


def session_options(threads: int) -> onnxruntime.SessionOptions:
    """`threads` for onnxruntime, whose pool does not spin between calls.

    Between two decode steps, generate() runs torch glue (argmax, masks, cache copies). With
    onnxruntime's workers spinning and torch's own pool, a small-core host is oversubscribed
    and that glue slows several-fold (measured: 2-5x on a 2-core box), which would understate
    Optimum; so torch gets one thread and onnxruntime does not spin.
    """
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads  # 0: onnxruntime's own choice
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")
    return options


def left_padded(prompts: list[list[int]], pad: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Ids and attention mask with every prompt right-aligned, as batched decoding needs."""
    width = max(len(prompt) for prompt in prompts)
    ids = torch.full((len(prompts), width), pad, dtype=torch.long)
    mask = torch.zeros((len(prompts), width), dtype=torch.long)
    for row, prompt in enumerate(prompts):
        ids[row, width - len(prompt) :] = torch.tensor(prompt, dtype=torch.long)
        mask[row, width - len(prompt) :] = 1
    return ids, mask


def time_generate(
    model: ORTModelForCausalLM,
    prompts: list[list[int]],
    new_tokens: int,
    repeats: int,
    pad: int,
) -> float:
    """Median seconds of one greedy `generate()` after a warm-up; always `new_tokens` new."""
    ids, mask = left_padded(prompts, pad)

    def generate() -> None:
        out = model.generate(
            input_ids=ids,
            attention_mask=mask,
            do_sample=False,
            max_new_tokens=new_tokens,
            min_new_tokens=new_tokens,
            pad_token_id=pad,
        )
        if out.shape != (ids.shape[0], ids.shape[1] + new_tokens):
            raise RuntimeError(f"generate() returned shape {tuple(out.shape)}")

    generate()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        generate()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def main(argv: list[str]) -> int:
    spec: dict[str, Any] = json.loads(Path(argv[1]).read_text())
    threads = int(spec.get("threads", 0))
    torch.set_num_threads(1)  # glue only: the model runs in onnxruntime (see session_options)
    export_dir = Path(spec["export_dir"])
    pad = int(spec["pad_token_id"])
    prompts: list[list[int]] = spec["prompts"]
    started = time.perf_counter()
    # transformers 4.57 reads the 5.x checkpoint as it is (config `dtype` key included).
    model = ORTModelForCausalLM.from_pretrained(
        spec["hf_dir"],
        export=True,
        use_cache=True,
        provider="CPUExecutionProvider",
        session_options=session_options(threads),
    )
    model.save_pretrained(export_dir)
    export_s = time.perf_counter() - started
    results: dict[str, dict[str, float]] = {}
    for batch in spec["batch_sizes"]:
        rows = [prompts[n % len(prompts)] for n in range(batch)]
        seconds = time_generate(model, rows, int(spec["new_tokens"]), int(spec["repeats"]), pad)
        results[str(batch)] = {
            "ms_per_call": round(seconds * 1e3, 3),
            "ms_per_copy": round(seconds * 1e3 / batch, 3),
        }
    report: dict[str, Any] = {
        f"{name.replace('-', '_')}_version": metadata.version(name) for name in VERSIONED
    }
    report |= {
        "providers": model.providers,
        "export_s": round(export_s, 1),
        "results": results,
    }
    print(json.dumps(report), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
