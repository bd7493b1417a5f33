# ruff: noqa: RUF001
"""Adversarial copies for both locales; faithful copies must pass (no false positives)."""

from __future__ import annotations

import pytest

from contracts.product import Product
from contracts.vocabulary import Locale
from serving.checks import FaithfulnessChecker, Rule

from .conftest import facts_of

EN, ZH = Locale.EN, Locale.ZH_CN


def _rules(checker: FaithfulnessChecker, text: str, product: Product, locale: Locale) -> set[str]:
    return {violation.rule for violation in checker.check(text, facts_of(product, locale))}


FAITHFUL_EN = (
    "Nexiwave over-ear headphones in black: 20% off, now $183.99 (was $229.99). Save $46.00, "
    "get 40 hours of battery, Bluetooth 5.0 and IPX5. Rated 4.6/5 by 1,234 shoppers."
)
FAITHFUL_ZH = (
    "【小巧】Nexiwave 头戴式耳机8折，到手￥1325，原价¥1656，立省331元！"
    "黑色，续航４０小时，蓝牙5.0，评分4.6，1234条评价"
)


def test_faithful_english_copy_passes(faithfulness: FaithfulnessChecker, headphones: Product):
    assert faithfulness.check(FAITHFUL_EN, facts_of(headphones, EN)) == []


def test_faithful_chinese_copy_passes(faithfulness: FaithfulnessChecker, headphones: Product):
    assert faithfulness.check(FAITHFUL_ZH, facts_of(headphones, ZH)) == []


@pytest.mark.parametrize(
    ("locale", "text", "rule"),
    [
        (EN, "Nexiwave headphones, 25% off today.", Rule.PERCENT),
        (ZH, "Nexiwave 耳机直降２５％", Rule.PERCENT),
        (EN, "Nexiwave headphones for $179.99.", Rule.MONEY),
        (ZH, "Nexiwave 耳机到手￥1299", Rule.MONEY),
        (ZH, "Nexiwave 耳机到手$1325", Rule.CURRENCY),
        (EN, "Nexiwave headphones for ¥1325.", Rule.CURRENCY),
        (ZH, "Nexiwave 耳机７折", Rule.ZHE),
        (ZH, "Nexiwave 耳机七折", Rule.ZHE),
        (EN, "Rated 4.9/5 by shoppers.", Rule.RATING),
        (EN, "Up to 60 hours of battery.", Rule.NUMBER),
        (ZH, "续航60小时", Rule.NUMBER),
    ],
)
def test_wrong_numbers_are_violations(
    faithfulness: FaithfulnessChecker, headphones: Product, locale: Locale, text: str, rule: Rule
):
    assert rule in _rules(faithfulness, text, headphones, locale)


@pytest.mark.parametrize(
    ("locale", "text"),
    [(EN, "Nexiwave headphones, 20% off."), (ZH, "Nexiwave 耳机8折"), (ZH, "Nexiwave 耳机八折")],
)
def test_the_true_discount_passes(
    faithfulness: FaithfulnessChecker, headphones: Product, locale: Locale, text: str
):
    assert _rules(faithfulness, text, headphones, locale) == set()


def test_full_width_percent_is_read_as_twenty(
    faithfulness: FaithfulnessChecker, headphones: Product
):
    assert _rules(faithfulness, "Nexiwave 耳机直降２０％", headphones, ZH) == set()


@pytest.mark.parametrize(
    ("locale", "text"),
    [
        (EN, "Vellora headphones in black."),
        (EN, "As good as Sony, for $183.99."),
        (EN, "Like NIKE for your ears."),
        (ZH, "Vellora 头戴式耳机"),
        (ZH, "比肩华为的耳机"),
        (ZH, "耐克同款耳机"),
    ],
)
def test_invented_brands_are_violations(
    faithfulness: FaithfulnessChecker, headphones: Product, locale: Locale, text: str
):
    assert Rule.BRAND in _rules(faithfulness, text, headphones, locale)


@pytest.mark.parametrize(
    ("locale", "text"),
    [(EN, "Nexiwave headphones in red."), (EN, "Now in heather gray."), (ZH, "红色耳机")],
)
def test_a_value_the_product_lacks_is_a_violation(
    faithfulness: FaithfulnessChecker, headphones: Product, locale: Locale, text: str
):
    assert Rule.ATTRIBUTE in _rules(faithfulness, text, headphones, locale)


