"""The decoder never asks the model for a position it does not have (the crash a long search
query caused: `Gather … idx=160 must be within [-160,159]`)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from serving.errors import PromptTooLongError
from serving.generation.decoder import BatchDecoder, DecodeRequest
from serving.generation.sampling import SamplingParams

VOCAB, END, PAD = 16, 1, 0


class PositionCheckingRunner:
    """Answers like a model with `max_positions` positions, and fails as onnxruntime does on a
    position past the end; never predicts the end token, so rows run to their step limit."""

    gathers_rows = False

    def __init__(self, max_positions: int) -> None:
        self.max_positions = max_positions
        self.highest = -1

    def empty_past(self, rows: int) -> list[Any]:
        return []

    def step(self, input_ids, attention_mask, position_ids, past):
        self.highest = max(self.highest, int(position_ids.max()))
        if self.highest >= self.max_positions:
            raise RuntimeError(f"idx={self.highest} must be within [0,{self.max_positions - 1}]")
        logits = np.zeros((len(input_ids), VOCAB), dtype=np.float32)
        logits[:, END] = -np.inf
        return logits, past

    def select_rows(self, past, rows):
        return None


PARAMS = SamplingParams(max_new_tokens=20, temperature=1.0, top_k=0, top_p=1.0)


def test_rows_stop_unfinished_where_the_positions_end():
    runner = PositionCheckingRunner(max_positions=24)
    decoder = BatchDecoder(runner, PAD, END, max_positions=24)
    decoded = decoder.decode(
        [DecodeRequest([2] * 10, seed=1), DecodeRequest([3] * 4, seed=2)], PARAMS
    )
    assert runner.highest == 23  # the last position, never past it
    assert [len(row.token_ids) for row in decoded] == [14, 14]  # 24 - the longest prompt
    assert not any(row.finished for row in decoded)  # the checker turns these into templates


def test_a_prompt_longer_than_the_positions_is_refused_before_the_model_runs():
    runner = PositionCheckingRunner(max_positions=8)
    decoder = BatchDecoder(runner, PAD, END, max_positions=8)
    with pytest.raises(PromptTooLongError, match="8 positions"):
        decoder.decode([DecodeRequest([2] * 9, seed=1)], PARAMS)
    assert runner.highest == -1
