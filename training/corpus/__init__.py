"""The reference copy corpus: faithful, varied template copy the bootstrap model learns from."""

from training.corpus.builder import CORPUS_LOCALES, CopyCorpusBuilder, CopyExample
from training.corpus.errors import CorpusError
from training.corpus.jsonl import iter_corpus_jsonl, read_corpus_jsonl, write_corpus_jsonl

__all__ = [
    "CORPUS_LOCALES",
    "CopyCorpusBuilder",
    "CopyExample",
    "CorpusError",
    "iter_corpus_jsonl",
    "read_corpus_jsonl",
    "write_corpus_jsonl",
]