@pytest.mark.parametrize(
    "text",
    ["Made for tired ears.", "A secure fit.", "Recycled packaging.", "Small enough to carry."],
)
def test_value_words_inside_other_words_are_not_claims(
    faithfulness: FaithfulnessChecker, headphones: Product, text: str
):
    assert _rules(faithfulness, text, headphones, EN) == set()


def test_a_value_contained_in_the_products_own_value_is_not_a_claim(
    faithfulness: FaithfulnessChecker, jacket: Product
):
    # The jacket is 橄榄绿 (olive green) in 再生尼龙 (recycled nylon), size M.
    assert _rules(faithfulness, "Vellora 橄榄绿防雨夹克，再生尼龙，M码", jacket, ZH) == set()
    assert _rules(faithfulness, "Olive green, recycled nylon, size M.", jacket, EN) == set()


def test_a_size_the_product_lacks_is_a_violation(
    faithfulness: FaithfulnessChecker, jacket: Product
):
    assert Rule.ATTRIBUTE in _rules(faithfulness, "Vellora jacket, size XL.", jacket, EN)
    assert Rule.ATTRIBUTE in _rules(faithfulness, "Vellora 夹克 XL码", jacket, ZH)


@pytest.mark.parametrize(
    ("locale", "text", "rule"),
    [
        (EN, "Free shipping on Nexiwave headphones.", Rule.FREE_SHIPPING),
        (ZH, "Nexiwave 耳机包邮", Rule.FREE_SHIPPING),
        (EN, "New arrival: Nexiwave headphones.", Rule.NEW_ARRIVAL),
        (ZH, "Nexiwave 新款耳机", Rule.NEW_ARRIVAL),
        (EN, "Almost gone: Nexiwave headphones.", Rule.SCARCITY),
        (ZH, "Nexiwave 耳机库存紧张", Rule.SCARCITY),
        # Phrases the reference corpus uses only where true: a model may misplace them.
        (EN, "Running low: Nexiwave headphones.", Rule.SCARCITY),
        (ZH, "Nexiwave 耳机所剩不多", Rule.SCARCITY),
        (EN, "Meet the new Nexiwave headphones.", Rule.NEW_ARRIVAL),
        (ZH, "尝鲜 Nexiwave 耳机", Rule.NEW_ARRIVAL),
        (EN, "Nexiwave headphones, shipped free.", Rule.FREE_SHIPPING),
        (ZH, "Nexiwave 耳机无需运费", Rule.FREE_SHIPPING),
    ],
)
def test_claims_whose_fact_is_false_are_violations(
    faithfulness: FaithfulnessChecker, headphones: Product, locale: Locale, text: str, rule: Rule
):
    assert rule in _rules(faithfulness, text, headphones, locale)


@pytest.mark.parametrize(("locale", "text"), [(EN, "Only 3 left!"), (ZH, "仅剩三件")])
def test_only_three_left_with_two_hundred_in_stock_is_a_stock_and_scarcity_violation(
    faithfulness: FaithfulnessChecker, headphones: Product, locale: Locale, text: str
):
    assert {Rule.STOCK, Rule.SCARCITY} <= _rules(faithfulness, text, headphones, locale)


@pytest.mark.parametrize(
    ("locale", "text"),
    [
        (EN, "Save on this Vellora rain jacket."),
        (EN, "Vellora rain jacket, 10% off."),
        (ZH, "Vellora 防雨夹克立减50元"),
        (ZH, "Vellora 防雨夹克9折"),
    ],
)
def test_sale_claims_on_an_undiscounted_product_are_violations(
    faithfulness: FaithfulnessChecker, jacket: Product, locale: Locale, text: str
):
    assert _rules(faithfulness, text, jacket, locale) & {Rule.SALE, Rule.PERCENT, Rule.ZHE}


def test_claims_whose_fact_holds_pass(faithfulness: FaithfulnessChecker, headphones: Product):
    facts = facts_of(headphones, ZH, free_shipping=True, is_new=True, stock=3, low_stock=True)
    assert faithfulness.check("Nexiwave 新款耳机包邮，仅剩3件", facts) == []


