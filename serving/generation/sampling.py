"""Choosing the next token of each row: greedy or temperature / top-k / top-p sampling.

Every row draws from its own seeded generator, so a request's copy depends on its seed and
prompt, not on which other requests happened to share its batch.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Logits = npt.NDArray[np.float32]


@dataclass(frozen=True)
class SamplingParams:
    """`temperature == 0` means greedy decoding (used for parity checks and tests)."""

    max_new_tokens: int = 48
    temperature: float = 0.8
    top_k: int = 40
    top_p: float = 0.95
    repetition_penalty: float = 1.15

    def __post_init__(self) -> None:
        if self.max_new_tokens < 1:
            raise ValueError(f"max_new_tokens must be at least 1; got {self.max_new_tokens}")
        if self.temperature < 0 or not 0 < self.top_p <= 1 or self.repetition_penalty < 1:
            raise ValueError(f"invalid sampling parameters {self}")

    @property
    def greedy(self) -> bool:
        return self.temperature == 0


def penalize_repeats(logits: Logits, generated: list[list[int]], penalty: float) -> None:
    """CTRL-style penalty, in place, on tokens this row already generated.

    Prompt tokens are deliberately not penalized: copy must repeat the prompt's prices,
    brand and attribute values verbatim, and penalizing them pushes the model to paraphrase
    numbers, which the faithfulness checker would then reject.
    """
    if penalty == 1.0:
        return
    for row, tokens in enumerate(generated):
        if not tokens:
            continue
        seen = np.fromiter(set(tokens), dtype=np.int64)
        values = logits[row, seen]
        logits[row, seen] = np.where(values > 0, values / penalty, values * penalty)


def choose_tokens(
    logits: Logits, params: SamplingParams, rngs: list[np.random.Generator]
) -> npt.NDArray[np.int64]:
    """One token id per row of `logits` (shape rows x vocab, already penalized and masked)."""
    if params.greedy:
        return np.asarray(logits.argmax(axis=-1), dtype=np.int64)
    scaled = logits.astype(np.float64) / params.temperature
    vocab = scaled.shape[-1]
    k = params.top_k if 0 < params.top_k < vocab else vocab
    top = np.argpartition(-scaled, k - 1, axis=-1)[:, :k] if k < vocab else None
    chosen = np.empty(len(scaled), dtype=np.int64)
    for row, rng in enumerate(rngs):
        candidates = top[row] if top is not None else np.arange(vocab)
        row_logits = scaled[row, candidates]
        order = np.argsort(-row_logits, kind="stable")
        candidates, row_logits = candidates[order], row_logits[order]
        probs = np.exp(row_logits - row_logits[0])
        probs /= probs.sum()
        if params.top_p < 1.0:
            keep = int(np.searchsorted(np.cumsum(probs), params.top_p)) + 1
            candidates, probs = candidates[:keep], probs[:keep] / probs[:keep].sum()
        index = int(np.searchsorted(np.cumsum(probs), rng.random(), side="right"))
        chosen[row] = candidates[min(index, len(candidates) - 1)]
    return chosen
