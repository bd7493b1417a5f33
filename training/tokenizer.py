"""The bootstrap tokenizer: byte-level BPE over both locales plus Copystream's control tokens.

Byte-level BPE never meets an unknown character (any Chinese character or emoji falls back to
bytes), and the control tokens are added as special tokens, so they are whole ids that
ordinary text can only produce if it is encoded with special-token matching (never in prompts).
Digits are split one per token: a small model then copies any price or count from the prompt
digit by digit instead of needing an embedding per number it has seen.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
from transformers import PreTrainedTokenizerFast

from serving.prompting import END, PAD


def train_copy_tokenizer(
    texts: Iterable[str], vocab_size: int, control_tokens: list[str]
) -> Tokenizer:
    """A byte-level BPE tokenizer trained on `texts`, with `control_tokens` as the first ids."""
    tokenizer = Tokenizer(models.BPE())
    tokenizer.pre_tokenizer = pre_tokenizers.Sequence(
        [
            pre_tokenizers.Digits(individual_digits=True),
            pre_tokenizers.ByteLevel(add_prefix_space=False),
        ]
    )
    tokenizer.decoder = decoders.ByteLevel()
    tokenizer.post_processor = processors.ByteLevel(trim_offsets=False)
    trainer = trainers.BpeTrainer(
        vocab_size=vocab_size,
        special_tokens=control_tokens,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    tokenizer.train_from_iterator(texts, trainer=trainer)
    return tokenizer


def add_control_tokens(tokenizer: Tokenizer, control_tokens: list[str]) -> Tokenizer:
    """Give a base model's tokenizer our control tokens (those it lacks) as special tokens."""
    vocab = tokenizer.get_vocab(with_added_tokens=True)
    tokenizer.add_special_tokens([token for token in control_tokens if token not in vocab])
    return tokenizer


def save_tokenizer(tokenizer: Tokenizer, folder: Path) -> Path:
    """Save in the Hugging Face layout, so `AutoTokenizer.from_pretrained(folder)` works too."""
    folder.mkdir(parents=True, exist_ok=True)
    wrapped = PreTrainedTokenizerFast(tokenizer_object=tokenizer, pad_token=PAD, eos_token=END)
    wrapped.save_pretrained(str(folder))
    return folder / "tokenizer.json"
