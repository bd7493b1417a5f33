"""Optimum ONNX Runtime generation speed, as a baseline for Copystream's own decoder.

The measurement runs in a separate venv (optimum-onnx needs transformers<4.58) through
`bench/optimum_runner.py`. A baseline that cannot be had (no install, export error, timeout)
is reported as `ms_per_copy=None` with a reason, so the benchmark around it still finishes.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from bench.optimum_env import ensure_optimum_venv

RUNNER = Path(__file__).with_name("optimum_runner.py")
RUN_TIMEOUT_S = 15 * 60
VERSION_KEYS = (
    "optimum_version",
    "optimum_onnx_version",
    "transformers_version",
    "onnxruntime_version",
    "torch_version",
)


@dataclass(frozen=True)
class OptimumResult:
    """Per batch size, milliseconds per generated copy; or None and why not."""

    ms_per_copy: dict[int, float] | None
    versions: dict[str, str] = field(default_factory=dict)
    reason: str | None = None


def run_optimum_baseline(
    home: Path,
    hf_dir: Path,
    prompts: list[list[int]],
    batch_sizes: list[int],
    new_tokens: int,
    repeats: int,
    pad_token_id: int,
    *,
    threads: int = 2,
    timeout_s: float = RUN_TIMEOUT_S,
) -> OptimumResult:
    """Exports `hf_dir` with Optimum and times its greedy `generate()` for each batch size.

    `threads` is onnxruntime's intra-op pool (0 lets it choose); torch, which only runs the
    glue between decode steps, gets one. Never raises for a failed baseline: the failure
    becomes `reason`.
    """
    if not (hf_dir / "config.json").is_file():
        return OptimumResult(None, reason=f"no Hugging Face checkpoint at {hf_dir}")
    python = ensure_optimum_venv(home)
    if isinstance(python, str):
        return OptimumResult(None, reason=python)
    with tempfile.TemporaryDirectory(prefix="optimum-bench-") as scratch:
        spec = {
            "hf_dir": str(hf_dir.resolve()),
            "export_dir": str(Path(scratch) / "onnx"),
            "prompts": prompts,
            "batch_sizes": batch_sizes,
            "new_tokens": new_tokens,
            "repeats": repeats,
            "threads": threads,
            "pad_token_id": pad_token_id,
        }
        spec_file = Path(scratch) / "input.json"
        spec_file.write_text(json.dumps(spec))
        # Offline: the checkpoint is local and nothing may be fetched from a hub at run time.
        env = os.environ | {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
        env.pop("PYTHONPATH", None)  # the runner must see only its own venv's packages
        print(
            f"[optimum] exporting {hf_dir} and timing generate() for batch sizes {batch_sizes}",
            file=sys.stderr,
            flush=True,
        )
        try:
            done = subprocess.run(
                [str(python), str(RUNNER), str(spec_file)],
                capture_output=True,
                text=True,
                timeout=timeout_s,
                env=env,
                cwd=scratch,
            )
        except subprocess.TimeoutExpired:
            return OptimumResult(None, reason=f"optimum runner timed out after {timeout_s:.0f} s")
        except OSError as exc:
            return OptimumResult(None, reason=f"optimum runner did not start: {exc}")
    return _parse(done)


def _parse(done: subprocess.CompletedProcess[str]) -> OptimumResult:
    """The runner's last stdout line; on failure, the end of its stderr as the reason."""
    if done.returncode != 0:
        # A traceback's last line is the exception itself.
        last = (done.stderr.strip().splitlines() or ["(no stderr)"])[-1][:500]
        return OptimumResult(None, reason=f"optimum runner exit {done.returncode}: {last}")
    lines = done.stdout.strip().splitlines()
    try:
        report = json.loads(lines[-1])
        ms_per_copy = {
            int(batch): float(row["ms_per_copy"]) for batch, row in report["results"].items()
        }
    except (IndexError, ValueError, KeyError, TypeError, AttributeError) as exc:
        return OptimumResult(
            None, reason=f"unreadable optimum runner output ({exc!r}): {lines[-1:]}"
        )
    versions = {
        key.removesuffix("_version"): str(report[key]) for key in VERSION_KEYS if key in report
    }
    return OptimumResult(ms_per_copy, versions)