def test_a_percentage_the_listing_states_is_not_a_discount_claim(
    faithfulness: FaithfulnessChecker, catalog: list[Product]
):
    chocolate = next(p for p in catalog if "cacao" in p.localized(EN).attributes)
    cacao = chocolate.localized(EN).attributes["cacao"]
    assert _rules(faithfulness, f"{chocolate.brand}: {cacao}.", chocolate, EN) == set()


def test_violation_details_say_what_the_copy_said_and_what_is_true(
    faithfulness: FaithfulnessChecker, headphones: Product
):
    (violation,) = faithfulness.check("25% off", facts_of(headphones, EN))
    assert "25%" in violation.detail and "20% off" in violation.detail


@pytest.mark.parametrize(
    ("locale", "text"),
    [
        (EN, "Save space and time with Vellora."),
        (EN, "Reduced noise, all day comfort."),
        (EN, "A great offer of comfort."),
        (ZH, "三折叠收纳，方便携带"),
        (ZH, "省心之选"),
    ],
)
def test_words_that_only_look_like_sale_claims_pass(
    faithfulness: FaithfulnessChecker, jacket: Product, locale: Locale, text: str
):
    assert _rules(faithfulness, text, jacket, locale) == set()


def test_scarcity_with_the_true_low_stock_passes(
    faithfulness: FaithfulnessChecker, headphones: Product
):
    facts = facts_of(headphones, EN, stock=3, low_stock=True)
    assert faithfulness.check("Almost gone: only 3 left at $183.99.", facts) == []


@pytest.mark.parametrize(
    ("locale", "text"),
    [
        (EN, "Smart buy: the Nexiwave storage jar"),
        (EN, "Nexiwave wireless earbuds, now $183.99"),
        (ZH, "划算好物：Nexiwave 蓝牙音箱"),
        (ZH, "Nexiwave 无线耳机，¥1325"),
    ],
)
def test_naming_another_kind_of_product_is_a_violation(
    faithfulness: FaithfulnessChecker, headphones: Product, locale: Locale, text: str
):
    assert Rule.PRODUCT in _rules(faithfulness, text, headphones, locale)


@pytest.mark.parametrize(
    ("locale", "text"),
    [(EN, "Smart buy: the Nexiwave over-ear headphones"), (ZH, "划算好物：Nexiwave 头戴式耳机")],
)
def test_naming_the_product_itself_is_faithful(
    faithfulness: FaithfulnessChecker, headphones: Product, locale: Locale, text: str
):
    assert _rules(faithfulness, text, headphones, locale) == set()


@pytest.mark.parametrize(
    ("locale", "text", "ok"),
    [
        (EN, "Nexiwave headphones at $229.99", False),
        (EN, "Nexiwave headphones: $183.99, was $229.99", True),
        (EN, "Why pay $229.99? Nexiwave headphones for $183.99", True),
        (ZH, "Nexiwave 头戴式耳机，到手¥1656", False),
        (ZH, "Nexiwave 头戴式耳机，原价¥1656，现价¥1325", True),
    ],
)
def test_list_price_must_be_stated_as_the_old_price(
    faithfulness: FaithfulnessChecker, headphones: Product, locale: Locale, text: str, ok: bool
):
    assert (Rule.LIST_PRICE not in _rules(faithfulness, text, headphones, locale)) == ok


@pytest.mark.parametrize(
    ("locale", "text"),
    [(EN, "Lightweight Nexiwave headphones"), (ZH, "轻盈 Nexiwave 头戴式耳机")],
)
def test_a_physical_property_the_product_lacks_is_a_violation(
    faithfulness: FaithfulnessChecker, headphones: Product, locale: Locale, text: str
):
    assert Rule.PRODUCT in _rules(faithfulness, text, headphones, locale)


def test_zh_copy_may_only_borrow_latin_words_from_the_product(
    faithfulness: FaithfulnessChecker, headphones: Product
):
    assert Rule.SCRIPT in _rules(faithfulness, "高性价比之选： about 耳机", headphones, ZH)
    assert _rules(faithfulness, "Nexiwave 头戴式耳机，IPX5防水", headphones, ZH) == set()
