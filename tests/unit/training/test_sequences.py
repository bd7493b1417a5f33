"""Training sequences: slots replace stated facts, loss only on the copy, round trips exact."""

from __future__ import annotations

import pytest

from contracts.settings import CopyRuleSettings
from features.catalog.generator import CatalogGenerator
from serving.prompting import PromptBuilder, control_tokens
from serving.slots import slot_texts
from training.corpus import CopyCorpusBuilder, CopyExample
from training.sequences import IGNORE, collate, encode_copy
from training.tokenizer import train_copy_tokenizer

PRODUCTS = CatalogGenerator(seed=7, products=30).generate()


@pytest.fixture(scope="module")
def corpus() -> list[CopyExample]:
    return CopyCorpusBuilder(CopyRuleSettings(), seed=13, copies_per_angle=1).build(PRODUCTS)


@pytest.fixture(scope="module")
def builder(corpus: list[CopyExample]) -> PromptBuilder:
    specials = control_tokens(sorted({p.category for p in PRODUCTS}))
    return PromptBuilder(train_copy_tokenizer([e.text for e in corpus], 800, specials))


def test_every_reference_copy_round_trips_through_its_slots(builder, corpus):
    slotted = 0
    for example in corpus:
        ids = builder.copy_ids(example.text, example.brief.facts)
        slotted += any(i in builder.slot_ids for i in ids)
        slots = slot_texts(example.brief.facts)
        assert builder.copy_text([*ids, builder.end_id], slots) == example.text
    assert slotted > len(corpus) / 2, "most copies state the brand or a price"


def test_no_digit_of_a_price_is_left_for_the_model_to_write(builder, corpus):
    for example in corpus[:500]:
        ids = builder.copy_ids(example.text, example.brief.facts)
        plain = builder.tokenizer.decode([i for i in ids if i not in builder.slot_ids])
        assert example.brief.facts.price_text not in plain


def test_loss_falls_on_the_copy_and_end_token_only(builder, corpus):
    sequences = [encode_copy(builder, e.brief, e.text, max_length=400) for e in corpus[:4]]
    assert all(sequence is not None for sequence in sequences)
    batch = collate([s for s in sequences if s is not None], builder.pad_id)
    for row, sequence in enumerate(s for s in sequences if s is not None):
        labels = batch.labels[row].tolist()
        assert all(label == IGNORE for label in labels[: sequence.prompt_length])
        copy = labels[sequence.prompt_length : len(sequence.ids)]
        assert copy[-1] == builder.end_id and IGNORE not in copy
        assert all(label == IGNORE for label in labels[len(sequence.ids) :])


def test_a_copy_too_long_for_the_model_is_skipped(builder, corpus):
    assert encode_copy(builder, corpus[0].brief, corpus[0].text, max_length=10) is None
