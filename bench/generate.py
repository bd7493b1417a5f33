"""Generation speed: Copystream's ONNX decoder vs `transformers.generate()` vs Optimum ORT.

Same weights, same prompts (real catalog briefs), 32 greedy new tokens per copy (the end token
is disabled so every system does the same work), batch 1 and 32, all in one run. Also runs a
GPT-2-small-sized (124M) random-weight model for speed at a realistic size.
Writes `bench/results/generate.json` and prints the ratios.
"""

from __future__ import annotations

import json
import platform
import statistics
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import click
import torch
from transformers import AutoModelForCausalLM, GPT2Config, GPT2LMHeadModel

from bench.optimum_baseline import run_optimum_baseline
from contracts.settings import Settings
from contracts.vocabulary import Angle, Channel, Locale
from features.catalog.files import load_catalog
from serving.facts import ProductFacts
from serving.generation.decoder import BatchDecoder, DecodeRequest, left_pad
from serving.generation.sampling import SamplingParams
from serving.model.onnx_lm import OnnxCausalLM
from serving.prompting import CopyBrief, PromptBuilder
from training.export import export_onnx, load_for_export

RESULTS = Path(__file__).parent / "results" / "generate.json"
NEW_TOKENS = 32
NO_END = -1  # an id no token has: decoding always runs the full NEW_TOKENS


def _timed(run: Callable[[], object], repeats: int) -> float:
    """Median wall seconds of `repeats` runs after one warm-up run."""
    run()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def bench_prompts(settings: Settings, builder: PromptBuilder, count: int) -> list[list[int]]:
    catalog = load_catalog(settings)
    angles, locales, channels = list(Angle), list(Locale), list(Channel)
    prompts = []
    for index in range(count):
        product = catalog[index % len(catalog)]
        facts = ProductFacts.of(
            product, locales[index % 2], settings.copy_rules.low_stock_threshold
        )
        brief = CopyBrief(facts, channels[index % len(channels)], angles[index % len(angles)])
        prompts.append(builder.prompt_ids(brief))
    return prompts


def bench_model(
    settings: Settings,
    hf_dir: Path,
    onnx_dir: Path,
    batch_sizes: list[int],
    repeats: int,
    with_optimum: bool,
) -> dict[str, Any]:
    lm = OnnxCausalLM(onnx_dir, settings.generator.provider, settings.generator.intra_op_threads)
    builder = PromptBuilder(lm.tokenizer)
    prompts = bench_prompts(settings, builder, max(batch_sizes))
    decoder = BatchDecoder(lm.runner, lm.manifest.pad_token_id, NO_END)
    greedy = SamplingParams(max_new_tokens=NEW_TOKENS, temperature=0.0, repetition_penalty=1.0)
    sampled = SamplingParams(max_new_tokens=NEW_TOKENS)
    torch.set_num_threads(settings.training.torch_threads)
    model = AutoModelForCausalLM.from_pretrained(hf_dir, dtype=torch.float32).eval()
    pad = lm.manifest.pad_token_id
    optimum = (
        run_optimum_baseline(settings.home, hf_dir, prompts, batch_sizes, NEW_TOKENS, repeats, pad)
        if with_optimum
        else None
    )
    result: dict[str, Any] = {
        "model_params": lm.manifest.parameters,
        "provider": lm.provider,
        "prompt_tokens_mean": round(statistics.mean(len(p) for p in prompts), 1),
    }
    if optimum is not None:
        result["optimum_versions"] = optimum.versions
        result["optimum_reason"] = optimum.reason
    for batch in batch_sizes:
        rows = [DecodeRequest(prompt, seed=n) for n, prompt in enumerate(prompts[:batch])]
        ours = _timed(partial(decoder.decode, rows, greedy), repeats) / batch
        ours_sampled = _timed(partial(decoder.decode, rows, sampled), repeats) / batch
        hf = _timed(partial(_hf_generate, model, prompts[:batch], pad), repeats) / batch
        theirs = optimum.ms_per_copy.get(batch) if optimum and optimum.ms_per_copy else None
        result[f"batch_{batch}"] = {
            "copystream_ms_per_copy": round(ours * 1e3, 3),
            "copystream_sampled_ms_per_copy": round(ours_sampled * 1e3, 3),
            "copystream_ms_per_token": round(ours * 1e3 / NEW_TOKENS, 4),
            "copystream_tokens_per_s": round(NEW_TOKENS / ours),
            "hf_generate_ms_per_copy": round(hf * 1e3, 3),
            "optimum_ort_ms_per_copy": round(theirs, 3) if theirs else None,
            "speedup_vs_hf": round(hf / ours, 2),
            "speedup_vs_optimum": round(theirs / (ours * 1e3), 2) if theirs else None,
        }
    return result


