# ruff: noqa: RUF001
from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from serving.checks import (
    MoneyClaim,
    NumberClaim,
    PercentClaim,
    RatingClaim,
    StockClaim,
    ZheClaim,
    extract_claims,
)
from serving.facts import format_amount


@pytest.mark.parametrize(
    ("text", "amount", "currency"),
    [
        ("now $19.99", "19.99", "USD"),
        ("only $1,299.00 today", "1299", "USD"),
        ("US$5 off", "5", "USD"),
        ("¥1325", "1325", "CNY"),
        ("￥29.9", "29.9", "CNY"),
        ("到手29.9元", "29.9", "CNY"),
        ("RMB 50", "50", "CNY"),
        ("CNY 50", "50", "CNY"),
        ("只要１３２５元", "1325", "CNY"),
        ("29.9美元", "29.9", "USD"),
        ("€12", "12", "EUR"),
    ],
)
def test_currency_amounts_are_read_with_their_currency(text: str, amount: str, currency: str):
    (claim,) = extract_claims(text)
    assert isinstance(claim, MoneyClaim)
    assert (claim.amount, claim.currency) == (Decimal(amount), currency)


@pytest.mark.parametrize(
    "text", ["20%", "20 percent off", "20 per cent", "减20%", "２０％", "百分之二十"]
)
def test_percentages_in_every_spelling_are_twenty(text: str):
    (claim,) = extract_claims(text)
    assert isinstance(claim, PercentClaim) and claim.value == 20


@pytest.mark.parametrize(
    ("text", "tenths"),
    [
        ("8折", "8"),
        ("7.5折", "7.5"),
        ("八折", "8"),
        ("五折", "5"),
        ("七五折", "7.5"),
        ("85折", "8.5"),
    ],
)
def test_zhe_discounts_are_read_in_tenths(text: str, tenths: str):
    assert extract_claims(f"全场{text}优惠") == [ZheClaim(Decimal(tenths), text)]


def test_other_numbers_keep_separators_decimals_and_units_apart():
    values = [c.value for c in extract_claims("1,234 reviews, 4.6 stars? 40小时 1.7L IPX5")]
    assert values == [Decimal(1234), Decimal("4.6"), Decimal(40), Decimal("1.7"), Decimal(5)]


def test_full_width_digits_and_grouping_are_normalized():
    assert extract_claims("１，２３４条评价") == [NumberClaim(Decimal(1234), "1,234")]


def test_full_width_comma_between_ascii_numbers_separates_two_numbers():
    assert [c.value for c in extract_claims("库存29，200条评价")] == [29, 200]


@pytest.mark.parametrize(
    ("text", "count"), [("only 3 left", 3), ("Only 12 pairs left", 12), ("仅剩三件", 3)]
)
def test_units_left_are_stock_claims(text: str, count: int):
    (claim,) = extract_claims(text)
    assert isinstance(claim, StockClaim) and claim.count == count


@pytest.mark.parametrize("text", ["rated 4.6/5", "4.6 out of 5", "评分4.6分", "4.6 stars"])
def test_ratings_against_their_scale_are_rating_claims(text: str):
    (claim,) = extract_claims(text)
    assert isinstance(claim, RatingClaim) and claim.value == Decimal("4.6")


def test_minutes_are_not_a_rating():
    assert extract_claims("每局约30分钟") == [NumberClaim(Decimal(30), "30")]


def test_ten_thousands_are_scaled():
    assert extract_claims("1.2万条评价") == [NumberClaim(Decimal(12_000), "1.2万")]


@settings(derandomize=True, max_examples=300)
@given(
    cents=st.integers(min_value=1, max_value=99_999_999),
    currency=st.sampled_from(["USD", "CNY"]),
)
def test_every_formatted_price_reads_back_as_itself(cents: int, currency: str):
    amount = cents / 100
    text = format_amount(amount, currency)
    assert extract_claims(text) == [MoneyClaim(Decimal(str(amount)), currency, text)]
