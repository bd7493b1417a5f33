"""Training sequences: prompt ids (no loss) followed by copy ids and the end token (loss).

Loss falls on the copy only: the model is never asked to predict product facts, only to write
copy from them, which is what it is asked to do in serving.
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import torch

from serving.prompting import CopyBrief, PromptBuilder

IGNORE = -100


@dataclass(frozen=True)
class CopySequence:
    ids: tuple[int, ...]
    prompt_length: int


@dataclass(frozen=True)
class Batch:
    input_ids: torch.Tensor
    attention_mask: torch.Tensor
    labels: torch.Tensor

    @property
    def target_tokens(self) -> int:
        return int((self.labels[:, 1:] != IGNORE).sum())


def encode_copy(
    builder: PromptBuilder, brief: CopyBrief, text: str, max_length: int
) -> CopySequence | None:
    """The sequence for one reference copy, or None when it does not fit `max_length`."""
    prompt = builder.prompt_ids(brief)
    ids = [*prompt, *builder.copy_ids(text, brief.facts), builder.end_id]
    if len(ids) > max_length:
        return None
    return CopySequence(tuple(ids), len(prompt))


def collate(sequences: Sequence[CopySequence], pad_id: int) -> Batch:
    """Right-padded batch; labels ignore prompt and padding positions."""
    width = max(len(sequence.ids) for sequence in sequences)
    ids = torch.full((len(sequences), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(sequences), width), dtype=torch.long)
    labels = torch.full((len(sequences), width), IGNORE, dtype=torch.long)
    for row, sequence in enumerate(sequences):
        length = len(sequence.ids)
        ids[row, :length] = torch.tensor(sequence.ids)
        mask[row, :length] = 1
        labels[row, sequence.prompt_length : length] = ids[row, sequence.prompt_length : length]
    return Batch(ids, mask, labels)


def length_bucketed_batches(
    sequences: Sequence[CopySequence], batch_size: int, rng: random.Random
) -> Iterator[list[CopySequence]]:
    """Endless shuffled batches of similar lengths (less padding, same data distribution)."""
    while True:
        order = list(sequences)
        rng.shuffle(order)
        pool = batch_size * 50
        batches: list[list[CopySequence]] = []
        for start in range(0, len(order), pool):
            chunk = sorted(order[start : start + pool], key=lambda sequence: len(sequence.ids))
            batches += [chunk[i : i + batch_size] for i in range(0, len(chunk), batch_size)]
        rng.shuffle(batches)
        yield from batches
