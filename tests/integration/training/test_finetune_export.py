"""Reward-weighted fine-tuning of the tiny model: merged checkpoint, export + parity, metrics."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import pytest
import torch
from tokenizers import Tokenizer
from transformers import AutoModelForCausalLM, GPT2LMHeadModel

from contracts.product import Product
from contracts.settings import FineTuneSettings, Settings
from serving.model.onnx_lm import OnnxCausalLM
from serving.prompting import PromptBuilder
from training.bootstrap import BootstrapResult
from training.copy_eval import evaluate_copy_model, evaluation_briefs
from training.corpus import CopyCorpusBuilder, CopyExample
from training.finetune import FineTuneResult, copy_nll, finetune_copy_model
from training.publish_model import export_copy_model
from training.rewarded import RewardedCopy
from training.sequences import CopySequence, encode_copy

pytestmark = [pytest.mark.integration, pytest.mark.slow]

LORA_STEPS = 40


@dataclass(frozen=True)
class Inputs:
    settings: Settings
    base_hf: Path
    rewarded: list[RewardedCopy]
    reference: list[CopyExample]
    held_out: list[CopyExample]


def _settings(base: Settings, **finetune: object) -> Settings:
    tune = FineTuneSettings(batch_size=8, learning_rate=1e-2, **finetune)
    retraining = base.retraining.model_copy(update={"finetune": tune, "eval_briefs": 12})
    return base.model_copy(update={"retraining": retraining})


@pytest.fixture(scope="module")
def inputs(tiny_model: BootstrapResult, tiny_settings_home: Settings, tiny_catalog) -> Inputs:
    corpus = CopyCorpusBuilder(tiny_settings_home.copy_rules, seed=21, copies_per_angle=1)
    # A dozen copies seen many times each: enough for the tiny model's NLL on them to fall.
    rewarded_examples = corpus.build(tiny_catalog[:2])[::17]
    rewarded = [
        RewardedCopy(example.brief, example.text, 0.5 if index % 2 else 1.5)
        for index, example in enumerate(rewarded_examples)
    ]
    return Inputs(
        settings=_settings(tiny_settings_home),
        base_hf=tiny_model.folder / "hf",
        rewarded=rewarded,
        reference=corpus.build(tiny_catalog[4:10])[::3],
        held_out=corpus.build(tiny_catalog[-3:])[::5],
    )


@pytest.fixture(scope="module")
def lora_run(inputs: Inputs, tmp_path_factory: pytest.TempPathFactory) -> FineTuneResult:
    out = tmp_path_factory.mktemp("lora-finetune")
    return finetune_copy_model(
        inputs.settings,
        inputs.base_hf,
        inputs.rewarded,
        inputs.reference,
        out,
        progress=False,
        max_steps=LORA_STEPS,
        held_out=inputs.held_out,
    )


def _sequences(hf_dir: Path, copies: list[RewardedCopy]) -> tuple[list[CopySequence], int]:
    builder = PromptBuilder(Tokenizer.from_file(str(hf_dir / "tokenizer.json")))
    encoded = [encode_copy(builder, copy.brief, copy.text, 256) for copy in copies]
    return [sequence for sequence in encoded if sequence is not None], builder.pad_id


def _state(hf_dir: Path) -> dict[str, torch.Tensor]:
    return AutoModelForCausalLM.from_pretrained(hf_dir).state_dict()


def test_lora_finetune_saves_a_plain_merged_gpt2_that_differs_from_the_base(inputs, lora_run):
    assert lora_run.method == "lora" and lora_run.steps == LORA_STEPS
    assert lora_run.examples == len(inputs.rewarded)
    model = AutoModelForCausalLM.from_pretrained(lora_run.hf_dir)
    assert isinstance(model, GPT2LMHeadModel)
    assert (lora_run.hf_dir / "tokenizer.json").is_file()
    assert not any("lora" in name for name in model.state_dict())
    assert not (lora_run.hf_dir / "adapter_config.json").exists()
    base, tuned = _state(inputs.base_hf), model.state_dict()
    assert base.keys() == tuned.keys()
    moved = [name for name in base if not torch.equal(base[name], tuned[name])]
    assert any("c_attn" in name for name in moved) and any("mlp.c_fc" in name for name in moved)
    assert all(any(t in name for t in ("c_attn", "c_proj", "c_fc")) for name in moved), moved
    total = sum(tensor.numel() for tensor in base.values())
    assert 0 < lora_run.trainable_parameters < total / 5


def test_rewarded_copies_become_more_likely(inputs, lora_run):
    sequences, pad_id = _sequences(inputs.base_hf, inputs.rewarded)
    before = copy_nll(AutoModelForCausalLM.from_pretrained(inputs.base_hf), sequences, pad_id)
    after = copy_nll(AutoModelForCausalLM.from_pretrained(lora_run.hf_dir), sequences, pad_id)
    assert after < before * 0.95, (before, after)
    assert lora_run.curves.eval_steps[0] == 0 and lora_run.curves.eval_steps[-1] == LORA_STEPS
    assert all(math.isfinite(value) for value in lora_run.curves.eval_perplexity)


def test_merged_checkpoint_exports_with_parity_and_evaluates_sanely(
    inputs, lora_run, tiny_catalog: list[Product], tmp_path
):
    prompts, _ = _sequences(inputs.base_hf, inputs.rewarded[:6])
    manifest = export_copy_model(
        lora_run.hf_dir,
        tmp_path / "onnx",
        "finetuned-test",
        [sequence.ids[: sequence.prompt_length] for sequence in prompts],
    )
    assert manifest.parity is not None and manifest.parity.greedy_identical
    assert manifest.parity.max_abs_logit_diff < manifest.parity.tolerance
    assert OnnxCausalLM(tmp_path / "onnx", "cpu").manifest.model_version == "finetuned-test"
    briefs = evaluation_briefs(tiny_catalog, inputs.settings, count=20)
    metrics = evaluate_copy_model(
        inputs.settings,
        lora_run.hf_dir,
        tmp_path / "onnx",
        inputs.held_out,
        briefs,
        tiny_catalog,
        samples_per_brief=2,
        progress=False,
    )
    assert metrics.samples == 12 * 2, "eval_briefs caps the briefs sampled"
    assert math.isfinite(metrics.perplexity) and metrics.perplexity > 1
    for rate in (metrics.pass_rate, metrics.faithful_rate, metrics.compliant_rate):
        assert 0 <= rate <= 1
    assert metrics.pass_rate <= min(metrics.faithful_rate, metrics.compliant_rate)
    assert 0 < metrics.distinct_1 <= 1 and 0 < metrics.distinct_2 <= 1
    again = evaluate_copy_model(
        inputs.settings,
        lora_run.hf_dir,
        tmp_path / "onnx",
        inputs.held_out,
        briefs,
        tiny_catalog,
        samples_per_brief=2,
        progress=False,
    )
    assert again.as_dict() | {"seconds": 0} == metrics.as_dict() | {"seconds": 0}


def test_full_finetune_moves_every_weight_kind(inputs, tmp_path):
    result = finetune_copy_model(
        _settings(inputs.settings, method="full"),
        inputs.base_hf,
        inputs.rewarded,
        inputs.reference,
        tmp_path,
        progress=False,
        max_steps=3,
    )
    base, tuned = _state(inputs.base_hf), _state(result.hf_dir)
    assert result.method == "full" and result.steps == 3
    assert result.trainable_parameters == sum(
        p.numel() for p in AutoModelForCausalLM.from_pretrained(inputs.base_hf).parameters()
    )
    assert not torch.equal(base["transformer.wte.weight"], tuned["transformer.wte.weight"])
    assert not torch.equal(base["transformer.ln_f.weight"], tuned["transformer.ln_f.weight"])


def test_the_same_inputs_give_the_same_weights(inputs, tmp_path):
    runs = [
        finetune_copy_model(
            inputs.settings,
            inputs.base_hf,
            inputs.rewarded,
            inputs.reference,
            tmp_path / name,
            progress=False,
            max_steps=3,
        )
        for name in ("a", "b")
    ]
    first, second = (_state(run.hf_dir) for run in runs)
    for name, tensor in first.items():
        assert torch.equal(tensor, second[name]), name


def test_fine_tuning_stops_at_its_time_budget(inputs, tmp_path):
    result = finetune_copy_model(
        _settings(inputs.settings, max_minutes=1e-6),
        inputs.base_hf,
        inputs.rewarded,
        inputs.reference,
        tmp_path,
        progress=False,
        max_steps=50,
    )
    assert result.steps == 1 and result.curves.stopped_by == "max_minutes"
    assert (result.hf_dir / "model.safetensors").is_file()
