"""Next-token choice: greedy, seeded sampling, top-k/top-p truncation, repetition penalty."""

from __future__ import annotations

import numpy as np
import pytest

from serving.generation.decoder import left_pad
from serving.generation.sampling import SamplingParams, choose_tokens, penalize_repeats


def _logits(rows: int = 3, vocab: int = 50, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(rows, vocab)).astype(np.float32)


def test_greedy_takes_the_argmax_of_every_row():
    logits = _logits()
    chosen = choose_tokens(logits, SamplingParams(temperature=0.0), [np.random.default_rng(0)] * 3)
    assert chosen.tolist() == logits.argmax(axis=1).tolist()


def test_top_k_of_one_is_greedy_whatever_the_seed():
    logits = _logits()
    params = SamplingParams(temperature=1.5, top_k=1)
    for seed in range(5):
        rngs = [np.random.default_rng(seed + row) for row in range(3)]
        assert choose_tokens(logits, params, rngs).tolist() == logits.argmax(axis=1).tolist()


def test_same_seeds_give_same_tokens_and_other_seeds_differ():
    logits = _logits(rows=1, vocab=200)
    params = SamplingParams(temperature=2.0, top_k=0, top_p=1.0)

    def draw(seed: int) -> list[int]:
        rng = np.random.default_rng(seed)
        return [int(choose_tokens(logits, params, [rng])[0]) for _ in range(30)]

    assert draw(7) == draw(7)
    assert draw(7) != draw(8)


def test_top_p_keeps_only_the_nucleus():
    logits = np.log(np.array([[0.6, 0.3, 0.05, 0.05]], dtype=np.float32))
    params = SamplingParams(temperature=1.0, top_k=0, top_p=0.85)
    rng = np.random.default_rng(0)
    drawn = {int(choose_tokens(logits, params, [rng])[0]) for _ in range(300)}
    assert drawn == {0, 1}


def test_repetition_penalty_lowers_only_generated_tokens():
    logits = np.array([[2.0, -1.0, 2.0, 0.5]], dtype=np.float32)
    penalize_repeats(logits, [[0, 1]], penalty=2.0)
    assert logits.tolist() == [[1.0, -2.0, 2.0, 0.5]]


@pytest.mark.parametrize(
    "bad",
    [{"max_new_tokens": 0}, {"top_p": 0.0}, {"temperature": -1.0}, {"repetition_penalty": 0.5}],
)
def test_invalid_sampling_parameters_are_rejected(bad):
    with pytest.raises(ValueError):
        SamplingParams(**bad)


def test_left_pad_right_aligns_prompts():
    ids, mask = left_pad([[5, 6, 7], [9]], pad_id=0)
    assert ids.tolist() == [[5, 6, 7], [0, 0, 9]]
    assert mask.tolist() == [[1, 1, 1], [0, 0, 1]]
    with pytest.raises(ValueError, match="at least one token"):
        left_pad([[1], []], pad_id=0)
