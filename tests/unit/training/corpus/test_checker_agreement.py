"""The serving checker accepts every reference copy: corpus and checker agree on the rules."""

from __future__ import annotations

from collections import Counter

from contracts.product import Product
from contracts.settings import CopyRuleSettings
from serving.checks import CopyChecker
from training.corpus import CopyExample

PRODUCTS_CHECKED = 100


def test_every_copy_of_the_first_hundred_products_passes_the_copy_checker(
    corpus: list[CopyExample], catalog: list[Product], rules: CopyRuleSettings
):
    checker = CopyChecker.from_rules(rules, catalog)
    checked = {product.product_id for product in catalog[:PRODUCTS_CHECKED]}
    failures: Counter[str] = Counter()
    examples: dict[str, str] = {}
    for example in corpus:
        if example.brief.facts.product_id not in checked:
            continue
        verdict = checker.check(example.text, example.brief)
        for violation in verdict.violations:
            key = f"{example.template_id}/{violation.rule}"
            failures[key] += 1
            examples.setdefault(key, f"{example.text!r}: {violation.detail}")
    assert not failures, [examples[key] for key, _ in failures.most_common(10)]
