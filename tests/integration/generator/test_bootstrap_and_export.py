"""Bootstrap training, `from_pretrained` round trips, ONNX export parity (torch + onnxruntime)."""

from __future__ import annotations

import json
import math
import random
from pathlib import Path

import numpy as np
import pytest
import torch
from tokenizers import Tokenizer
from transformers import AutoModelForCausalLM, AutoTokenizer, GPT2Config, GPT2LMHeadModel

from serving.generation.decoder import BatchDecoder, DecodeRequest
from serving.generation.sampling import SamplingParams
from serving.model.manifest import ModelManifest
from serving.model.onnx_lm import OnnxCausalLM
from serving.prompting import PAD, control_tokens
from tests.integration.tiny_model import tiny_settings
from training.bootstrap import build_bootstrap_model
from training.export import export_onnx, load_for_export
from training.parity import ParityError, check_parity
from training.tokenizer import save_tokenizer, train_copy_tokenizer

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _scrambled(model: torch.nn.Module, seed: int) -> torch.nn.Module:
    """Large random weights, so greedy decoding visits many different tokens."""
    torch.manual_seed(seed)
    with torch.no_grad():
        for parameter in model.parameters():
            parameter.normal_(0.0, 0.3)
    return model


def _export_scrambled(tiny_model, folder: Path, seed: int) -> None:
    """The tiny model with scrambled weights (so greedy decoding varies), exported to `folder`."""
    model = load_for_export(tiny_model.folder / "hf")
    _scrambled(model, seed=seed)
    tokenizer = tiny_model.folder / "hf" / "tokenizer.json"
    export_onnx(model, tokenizer, folder, model_version="t", source="t")


def _uneven_prompts(vocab: int, lengths: tuple[int, ...], seed: int = 0) -> list[list[int]]:
    rng = random.Random(seed)
    return [[rng.randrange(60, vocab) for _ in range(length)] for length in lengths]


def test_bootstrap_writes_checkpoint_onnx_curve_and_report(tiny_model):
    folder = tiny_model.folder
    for name in ("hf/config.json", "hf/tokenizer.json", "onnx/model.onnx", "training_curve.png"):
        assert (folder / name).is_file(), name
    report = json.loads((folder / "report.json").read_text())
    assert report["steps"] == 120
    perplexities = tiny_model.curves.eval_perplexity
    assert perplexities[-1] < perplexities[0], "held-out perplexity must fall during training"
    assert math.isfinite(report["held_out_perplexity"])
    manifest = ModelManifest.read(folder / "onnx")
    assert manifest.parity is not None and manifest.parity.greedy_identical
    assert manifest.parity.max_abs_logit_diff < manifest.parity.tolerance


def test_checkpoint_reloads_with_from_pretrained(tiny_model):
    hf_dir = tiny_model.folder / "hf"
    model = AutoModelForCausalLM.from_pretrained(hf_dir)
    tokenizer = AutoTokenizer.from_pretrained(hf_dir)
    assert tokenizer.pad_token == PAD
    assert model.config.vocab_size >= len(tokenizer)
    ids = tokenizer("Northloom linen shirt", return_tensors="pt")
    with torch.no_grad():
        assert model(**ids).logits.shape[-1] == model.config.vocab_size


def test_bootstrap_is_deterministic_given_the_seed(tmp_path, tiny_catalog):
    runs = [
        build_bootstrap_model(
            tiny_settings(tmp_path / name), products=tiny_catalog, max_steps=4, progress=False
        )
        for name in ("a", "b")
    ]
    first, second = (AutoModelForCausalLM.from_pretrained(r.folder / "hf") for r in runs)
    for (name, left), right in zip(
        first.state_dict().items(), second.state_dict().values(), strict=True
    ):
        assert torch.equal(left, right), name
    assert runs[0].manifest.model_version == runs[1].manifest.model_version
    tokenizers = [(r.folder / "hf" / "tokenizer.json").read_text() for r in runs]
    assert tokenizers[0] == tokenizers[1]


def test_base_model_path_fine_tunes_a_local_checkpoint(tmp_path, tiny_catalog):
    """`--base-model`: a foreign checkpoint + tokenizer (no control tokens) saved by the test."""
    base = tmp_path / "base"
    texts = [p.text[locale].description for p in tiny_catalog for locale in p.text]
    foreign = train_copy_tokenizer(texts, 500, [PAD, "<|endoftext|>"])
    save_tokenizer(foreign, base)
    config = GPT2Config(
        vocab_size=foreign.get_vocab_size(), n_positions=256, n_embd=32, n_layer=1, n_head=2
    )
    GPT2LMHeadModel(config).save_pretrained(base)
    result = build_bootstrap_model(
        tiny_settings(tmp_path / "home"),
        products=tiny_catalog,
        base_model=base,
        max_steps=3,
        progress=False,
    )
    added = len(set(control_tokens(p.category for p in tiny_catalog)) - {PAD})
    assert result.manifest.vocab_size == foreign.get_vocab_size() + added
    assert result.manifest.parity is not None and result.manifest.parity.greedy_identical


def test_export_matches_pytorch_on_a_padded_batch(tmp_path, tiny_model):
    model = _scrambled(load_for_export(tiny_model.folder / "hf"), seed=1)
    exported = export_onnx(
        model,
        tiny_model.folder / "hf" / "tokenizer.json",
        tmp_path / "onnx",
        model_version="t",
        source="t",
    )
    prompts = _uneven_prompts(exported.manifest.vocab_size, (3, 40, 11, 70))
    report = check_parity(model, exported.folder, prompts, new_tokens=24)
    assert report.max_abs_logit_diff < 1e-3
    assert report.greedy_identical


