"""Every corpus copy keeps the rule book and states only its product's facts."""

from __future__ import annotations

import re
from collections.abc import Mapping

import pytest

from contracts.settings import CopyRuleSettings
from contracts.vocabulary import Angle, Channel, Locale
from serving.facts import ProductFacts
from training.corpus import CopyExample

_EN_MONEY = re.compile(r"\$[\d,]+\.\d{2}")
_ZH_MONEY = re.compile(r"¥\d+(?:\.\d+)?")
_PERCENT_OFF = re.compile(r"(\d+)% off")
_ZHE = re.compile(r"(\d+(?:\.\d+)?)折")
_MONEY = re.compile(r"[$¥][\d,.]+")
_NUMBER = re.compile(r"\d+(?:[.,]\d+)*")

DISCOUNT_WORDS = {
    Locale.EN: (r"% off", r"\bsave\b", r"\bwas \$", r"price drop", r"\bdown to\b"),
    Locale.ZH_CN: ("折", "降价", "直降", "立省", "原价", "好价"),
}
FREE_SHIPPING_WORDS = {
    Locale.EN: (r"free shipping", r"ships free", r"shipped free", r"shipping fee", r"delivery"),
    Locale.ZH_CN: ("包邮", "免运费", "运费"),
}
SCARCITY_WORDS = {
    Locale.EN: (r"\bleft\b", r"almost gone", r"running low", r"low stock", r"last few", r"lasts"),
    Locale.ZH_CN: ("仅剩", "只剩", "库存", "所剩不多", "手慢无", "数量有限"),
}
NEW_WORDS = {
    Locale.EN: (r"\bnew\b", r"just in", r"just landed", r"fresh arrival"),
    Locale.ZH_CN: ("新",),
}
URGENCY_DEADLINES = (
    r"\d+\s*(?:hours?|minutes?|days?)\s*(?:left|only)",
    r"ends in",
    r"\d+\s*小时内",
)


def _template_words(example: CopyExample) -> str:
    """The copy with the product's own words cut out, so only template wording is left."""
    facts = example.brief.facts
    text = example.text
    for word in sorted([facts.title, facts.brand, *facts.attributes.values()], key=len)[::-1]:
        text = text.replace(word, " ")
    return text


def _says(example: CopyExample, words: Mapping[Locale, tuple[str, ...]]) -> bool:
    text = _template_words(example)
    return any(re.search(word, text, re.IGNORECASE) for word in words[example.brief.locale])


def test_every_copy_fits_its_channel_length(corpus: list[CopyExample], rules: CopyRuleSettings):
    for example in corpus:
        limit = rules.max_chars[example.brief.channel][example.brief.locale]
        assert len(example.text) <= limit, example.text


def test_no_copy_holds_a_banned_term(corpus: list[CopyExample], rules: CopyRuleSettings):
    for example in corpus:
        folded = example.text.casefold()
        for term in rules.banned_terms[example.brief.locale]:
            assert term.casefold() not in folded, (term, example.text)


def test_sms_copies_end_with_the_opt_out_and_others_never_carry_it(
    corpus: list[CopyExample], rules: CopyRuleSettings
):
    for example in corpus:
        opt_out = rules.sms_opt_out[example.brief.locale]
        if example.brief.channel is Channel.SMS:
            assert example.text.endswith(opt_out), example.text
            assert example.text.count(opt_out) == 1
        else:
            assert opt_out not in example.text


def test_undiscounted_products_get_no_discount_claim(corpus: list[CopyExample]):
    undiscounted = [e for e in corpus if not e.brief.facts.discounted]
    assert any(e.brief.angle is Angle.DISCOUNT for e in undiscounted)
    for example in undiscounted:
        assert not _says(example, DISCOUNT_WORDS), example.text


def test_products_without_free_shipping_never_claim_it(corpus: list[CopyExample]):
    for example in corpus:
        if not example.brief.facts.free_shipping:
            assert not _says(example, FREE_SHIPPING_WORDS), example.text


def test_scarcity_is_claimed_only_when_stock_is_low(corpus: list[CopyExample]):
    plenty = [e for e in corpus if not e.brief.facts.low_stock]
    assert any(e.brief.angle is Angle.SCARCITY for e in plenty)
    for example in plenty:
        assert not _says(example, SCARCITY_WORDS), example.text


def test_only_new_products_are_called_new(corpus: list[CopyExample]):
    for example in corpus:
        if not example.brief.facts.is_new:
            assert not _says(example, NEW_WORDS), example.text


def test_urgency_never_invents_a_deadline(corpus: list[CopyExample]):
    for example in corpus:
        for pattern in URGENCY_DEADLINES:
            assert not re.search(pattern, example.text, re.IGNORECASE), example.text


def test_stated_prices_are_the_products_prices(corpus: list[CopyExample]):
    for example in corpus:
        facts = example.brief.facts
        pattern = _EN_MONEY if facts.locale is Locale.EN else _ZH_MONEY
        allowed = {facts.price_text}
        if facts.discounted:
            allowed |= {facts.list_price_text, facts.savings_text}
        for amount in pattern.findall(example.text):
            assert amount in allowed, (amount, allowed, example.text)


def test_stated_discounts_are_the_products_discount(corpus: list[CopyExample]):
    for example in corpus:
        facts = example.brief.facts
        for percent in _PERCENT_OFF.findall(example.text):
            assert int(percent) == facts.discount_pct, example.text
        for tenths in _ZHE.findall(example.text):
            assert f"{tenths}折" == facts.zhe_text, example.text


def test_every_number_in_a_copy_is_one_of_the_products_facts(corpus: list[CopyExample]):
    for example in corpus:
        facts = example.brief.facts
        # "/5" is the rating scale, not a fact of the product.
        for number in _NUMBER.findall(example.text.replace("/5", "")):
            assert number in _fact_text(facts), (number, example.text)


def test_rating_and_review_counts_are_quoted_only_with_enough_reviews(corpus: list[CopyExample]):
    for example in corpus:
        facts = example.brief.facts
        if facts.review_count < 5 or facts.rating < 4.0:
            words = _MONEY.sub(" ", _template_words(example))
            assert not re.search(rf"(?<![\d.]){re.escape(facts.rating_text)}(?!\d)", words)


@pytest.mark.parametrize("locale", list(Locale))
def test_social_proof_without_reviews_pivots_to_quality(corpus: list[CopyExample], locale: Locale):
    few = [
        e
        for e in corpus
        if e.brief.angle is Angle.SOCIAL_PROOF
        and e.brief.locale is locale
        and e.brief.facts.review_count < 20
    ]
    assert few
    assert {e.written_angle for e in few} == {Angle.QUALITY.value}


def _fact_text(facts: ProductFacts) -> str:
    values = [
        facts.title,
        *facts.attributes.values(),
        facts.price_text,
        facts.list_price_text,
        facts.savings_text,
        str(facts.discount_pct),
        facts.zhe_text,
        facts.rating_text,
        str(facts.review_count),
        f"{facts.review_count:,}",
        str(facts.stock),
    ]
    return " | ".join(values)
