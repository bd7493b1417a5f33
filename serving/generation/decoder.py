"""Batched autoregressive decoding over the ONNX model with a key/value cache.

Prompts of uneven length are left-padded into one batch; every row stops on its own at the end
token. On the host, finished rows are dropped from the batch (and their cache) once they are a
quarter of it, so one long copy does not make the whole batch pay for its length.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from serving.errors import PromptTooLongError
from serving.generation.sampling import SamplingParams, choose_tokens, penalize_repeats
from serving.model.onnx_lm import IntArray, KeyValueRunner

COMPACT_SHARE = 0.25


@dataclass(frozen=True)
class DecodeRequest:
    prompt_ids: Sequence[int]
    seed: int


@dataclass(frozen=True)
class Decoded:
    """The new tokens of one row (end token excluded), whether the end token was reached, and
    the model's mean log-probability of the tokens it chose (end included): a fluency score."""

    token_ids: tuple[int, ...]
    finished: bool
    mean_logprob: float


def left_pad(prompts: Sequence[Sequence[int]], pad_id: int) -> tuple[IntArray, IntArray]:
    """Ids and attention mask with every prompt right-aligned (so all rows decode in step)."""
    width = max(len(prompt) for prompt in prompts)
    ids = np.full((len(prompts), width), pad_id, dtype=np.int64)
    mask = np.zeros((len(prompts), width), dtype=np.int64)
    for row, prompt in enumerate(prompts):
        if not prompt:
            raise ValueError("every prompt needs at least one token")
        ids[row, width - len(prompt) :] = prompt
        mask[row, width - len(prompt) :] = 1
    return ids, mask


class BatchDecoder:
    """Decodes many prompts at once; the result for a row depends only on its prompt and seed."""

    def __init__(
        self,
        runner: KeyValueRunner,
        pad_id: int,
        end_id: int,
        banned_ids: Iterable[int] = (),
        *,
        max_positions: int | None = None,
    ) -> None:
        self.runner = runner
        self.pad_id = pad_id
        self.end_id = end_id
        self.max_positions = max_positions
        self.banned = np.asarray(sorted(set(banned_ids) - {end_id}), dtype=np.int64)

    def decode(self, requests: Sequence[DecodeRequest], params: SamplingParams) -> list[Decoded]:
        if not requests:
            return []
        steps = self._steps(requests, params)
        logits, past, mask, positions = self._prefill(requests)
        rngs = [np.random.default_rng(request.seed) for request in requests]
        generated: list[list[int]] = [[] for _ in requests]
        logprob = np.zeros(len(requests), dtype=np.float64)
        finished = np.zeros(len(requests), dtype=bool)
        live = np.arange(len(requests))  # original row of each row still in the batch
        last_position = positions[:, -1]
        for _ in range(steps):
            tokens = self._next_tokens(logits, [generated[row] for row in live], params, rngs, live)
            logprob[live] += np.where(finished[live], 0.0, _token_logprob(logits, tokens))
            for index, row in enumerate(live):
                if finished[row]:
                    continue
                if tokens[index] == self.end_id:
                    finished[row] = True
                else:
                    generated[row].append(int(tokens[index]))
            if finished.all():
                break
            keep = ~finished[live]
            if keep.sum() <= (1 - COMPACT_SHARE) * len(live):
                compacted = self.runner.select_rows(past, np.flatnonzero(keep))
                if compacted is not None:
                    past, live, tokens = compacted, live[keep], tokens[keep]
                    mask, last_position = mask[keep], last_position[keep]
            mask = np.concatenate([mask, np.ones((len(live), 1), dtype=np.int64)], axis=1)
            last_position = last_position + 1
            logits, past = self.runner.step(
                tokens[:, None], mask, last_position[:, None].astype(np.int64), past
            )
        return [
            Decoded(
                tuple(generated[row]),
                bool(finished[row]),
                float(logprob[row] / (len(generated[row]) + int(finished[row]) or 1)),
            )
            for row in range(len(requests))
        ]

    def _steps(self, requests: Sequence[DecodeRequest], params: SamplingParams) -> int:
        """`max_new_tokens`, or fewer where the model's positions end first: the rows cut
        short come back unfinished instead of the model being asked past its last position."""
        if self.max_positions is None:
            return params.max_new_tokens
        longest = max(len(request.prompt_ids) for request in requests)
        if longest > self.max_positions:
            raise PromptTooLongError(
                f"a prompt of {longest} tokens does not fit the model's {self.max_positions} "
                "positions; build prompts with PromptBuilder.prompt_ids(max_tokens=...)"
            )
        return min(params.max_new_tokens, self.max_positions - longest)

    def _prefill(
        self, requests: Sequence[DecodeRequest]
    ) -> tuple[np.ndarray, list[Any], IntArray, IntArray]:
        """Run each distinct prompt once and give every row its prompt's cache: candidates of
        one brief share a prompt, and the prompt is most of the compute of a short copy."""
        distinct: dict[tuple[int, ...], int] = {}
        source = np.asarray(
            [distinct.setdefault(tuple(r.prompt_ids), len(distinct)) for r in requests]
        )
        shared = self.runner.gathers_rows and len(distinct) < len(requests)
        prompts = [list(p) for p in distinct] if shared else [r.prompt_ids for r in requests]
        ids, mask = left_pad(prompts, self.pad_id)
        positions = np.clip(np.cumsum(mask, axis=1) - 1, 0, None)
        logits, past = self.runner.step(ids, mask, positions, self.runner.empty_past(len(ids)))
        if not shared:
            return logits, past, mask, positions
        expanded = self.runner.select_rows(past, source)
        assert expanded is not None  # gathers_rows promised it
        return logits[source], expanded, mask[source], positions[source]

    def _next_tokens(
        self,
        logits: np.ndarray,
        generated: list[list[int]],
        params: SamplingParams,
        rngs: list[np.random.Generator],
        live: IntArray,
    ) -> IntArray:
        logits = np.array(logits, dtype=np.float32)  # writable copy
        if self.banned.size:
            logits[:, self.banned] = -np.inf
        penalize_repeats(logits, generated, params.repetition_penalty)
        return choose_tokens(logits, params, [rngs[row] for row in live])


def _token_logprob(logits: np.ndarray, tokens: IntArray) -> np.ndarray:
    """log softmax(logits)[token] per row, from the raw model logits (before any sampling knob)."""
    rows = logits.astype(np.float64)
    top = rows.max(axis=1, keepdims=True)
    normalizer = np.log(np.exp(rows - top).sum(axis=1)) + top[:, 0]
    return rows[np.arange(len(rows)), tokens] - normalizer
