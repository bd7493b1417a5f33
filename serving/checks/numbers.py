"""Numeric claims in copy: money, percentages, 折 discounts, ratings, stock counts, other numbers.

`extract_claims` reads normalized text (see `normalize`) and returns typed claims in text order.
Specific shapes are read first (`only 3 left`, `4.6/5`, `$19.99`, `20%`, `8折`) and their
characters taken, so the plain-number pass never reads `19.99` of `$19.99` a second time.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from serving.checks.normalize import normalize

NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
CN_DIGITS: dict[str, int] = {
    "零": 0, "\u3007": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
    "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
}  # fmt: skip
CN_UNITS: dict[str, int] = {"十": 10, "百": 100, "千": 1_000}
CN_NUM = "[零\u3007一二两三四五六七八九十百千万]+"

# Longest spelling first, so `US$` wins over `$` and `美元` over `元`.
CURRENCY_PREFIXES: dict[str, str] = {
    "US$": "USD", "HK$": "HKD", "USD": "USD", "RMB": "CNY", "CNY": "CNY", "EUR": "EUR",
    "GBP": "GBP", "$": "USD", "¥": "CNY", "€": "EUR", "£": "GBP",
}  # fmt: skip
CURRENCY_SUFFIXES: dict[str, str] = {
    "美元": "USD", "美金": "USD", "dollars": "USD", "dollar": "USD", "USD": "USD",
    "人民币": "CNY", "块钱": "CNY", "元": "CNY", "yuan": "CNY", "RMB": "CNY", "CNY": "CNY",
    "欧元": "EUR", "EUR": "EUR", "英镑": "GBP", "GBP": "GBP", "港元": "HKD",
}  # fmt: skip


@dataclass(frozen=True)
class MoneyClaim:
    """An amount of money: `$1,299.00` is 1299.00 USD, `29.9元` is 29.9 CNY."""

    amount: Decimal
    currency: str
    text: str


@dataclass(frozen=True)
class PercentClaim:
    """`20%`, `20 percent`, `百分之二十`: the value in percent."""

    value: Decimal
    text: str


@dataclass(frozen=True)
class ZheClaim:
    """A Chinese discount in tenths of the list price: `8折` and `八折` are 8, `七五折` is 7.5."""

    tenths: Decimal
    text: str


@dataclass(frozen=True)
class RatingClaim:
    """A star rating stated against its scale: `4.6/5`, `4.6 out of 5`, `4.6分`."""

    value: Decimal
    text: str


@dataclass(frozen=True)
class StockClaim:
    """Units said to be left: `only 3 left`, `仅剩三件`."""

    count: int
    text: str


@dataclass(frozen=True)
class NumberClaim:
    """Any other number: counts (`1,234`), decimals (`4.6`), numbers glued to units (`40小时`)."""

    value: Decimal
    text: str


NumericClaim = MoneyClaim | PercentClaim | ZheClaim | RatingClaim | StockClaim | NumberClaim


def to_decimal(number: str) -> Decimal:
    """`1,299.00` → Decimal('1299.00'); compares equal to 1299 and 1299.0."""
    return Decimal(number.replace(",", ""))


def chinese_int(numeral: str) -> int:
    """`三` → 3, `十二` → 12, `二百五十` → 250, `一万二千` → 12000 (simple numerals only)."""
    total = section = digit = 0
    for char in numeral:
        if char in CN_DIGITS:
            digit = CN_DIGITS[char]
        elif char == "万":
            total += (section + digit) * 10_000
            section = digit = 0
        else:
            section += (digit or 1) * CN_UNITS[char]
            digit = 0
    return total + section + digit


def _count(number: str) -> Decimal:
    return to_decimal(number) if number[0].isdigit() else Decimal(chinese_int(number))


def _zhe_tenths(number: str) -> Decimal:
    """`8` → 8, `7.5` → 7.5, `85` → 8.5 (shops write 8.5折 as 85折), `七五` → 7.5."""
    if number[0].isdigit():
        value = Decimal(number)
        return value / 10 if "." not in number and value > 10 else value
    digits = [Decimal(CN_DIGITS[char]) for char in number]
    return digits[0] + (digits[1] / 10 if len(digits) > 1 else 0)


def _alternatives(spellings: dict[str, str]) -> str:
    """Longest first; Latin words (`USD`, `dollars`) may not continue another word."""
    ordered = sorted(spellings, key=len, reverse=True)
    words = "|".join(re.escape(s) for s in ordered if s[0].isascii() and s[0].isalpha())
    others = "|".join(re.escape(s) for s in ordered if not (s[0].isascii() and s[0].isalpha()))
    return f"(?<![A-Za-z])(?:{words})|{others}"


_STOCK = re.compile(
    rf"\b(?:only|just)\s+(?P<n>{NUM})\s+(?:[a-z]+\s+)?left\b"
    rf"|\b(?P<n2>{NUM})\s+left\s+in\s+stock\b"
    rf"|(?:仅|只|还)剩(?:下)?\s*(?P<n3>\d+|{CN_NUM})",
    re.IGNORECASE,
)
_RATING = re.compile(
    r"(?<![\d.])(?P<n>\d(?:\.\d)?)\s*(?:/|out\s+of)\s*5(?:\.0)?(?![\d.]*\d)"
    r"|(?<![\d.])(?P<n2>\d\.\d)\s*(?:分(?!钟)|星|stars?\b)",
    re.IGNORECASE,
)
_MONEY = re.compile(
    rf"(?P<pre>{_alternatives(CURRENCY_PREFIXES)})\s*(?P<n>{NUM})"
    rf"|(?P<n2>{NUM})\s*(?P<suf>{_alternatives(CURRENCY_SUFFIXES)})(?![A-Za-z])"
)
_PERCENT = re.compile(
    rf"(?P<n>{NUM})\s*(?:%|percent\b|per\s+cent\b)|百分之(?P<n2>\d+(?:\.\d+)?|{CN_NUM})",
    re.IGNORECASE,
)
# `折叠` is folding (`三折叠`: tri-fold), not a discount; `对折` is too ambiguous (fold in half).
_ZHE = re.compile(r"(?P<n>\d+(?:\.\d+)?|[一二三四五六七八九]{1,2})\s*折(?!叠)|(?P<half>半价)")
_PLAIN = re.compile(rf"(?P<n>{NUM})(?P<wan>万)?")


def _group(match: re.Match[str], *names: str) -> str:
    return next(value for name in names if (value := match.group(name)) is not None)


def _stock(match: re.Match[str]) -> NumericClaim:
    return StockClaim(int(_count(_group(match, "n", "n2", "n3"))), match.group(0))


def _rating(match: re.Match[str]) -> NumericClaim:
    return RatingClaim(Decimal(_group(match, "n", "n2")), match.group(0))


def _money(match: re.Match[str]) -> NumericClaim:
    if match.group("pre") is not None:
        currency = CURRENCY_PREFIXES[match.group("pre")]
    else:
        currency = CURRENCY_SUFFIXES[match.group("suf")]
    return MoneyClaim(to_decimal(_group(match, "n", "n2")), currency, match.group(0))


def _percent(match: re.Match[str]) -> NumericClaim:
    return PercentClaim(_count(_group(match, "n", "n2")), match.group(0))


def _zhe(match: re.Match[str]) -> NumericClaim:
    tenths = Decimal(5) if match.group("half") else _zhe_tenths(match.group("n"))
    return ZheClaim(tenths, match.group(0))


def _plain(match: re.Match[str]) -> NumericClaim:
    scale = 10_000 if match.group("wan") else 1
    return NumberClaim(to_decimal(match.group("n")) * scale, match.group(0))


@dataclass(frozen=True)
class _Pass:
    """One claim shape; `hints` are substrings (lower case) without which it cannot match."""

    pattern: re.Pattern[str]
    build: Callable[[re.Match[str]], NumericClaim]
    hints: tuple[str, ...] = ()

    def may_match(self, folded: str) -> bool:
        return not self.hints or any(hint in folded for hint in self.hints)


# Most specific first: each pass takes its characters away from the passes after it.
_PASSES: tuple[_Pass, ...] = (
    _Pass(_STOCK, _stock, ("left", "剩")),
    _Pass(_RATING, _rating, ("/", "out of", "分", "星", "star")),
    _Pass(_MONEY, _money),
    _Pass(_PERCENT, _percent, ("%", "per", "百分之")),
    _Pass(_ZHE, _zhe, ("折", "半价")),
    _Pass(_PLAIN, _plain),
)


def _matches(text: str) -> Iterator[tuple[int, NumericClaim]]:
    masked, folded = text, text.casefold()
    for step in _PASSES:
        if not step.may_match(folded):
            continue
        matches = list(step.pattern.finditer(masked))
        for match in matches:
            yield match.start(), step.build(match)
        for match in matches:
            start, end = match.span()
            masked = masked[:start] + "\0" * (end - start) + masked[end:]


def extract_claims(text: str) -> list[NumericClaim]:
    """Every numeric claim in `text` (raw or normalized copy), in the order they appear."""
    return [claim for _, claim in sorted(_matches(normalize(text)), key=lambda item: item[0])]
