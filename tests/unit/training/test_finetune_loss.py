"""The reward-weighted loss and the batch mix of fine-tuning."""

from __future__ import annotations

import random

import pytest
import torch
from transformers import GPT2Config, GPT2LMHeadModel

from contracts.settings import FineTuneSettings
from training.finetune import WeightedSequence, mixed_batches, weighted_copy_loss
from training.sequences import CopySequence, collate

VOCAB = 50
PAD = 0


def _sequences() -> list[CopySequence]:
    return [
        CopySequence((1, 7, 8, 9, 10, 11, 5), prompt_length=3),
        CopySequence((1, 12, 13, 14, 15, 5), prompt_length=4),
        CopySequence((1, 16, 17, 18, 19, 20, 21, 22, 5), prompt_length=2),
    ]


def _logits(batch_shape: tuple[int, ...], seed: int = 0) -> torch.Tensor:
    generator = torch.Generator().manual_seed(seed)
    return torch.randn((*batch_shape, VOCAB), generator=generator).requires_grad_(True)


def _gradient(weights: list[float]) -> torch.Tensor:
    batch = collate(_sequences(), PAD)
    logits = _logits(tuple(batch.input_ids.shape))
    weighted_copy_loss(logits, batch.labels, torch.tensor(weights)).backward()
    assert logits.grad is not None
    return logits.grad


def test_a_weight_zero_sequence_contributes_nothing():
    gradient = _gradient([1.0, 0.0, 1.0])
    assert torch.count_nonzero(gradient[1]) == 0
    assert torch.count_nonzero(gradient[0]) > 0 and torch.count_nonzero(gradient[2]) > 0
    batch = collate(_sequences(), PAD)
    logits = _logits(tuple(batch.input_ids.shape)).detach()
    weights = torch.tensor([1.0, 0.0, 1.0])
    changed = logits.clone()
    changed[1] += 100 * torch.randn_like(changed[1])
    assert weighted_copy_loss(logits, batch.labels, weights) == pytest.approx(
        float(weighted_copy_loss(changed, batch.labels, weights))
    )


def test_weights_scale_each_sequences_gradient_linearly():
    base = _gradient([1.0, 1.0, 1.0])
    scaled = _gradient([1.0, 3.0, 0.5])
    assert torch.allclose(scaled[0], base[0])
    assert torch.allclose(scaled[1], 3.0 * base[1])
    assert torch.allclose(scaled[2], 0.5 * base[2])


def test_prompt_and_padding_positions_carry_no_loss():
    batch = collate(_sequences(), PAD)
    logits = _logits(tuple(batch.input_ids.shape)).detach()
    weights = torch.ones(3)
    changed = logits.clone()
    # Position t predicts token t+1: positions before prompt_length - 1 predict prompt tokens.
    changed[0, :2] += 50.0
    changed[2, 0] -= 50.0
    changed[1, 5:] += 50.0  # row 1 has 6 real tokens; the rest is padding
    expected = float(weighted_copy_loss(logits, batch.labels, weights))
    assert float(weighted_copy_loss(changed, batch.labels, weights)) == pytest.approx(expected)


def test_each_sequence_counts_by_its_mean_token_loss_not_its_length():
    short, long = _sequences()[1], _sequences()[2]
    batch = collate([short, long], PAD)
    logits = _logits(tuple(batch.input_ids.shape)).detach()
    both = float(weighted_copy_loss(logits, batch.labels, torch.ones(2)))
    alone = [
        float(weighted_copy_loss(logits[row : row + 1], batch.labels[row : row + 1], torch.ones(1)))
        for row in range(2)
    ]
    assert both == pytest.approx(sum(alone) / 2)


def test_unit_weight_on_one_sequence_equals_the_models_own_copy_loss():
    torch.manual_seed(0)
    config = GPT2Config(vocab_size=VOCAB, n_positions=32, n_embd=16, n_layer=1, n_head=2)
    model = GPT2LMHeadModel(config).eval()
    batch = collate(_sequences()[:1], PAD)
    with torch.no_grad():
        output = model(input_ids=batch.input_ids, labels=batch.labels)
        ours = weighted_copy_loss(output.logits, batch.labels, torch.ones(1))
    assert float(ours) == pytest.approx(float(output.loss), rel=1e-5)


def _weighted(count: int, weight: float) -> list[WeightedSequence]:
    return [WeightedSequence(CopySequence((1, n, 5), 1), weight) for n in range(count)]


def test_batches_mix_the_reference_share_and_see_every_rewarded_copy_each_pass():
    rewarded, reference = _weighted(10, 2.0), _weighted(40, 1.0)
    tune = FineTuneSettings(batch_size=8, reference_share=0.25)
    batches = mixed_batches(rewarded, reference, tune, random.Random(1))
    first = [next(batches) for _ in range(5)]  # 5 x 6 rewarded rows = 3 passes of 10
    for rows in first:
        assert len(rows) == 8
        assert sum(row.weight == 1.0 for row in rows) == 2
    seen = [row for rows in first for row in rows if row.weight == 2.0]
    assert all(seen[:30].count(row) == 3 for row in rewarded)
    again = mixed_batches(rewarded, reference, tune, random.Random(1))
    assert [next(again) for _ in range(5)] == first


def test_without_reference_copies_every_row_is_rewarded():
    tune = FineTuneSettings(batch_size=4, reference_share=0.5)
    rows = next(mixed_batches(_weighted(3, 1.5), [], tune, random.Random(0)))
    assert len(rows) == 4 and all(row.weight == 1.5 for row in rows)
