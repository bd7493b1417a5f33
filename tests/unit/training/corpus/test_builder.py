"""The corpus builder: size, determinism, variety, search queries and speed."""

from __future__ import annotations

import time
from collections import defaultdict

import pytest

from contracts.product import Product
from contracts.settings import CopyRuleSettings
from contracts.vocabulary import Angle, Channel, Locale
from training.corpus import CORPUS_LOCALES, CopyCorpusBuilder, CopyExample

from .conftest import COPIES_PER_ANGLE, SEED

MIN_TEMPLATES_PER_ANGLE = 8


def _brief_key(example: CopyExample) -> tuple[str, Locale, Channel, Angle]:
    brief = example.brief
    return (brief.facts.product_id, brief.locale, brief.channel, brief.angle)


def _fingerprint(examples: list[CopyExample]) -> list[tuple[object, ...]]:
    return [(*_brief_key(e), e.brief.search_query, e.text, e.template_id) for e in examples]


def test_corpus_has_every_product_locale_channel_angle_and_copy(
    corpus: list[CopyExample], catalog: list[Product]
):
    per_brief = len(CORPUS_LOCALES) * len(Channel) * len(Angle) * COPIES_PER_ANGLE
    assert len(corpus) == len(catalog) * per_brief
    seen = {_brief_key(example) for example in corpus}
    assert len(seen) == len(catalog) * per_brief // COPIES_PER_ANGLE


def test_same_seed_gives_identical_corpus(rules: CopyRuleSettings, catalog: list[Product]):
    first = CopyCorpusBuilder(rules, SEED, 2).build(catalog[:40])
    second = CopyCorpusBuilder(rules, SEED, 2).build(catalog[:40])
    assert _fingerprint(first) == _fingerprint(second)


def test_different_seed_gives_different_corpus(rules: CopyRuleSettings, catalog: list[Product]):
    first = CopyCorpusBuilder(rules, 1, 2).build(catalog[:40])
    second = CopyCorpusBuilder(rules, 2, 2).build(catalog[:40])
    assert _fingerprint(first) != _fingerprint(second)


def test_a_products_copies_do_not_depend_on_the_other_products(
    rules: CopyRuleSettings, catalog: list[Product]
):
    builder = CopyCorpusBuilder(rules, SEED, 2)
    alone = builder.build(catalog[7:8])
    among = [
        e for e in builder.build(catalog[:10]) if e.brief.facts.product_id == catalog[7].product_id
    ]
    assert _fingerprint(alone) == _fingerprint(among)


def test_copies_of_one_brief_come_from_distinct_templates(corpus: list[CopyExample]):
    for first, second in zip(corpus[::2], corpus[1::2], strict=True):
        assert first.brief == second.brief
        assert first.template_id != second.template_id
        assert first.text != second.text


def test_each_angle_uses_at_least_eight_templates_per_locale(corpus: list[CopyExample]):
    used: dict[tuple[Angle, Locale], set[str]] = defaultdict(set)
    own_bank: dict[tuple[Angle, Locale], set[str]] = defaultdict(set)
    for example in corpus:
        key = (example.brief.angle, example.brief.locale)
        used[key].add(example.template_id)
        if example.written_angle == example.brief.angle.value:
            own_bank[key].add(example.template_id)
    for angle in Angle:
        for locale in CORPUS_LOCALES:
            assert len(used[(angle, locale)]) >= MIN_TEMPLATES_PER_ANGLE, (angle, locale)
            assert len(own_bank[(angle, locale)]) >= MIN_TEMPLATES_PER_ANGLE, (angle, locale)


def test_no_copy_needs_the_angle_neutral_fallback(corpus: list[CopyExample]):
    assert not [e.text for e in corpus if e.template_id.startswith("fallback.")]


def test_about_thirty_percent_of_briefs_carry_a_search_query(corpus: list[CopyExample]):
    briefs = corpus[::COPIES_PER_ANGLE]
    share = sum(b.brief.search_query is not None for b in briefs) / len(briefs)
    assert 0.27 < share < 0.33
    queries = {b.brief.search_query for b in briefs if b.brief.search_query}
    assert "french press" in queries and "法压壶" in queries


def test_search_queries_come_from_the_products_own_words(corpus: list[CopyExample]):
    for example in corpus[:20_000:COPIES_PER_ANGLE]:
        query = example.brief.search_query
        if query is None:
            continue
        facts = example.brief.facts
        words = " ".join([facts.title, facts.brand, *facts.attributes.values()]).casefold()
        query_words = query.replace(facts.brand.casefold(), " ")
        if example.brief.locale is Locale.EN:
            assert all(word in words for word in query_words.split()), query


def test_full_catalog_builds_in_well_under_a_minute(
    rules: CopyRuleSettings, catalog: list[Product]
):
    started = time.perf_counter()
    CopyCorpusBuilder(rules, SEED, 2).build(catalog)
    assert time.perf_counter() - started < 20


def test_copies_per_angle_must_be_positive(rules: CopyRuleSettings):
    with pytest.raises(ValueError, match="copies_per_angle must be 1 or more"):
        CopyCorpusBuilder(rules, SEED, 0)
