# ruff: noqa: RUF001
from __future__ import annotations

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.product import Product
from contracts.vocabulary import Channel, Locale
from serving.checks import CopyChecker, CopyVerdict, FactLexicon, Rule, Violation
from serving.facts import ProductFacts

from .conftest import RULES, brief_of

EN, ZH = Locale.EN, Locale.ZH_CN
NUMBER_RULES = {Rule.MONEY, Rule.CURRENCY, Rule.PERCENT, Rule.ZHE, Rule.RATING, Rule.STOCK}
NUMBER_RULES |= {Rule.NUMBER}


def test_verdict_is_ok_only_without_violations():
    assert CopyVerdict().ok
    verdict = CopyVerdict((Violation(Rule.LENGTH, "too long"),))
    assert not verdict.ok and verdict.rules == {"length"}


def test_checker_reports_faithfulness_and_compliance_together(
    checker: CopyChecker, headphones: Product
):
    brief = brief_of(headphones, ZH, Channel.SMS)
    verdict = checker.check("全网最低！Nexiwave 耳机７折", brief)
    assert {Rule.BANNED_TERM, Rule.SMS_OPT_OUT, Rule.ZHE} <= verdict.rules


def test_faithful_compliant_copy_passes(checker: CopyChecker, headphones: Product):
    verdict = checker.check("Nexiwave headphones: 20% off, now $183.99.", brief_of(headphones, EN))
    assert verdict.ok, verdict.violations


def test_lexicon_knows_catalog_brands_famous_brands_and_values_of_both_locales(
    lexicon: FactLexicon, catalog: list[Product]
):
    assert {p.brand for p in catalog} | {"Nike", "华为"} <= lexicon.brands
    assert [v.value for v in lexicon.values_in("red", EN)] == ["red"]
    assert [v.value for v in lexicon.values_in("酒红色", ZH)] == ["酒红色"]


def _fact_pieces(facts: ProductFacts) -> list[str]:
    """Sentences that state only facts, formatted as shoppers read them."""
    zh = facts.locale == ZH
    pieces = [facts.title, facts.price_text, *facts.attributes.values()]
    pieces += [f"评分{facts.rating_text}分" if zh else f"rated {facts.rating_text}/5"]
    pieces += [f"{facts.review_count}条评价" if zh else f"{facts.review_count:,} reviews"]
    pieces += [f"库存{facts.stock}件" if zh else f"{facts.stock} in stock"]
    if facts.discounted:
        pieces += [facts.list_price_text, facts.savings_text, f"{facts.discount_pct}%"]
        pieces += [facts.zhe_text] if zh else []
    if facts.low_stock:
        pieces += [f"仅剩{facts.stock}件" if zh else f"only {facts.stock} left"]
    return pieces


@settings(derandomize=True, max_examples=400, deadline=None)
@given(data=st.data())
def test_a_copy_built_from_facts_never_gets_a_number_violation(
    data: st.DataObject, catalog: list[Product], checker: CopyChecker
):
    product = data.draw(st.sampled_from(catalog))
    locale = data.draw(st.sampled_from(list(Locale)))
    facts = ProductFacts.of(product, locale, RULES.low_stock_threshold)
    pieces = data.draw(st.permutations(_fact_pieces(facts)))
    separator = data.draw(st.sampled_from([" ", ", ", "，", "。", " | ", "! "]))
    text = separator.join(pieces[: data.draw(st.integers(1, len(pieces)))])
    violations = checker.faithfulness.check(text, facts)
    assert not [v for v in violations if v.rule in NUMBER_RULES], (text, violations)


def test_rating_and_review_count_formats_are_tolerated(checker: CopyChecker, headphones: Product):
    facts = ProductFacts.of(headphones, EN, RULES.low_stock_threshold)
    assert facts.review_count == 1234 and facts.rating == 4.6
    for text in ("1,234 reviews, 4.6 stars", "1234 reviews, rated 4.6 out of 5", "4.6/5.0"):
        assert checker.faithfulness.check(text, facts) == [], text
    assert Decimal(facts.rating_text) == Decimal("4.6")
