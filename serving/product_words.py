"""The words copy uses for one product: a short name, its noun, attribute phrases, grammar.

Everything here is cut from the listing itself (title, brand, attribute values), so a name in
a copy never says more than the title does. The catalog's kind nouns serve as a lexicon to
find the bare noun ("Over-ear Headphones", "法压壶"); other catalogs fall back to the short name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from contracts.vocabulary import Locale
from features.catalog.categories import ALL_CATEGORIES
from serving.facts import ProductFacts

# How an attribute reads right after the product name ("Headphones with 40 hours of battery").
_EN_FEATURES: dict[str, str] = {
    "color": "in {v}",
    "material": "in {v}",
    "finish": "in {v}",
    "format": "in {v}",
    "language": "in {v}",
    "scent": "in {v}",
    "variety": "in {v}",
    "flavor": "in {v} flavor",
    "size": "in size {v}",
    "fit": "in a {v}",
    "roast": "in a {v}",
    "pack": "in a {v}",
    "width": "in {v} width",
    "volume": "in a {v} size",
    "net weight": "in a {v} size",
    "battery life": "with {v} of battery",
    "connectivity": "with {v}",
    "water resistance": "rated {v}",
    "capacity": "with {v} capacity",
    "wattage": "with {v} of power",
    "skin type": "for {v}",
    "age": "for {v}",
    "players": "for {v}",
    "play time": "with {v} of play",
    "spf": "with {v}",
    "cacao": "with {v}",
    "pieces": "with {v}",
    "pages": "with {v}",
    "stone": "with {v}",
    "thickness": "that's {v} thick",
    "height": "that stands {v} tall",
    "length": "that's {v} long",
    "sleeps": "that sleeps {v}",
    "top speed": "that reaches {v}",
    "diet": "that's {v}",
}
# The same as a clause of its own ("续航40小时"); names carrying banned words (最高时速) are mapped.
_ZH_FEATURES: dict[str, str] = {
    "颜色": "{v}款",
    "材质": "{v}材质",
    "尺码": "尺码{v}",
    "鞋型": "{v}鞋型",
    "续航": "续航{v}",
    "连接方式": "支持{v}",
    "防水等级": "{v}防水",
    "容量": "容量{v}",
    "功率": "功率{v}",
    "适用肤质": "{v}适用",
    "香型": "{v}香型",
    "口味": "{v}口味",
    "净含量": "净含量{v}",
    "可可含量": "可可含量{v}",
    "厚度": "厚度{v}",
    "容纳人数": "可容纳{v}",
    "颗粒数": "颗粒数{v}",
    "高度": "高{v}",
    "长度": "长{v}",
    "最高时速": "时速可达{v}",
    "人数": "{v}同乐",
    "游戏时长": "游戏时长{v}",
    "适用年龄": "适合{v}",
    "语言": "{v}版",
    "镶嵌": "镶嵌{v}",
}
_SEPARATORS = re.compile(r"\s[-|/]\s|[,|/()（）]|\s-\s")
_ZH_TAGS = re.compile(r"【[^】]*】")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True)
class ProductWords:
    """Names and phrases for one product in one locale; `features` may be empty."""

    brand: str
    title: str
    short_name: str
    noun: str
    features: tuple[str, ...]
    plural: bool

    @classmethod
    def of(cls, facts: ProductFacts, banned: tuple[str, ...]) -> ProductWords:
        """Words for `facts`, leaving out every attribute whose phrase holds a banned term."""
        values = tuple(facts.attributes.values())
        short = short_name(facts.title, facts.brand, values, facts.locale)
        noun = kind_noun(short, facts.locale)
        phrases = (
            feature_phrase(name, value, facts.locale) for name, value in facts.attributes.items()
        )
        features = tuple(
            phrase for phrase in phrases if phrase and not _holds_banned(phrase, banned)
        )
        return cls(
            brand=facts.brand,
            title=facts.title,
            short_name=short,
            noun=noun,
            features=features,
            plural=facts.locale is Locale.EN and _is_plural(noun),
        )


def short_name(title: str, brand: str, values: tuple[str, ...], locale: Locale) -> str:
    """The title without brand, tags and attribute values: "Compact Over-ear Headphones"."""
    text = _ZH_TAGS.sub(" ", title)
    text = re.sub(rf"\s+by\s+{re.escape(brand)}(?![A-Za-z0-9])", " ", text)
    text = text.replace(brand, " ")
    for value in sorted(values, key=len, reverse=True):
        text = _remove_value(text, value, glued=locale is Locale.ZH_CN)
    for segment in _SEPARATORS.split(text):
        cleaned = _SPACES.sub(" ", segment).strip(" -|,/·")
        if any(char.isalpha() for char in cleaned):
            return cleaned
    return title


def kind_noun(name: str, locale: Locale) -> str:
    """The longest catalog kind noun inside `name`, as written there; else `name` itself."""
    folded = name.casefold()
    for noun in _kind_nouns(locale):
        start = folded.find(noun)
        if start >= 0:
            return name[start : start + len(noun)]
    return name


def feature_phrase(name: str, value: str, locale: Locale) -> str:
    """One attribute as copy reads it; an attribute the maps do not know is quoted plainly."""
    value = value.strip()
    if not value:
        return ""
    if locale is Locale.ZH_CN:
        return _ZH_FEATURES.get(name, "{v}").format(v=value)
    return _EN_FEATURES.get(name.casefold(), f"({name}: {{v}})").format(v=value)


@cache
def _kind_nouns(locale: Locale) -> tuple[str, ...]:
    nouns = {
        (kind.noun.zh if locale is Locale.ZH_CN else kind.noun.en).casefold()
        for category in ALL_CATEGORIES
        for kind in category.kinds
    }
    return tuple(sorted(nouns, key=len, reverse=True))


def _remove_value(text: str, value: str, glued: bool) -> str:
    """Drop `value` where it starts a token (and, unless `glued`, ends one too).

    Chinese titles glue words together ("XLT恤"), so there only the start is checked; in
    English "S" must not be cut out of "Sneakers". Only ASCII letters and digits count as
    word characters, so a value next to a Chinese character is found.
    """
    if not value.strip():
        return text
    end = "" if glued else "(?![A-Za-z0-9])"
    pattern = rf"(?<![A-Za-z0-9]){re.escape(value.strip())}{end}"
    return re.sub(pattern, " ", text, flags=re.IGNORECASE)


def _is_plural(noun: str) -> bool:
    last = noun.split(" ")[-1].casefold() if noun else ""
    return last.endswith("s") and not last.endswith("ss")


def _holds_banned(text: str, banned: tuple[str, ...]) -> bool:
    folded = text.casefold()
    return any(term.casefold() in folded for term in banned)