def _hf_generate(model: Any, prompts: list[list[int]], pad: int) -> None:
    ids, mask = left_pad(prompts, pad)
    with torch.no_grad():
        model.generate(
            input_ids=torch.from_numpy(ids),
            attention_mask=torch.from_numpy(mask),
            do_sample=False,
            max_new_tokens=NEW_TOKENS,
            min_new_tokens=NEW_TOKENS,
            pad_token_id=pad,
        )


def gpt2_small(settings: Settings, tokenizer_file: Path) -> tuple[Path, Path]:
    """A random-weight GPT-2 124M (the published `gpt2` shape), exported once and cached."""
    folder = settings.home / "bench" / "gpt2-124m"
    if not (folder / "onnx" / "copystream_model.json").is_file():
        torch.manual_seed(0)
        model = GPT2LMHeadModel(GPT2Config(n_positions=512))  # vocab 50257, 12 x 768
        model.save_pretrained(folder / "hf")
        export_onnx(
            load_for_export(model),
            tokenizer_file,
            folder / "onnx",
            model_version="gpt2-124m-random",
            source="random init",
        )
    return folder / "hf", folder / "onnx"


@click.command()
@click.option("--repeats", type=click.IntRange(min=1), default=3)
@click.option("--batch-sizes", default="1,32", help="comma-separated")
@click.option("--skip-124m", is_flag=True, help="only the bootstrap model")
@click.option("--no-optimum", is_flag=True, help="skip the Optimum ORT baseline")
def main(repeats: int, batch_sizes: str, skip_124m: bool, no_optimum: bool) -> None:
    settings = Settings()
    sizes = [int(size) for size in batch_sizes.split(",")]
    bootstrap = settings.models_dir / "bootstrap"
    result: dict[str, Any] = {"device": _device(), "new_tokens": NEW_TOKENS, "decoding": "greedy"}
    click.echo("bootstrap model …")
    result |= bench_model(
        settings, bootstrap / "hf", settings.generator_model_dir, sizes, repeats, not no_optimum
    )
    if not skip_124m:
        click.echo("GPT-2 124M (random weights) …")
        hf_dir, onnx_dir = gpt2_small(settings, settings.generator_model_dir / "tokenizer.json")
        result["gpt2_124m"] = bench_model(
            settings, hf_dir, onnx_dir, sizes, repeats, not no_optimum
        )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    _print_summary(result)


def _device() -> str:
    import onnxruntime as ort

    if "CUDAExecutionProvider" in ort.get_available_providers() and torch.cuda.is_available():
        return torch.cuda.get_device_name(0)
    return f"cpu: {platform.processor() or platform.machine()}, {torch.get_num_threads()} threads"


def _print_summary(result: dict[str, Any]) -> None:
    for name, model in (("bootstrap", result), ("gpt2-124m", result.get("gpt2_124m"))):
        if not model:
            continue
        for key, row in model.items():
            if key.startswith("batch_"):
                click.echo(
                    f"{name:10} {key:9} copystream {row['copystream_ms_per_copy']:8.2f} ms/copy | "
                    f"HF {row['hf_generate_ms_per_copy']:8.2f} (x{row['speedup_vs_hf']}) | "
                    f"optimum {row['optimum_ort_ms_per_copy']} (x{row['speedup_vs_optimum']})"
                )
    click.echo(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
