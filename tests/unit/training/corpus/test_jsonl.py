"""The corpus file: every example survives a write and a read, and bad lines are named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from training.corpus import CopyExample, CorpusError, read_corpus_jsonl, write_corpus_jsonl


def test_examples_round_trip_through_jsonl(corpus: list[CopyExample], tmp_path: Path):
    examples = corpus[:200]
    path = tmp_path / "corpus" / "copies.jsonl"
    assert write_corpus_jsonl(path, examples) == len(examples)
    assert read_corpus_jsonl(path) == examples


def test_lines_are_flat_readable_records(corpus: list[CopyExample], tmp_path: Path):
    path = tmp_path / "copies.jsonl"
    zh = next(e for e in corpus if e.brief.locale == "zh-CN")
    write_corpus_jsonl(path, [zh])
    line = path.read_text(encoding="utf-8")
    record = json.loads(line)
    assert zh.text in line  # Chinese is written as is, not escaped
    assert record["product_id"] == zh.brief.facts.product_id
    assert record["channel"] == zh.brief.channel.value
    assert record["angle"] == zh.brief.angle.value
    assert record["price"] == zh.brief.facts.price
    assert record["template_id"] == zh.template_id


def test_a_malformed_line_raises_with_its_position(tmp_path: Path):
    path = tmp_path / "copies.jsonl"
    path.write_text('{"text": "hi"}\n', encoding="utf-8")
    with pytest.raises(CorpusError, match=r"copies.jsonl:1 is not a corpus record"):
        read_corpus_jsonl(path)
