"""The corpus as JSON lines: one example a line, the brief's fields flattened beside the copy.

Each line holds every `ProductFacts` field plus `channel`, `angle`, `search_query`,
`template_id` and `text`, so a file reads on its own and rebuilds the exact `CopyExample`s.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from contracts.vocabulary import Angle, Channel, Locale
from serving.facts import PriceBand, ProductFacts
from serving.prompting import CopyBrief
from training.corpus.builder import CopyExample
from training.corpus.errors import CorpusError

_FACT_FIELDS = tuple(field.name for field in dataclasses.fields(ProductFacts))


def example_record(example: CopyExample) -> dict[str, Any]:
    """The flat JSON-ready record of one example."""
    brief = example.brief
    record: dict[str, Any] = dataclasses.asdict(brief.facts)
    record["locale"] = brief.facts.locale.value
    record["band"] = brief.facts.band.value
    record.update(
        channel=brief.channel.value,
        angle=brief.angle.value,
        search_query=brief.search_query,
        template_id=example.template_id,
        text=example.text,
    )
    return record


def example_from_record(record: dict[str, Any]) -> CopyExample:
    """Inverse of `example_record`; raises KeyError/ValueError on a malformed record."""
    facts_values = {name: record[name] for name in _FACT_FIELDS}
    facts_values["locale"] = Locale(record["locale"])
    facts_values["band"] = PriceBand(record["band"])
    facts = ProductFacts(**facts_values)
    brief = CopyBrief(
        facts, Channel(record["channel"]), Angle(record["angle"]), record["search_query"]
    )
    return CopyExample(brief, record["text"], record["template_id"])


def write_corpus_jsonl(path: Path, examples: Iterable[CopyExample]) -> int:
    """Write `examples` to `path` (UTF-8, Chinese unescaped); returns how many were written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with path.open("w", encoding="utf-8") as out:
        for example in examples:
            out.write(json.dumps(example_record(example), ensure_ascii=False) + "\n")
            count += 1
    return count


def iter_corpus_jsonl(path: Path) -> Iterator[CopyExample]:
    """Examples of a file written by `write_corpus_jsonl`, in file order; blank lines skipped."""
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                yield example_from_record(json.loads(line))
            except (KeyError, TypeError, ValueError) as error:
                raise CorpusError(
                    f"{path}:{number} is not a corpus record ({type(error).__name__}: {error}); "
                    "expected a line written by write_corpus_jsonl"
                ) from error


def read_corpus_jsonl(path: Path) -> list[CopyExample]:
    return list(iter_corpus_jsonl(path))