def test_parity_check_rejects_a_graph_from_other_weights(tmp_path, tiny_model):
    _export_scrambled(tiny_model, tmp_path / "onnx", seed=1)
    other = _scrambled(load_for_export(tiny_model.folder / "hf"), seed=2)
    with pytest.raises(ParityError, match="differs from the PyTorch model"):
        check_parity(other, tmp_path / "onnx", _uneven_prompts(600, (5, 9)), new_tokens=4)


def test_lora_adapter_is_merged_before_export(tmp_path, tiny_model):
    from peft import LoraConfig, get_peft_model

    base = load_for_export(tiny_model.folder / "hf")
    adapted = get_peft_model(base, LoraConfig(r=4, target_modules=["c_attn"], fan_in_fan_out=True))
    torch.manual_seed(3)
    with torch.no_grad():
        for name, parameter in adapted.named_parameters():
            if "lora_B" in name:
                parameter.normal_(0.0, 0.5)  # a trained adapter, not the zero init
    prompts = _uneven_prompts(600, (6, 17))
    ids = torch.tensor([prompts[0]])
    with torch.no_grad():
        adapted_logits = adapted(input_ids=ids).logits
    merged = load_for_export(adapted)
    assert not any("lora" in name for name, _ in merged.named_parameters())
    export_onnx(
        merged,
        tiny_model.folder / "hf" / "tokenizer.json",
        tmp_path / "onnx",
        model_version="t",
        source="t",
    )
    lm = OnnxCausalLM(tmp_path / "onnx", "cpu")
    logits, _ = lm.runner.step(
        ids.numpy(),
        np.ones_like(ids.numpy()),
        np.arange(ids.shape[1])[None],
        lm.runner.empty_past(1),
    )
    assert np.abs(logits[0] - adapted_logits[0, -1].numpy()).max() < 1e-3
    assert check_parity(merged, tmp_path / "onnx", prompts, new_tokens=8).greedy_identical


def test_fp16_export_loads_and_stays_close_to_fp32(tmp_path, tiny_model):
    tokenizer = tiny_model.folder / "hf" / "tokenizer.json"
    model = load_for_export(tiny_model.folder / "hf")
    export_onnx(model, tokenizer, tmp_path / "fp16", model_version="t", source="t", dtype="float16")
    fp16, fp32 = OnnxCausalLM(tmp_path / "fp16", "cpu"), OnnxCausalLM(tiny_model.onnx_dir, "cpu")
    assert fp16.manifest.dtype == "float16"
    assert fp16.session.get_inputs()[3].type == "tensor(float16)"
    ids = np.array([_uneven_prompts(600, (12,))[0]])
    args = (ids, np.ones_like(ids), np.arange(12)[None])
    low, _ = fp16.runner.step(*args, fp16.runner.empty_past(1))
    high, _ = fp32.runner.step(*args, fp32.runner.empty_past(1))
    assert np.abs(low - high).max() < 0.05


def test_uneven_batch_decodes_like_each_prompt_alone(tmp_path, tiny_model):
    _export_scrambled(tiny_model, tmp_path / "onnx", seed=4)
    lm = OnnxCausalLM(tmp_path / "onnx", "cpu")
    decoder = BatchDecoder(lm.runner, lm.manifest.pad_token_id, lm.manifest.end_token_id)
    prompts = _uneven_prompts(lm.manifest.vocab_size, (2, 31, 7, 64, 15), seed=5)
    for params in (
        SamplingParams(max_new_tokens=20, temperature=0.0),
        SamplingParams(max_new_tokens=20, temperature=1.0, top_k=50, top_p=0.9),
    ):
        batch = decoder.decode([DecodeRequest(p, seed=i) for i, p in enumerate(prompts)], params)
        alone = [
            decoder.decode([DecodeRequest(p, seed=i)], params)[0] for i, p in enumerate(prompts)
        ]
        assert [row.token_ids for row in batch] == [row.token_ids for row in alone]
        assert len({row.token_ids for row in batch}) > 1


def test_rows_stop_on_their_own_end_token(tmp_path, tiny_model):
    lm = OnnxCausalLM(tiny_model.onnx_dir, "cpu")
    prompts = _uneven_prompts(lm.manifest.vocab_size, (5, 9, 14))
    greedy = SamplingParams(max_new_tokens=12, temperature=0.0, repetition_penalty=1.0)
    free = BatchDecoder(lm.runner, lm.manifest.pad_token_id, end_id=-1)
    streams = [row.token_ids for row in free.decode([DecodeRequest(p, 0) for p in prompts], greedy)]
    stop = streams[1][3]  # make the 4th token of row 1 the end token
    stopping = BatchDecoder(lm.runner, lm.manifest.pad_token_id, end_id=stop)
    rows = stopping.decode([DecodeRequest(p, 0) for p in prompts], greedy)
    assert rows[1].finished and rows[1].token_ids == streams[1][: streams[1].index(stop)]
    for row, stream in zip(rows, streams, strict=True):
        expected = stream[: stream.index(stop)] if stop in stream else stream
        assert row.token_ids == expected and row.finished == (stop in stream)


def test_tokenizer_saved_by_the_project_is_loadable_by_serving(tiny_model):
    tokenizer = Tokenizer.from_file(str(tiny_model.onnx_dir / "tokenizer.json"))
    assert tokenizer.token_to_id(PAD) == tiny_model.manifest.pad_token_id
