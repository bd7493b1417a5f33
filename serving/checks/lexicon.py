"""Brands and attribute values a copy could wrongly claim, gathered from the whole catalog.

The faithfulness checker asks the lexicon which brands and attribute values a copy names, then
keeps those this product does not have. Values are matched as whole words in English (`red` is
not found in `recycled`) and as substrings in Chinese; the longest value wins at each place, so
`heather gray` is one claim, not `gray` as well.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from contracts.product import Product
from contracts.vocabulary import Locale
from serving.checks.normalize import WORD_CHARS, first_token, normalize, phrase_pattern, tokens

# Well-known real brands a small model may have seen in pre-training and invent into a copy.
# Matched with their capitalization (or in capitals), so `apple pie` and `puma` the cat pass.
FAMOUS_BRANDS: tuple[str, ...] = (
    "Nike", "Adidas", "Puma", "Reebok", "New Balance", "Under Armour", "Lululemon", "Patagonia",
    "The North Face", "Levi's", "Zara", "Uniqlo", "H&M", "Gucci", "Prada", "Chanel", "Dior",
    "Louis Vuitton", "Hermès", "Rolex", "Tiffany", "Pandora", "Apple", "iPhone", "Samsung",
    "Sony", "Bose", "JBL", "Xiaomi", "Huawei", "Lenovo", "Dell", "Microsoft", "Google", "Amazon",
    "Philips", "Panasonic", "Canon", "Nikon", "Dyson", "KitchenAid", "Le Creuset", "Tefal",
    "IKEA", "Muji", "L'Oréal", "L'Oreal", "Lancôme", "Estée Lauder", "Clinique", "Nivea",
    "Nestlé", "Starbucks", "Lego", "Mattel", "Hasbro", "Barbie", "Purina", "Skechers", "Crocs",
    "苹果", "耐克", "阿迪达斯", "彪马", "优衣库", "华为", "小米", "三星", "索尼", "戴森", "宜家",
    "欧莱雅", "兰蔻", "雅诗兰黛", "香奈儿", "迪奥", "古驰", "李宁", "安踏", "海尔", "美的",
    "格力", "联想", "飞利浦", "松下", "乐高", "星巴克", "雀巢", "无印良品",
)  # fmt: skip

# Everyday words (and one-letter sizes) that are attribute values only next to their attribute's
# name: `size M`, `regular width`, `尺码M`, `M码`; alone they say nothing about the product.
PRODUCT_KIND = "product kind"
"""The attribute name product nouns and descriptive adjectives are filed under: `storage jar` or
`lightweight` is a claim about what the product is, checked like any attribute value (named but
not in the product's own words: unfaithful)."""

AMBIGUOUS_VALUES: frozenset[str] = frozenset({"regular", "small", "medium", "wide", "标准"})
_SIZE_LETTERS = re.compile(r"^X{0,3}[SML]$")


@dataclass(frozen=True)
class AttributeValue:
    """A value some catalog product has for an attribute, e.g. `black` (color) or `黑色` (颜色)."""

    locale: Locale
    value: str
    names: frozenset[str]


def _value_pattern(value: str, locale: Locale) -> str:
    if locale == Locale.EN:
        return phrase_pattern(value)
    # Chinese: a substring, but a Latin or numeric edge may not run on (`2米` is not in `1.2米`).
    head = f"(?<![{WORD_CHARS}.])" if re.match(f"[{WORD_CHARS}]", value) else ""
    tail = f"(?![{WORD_CHARS}])" if re.search(f"[{WORD_CHARS}]$", value) else ""
    return f"{head}{re.escape(value)}{tail}"


def _in_context(value: str, names: Iterable[str], locale: Locale) -> str:
    forms = []
    for name in sorted(names):
        if locale == Locale.EN:
            forms += [phrase_pattern(f"{name} {value}"), phrase_pattern(f"{value} {name}")]
            forms.append(phrase_pattern(f"{name}: {value}"))
        else:
            forms.append(f"{re.escape(name)}[:为是]?\\s*{_value_pattern(value, locale)}")
            forms.append(f"{_value_pattern(value, locale)}{re.escape(name[-1])}")
    return "|".join(f"(?:{form})" for form in forms)


@dataclass(frozen=True)
class _Entry:
    """One spelling to look for: a cheap substring test first, the exact pattern only then."""

    key: str
    pattern: re.Pattern[str]
    value: AttributeValue

    @property
    def first(self) -> str:
        return first_token(self.key)


class _ValueIndex:
    """All attribute values of one locale; at each place in a copy the longest value wins."""

    def __init__(self, locale: Locale, names_by_value: dict[str, set[str]]) -> None:
        self.locale = locale
        self._entries: dict[str, list[_Entry]] = defaultdict(list)
        self._own: dict[str, re.Pattern[str]] = {}
        for value, names in names_by_value.items():
            own = re.compile(_value_pattern(value, locale), re.IGNORECASE)
            ambiguous = value in AMBIGUOUS_VALUES or _SIZE_LETTERS.match(value)
            claim = (
                re.compile(_in_context(value, names, locale), re.IGNORECASE) if ambiguous else own
            )
            attribute = AttributeValue(locale, value, frozenset(names))
            entry = _Entry(value.casefold(), claim, attribute)
            self._entries[entry.first].append(entry)
            self._own[value] = own

    def named_in(self, text: str) -> list[AttributeValue]:
        folded = text.casefold()
        spans = [
            (match.start(), -len(match.group(0)), entry.value)
            for token in tokens(text)
            for entry in self._entries.get(token, ())
            if entry.key in folded
            for match in entry.pattern.finditer(text)
        ]
        named, covered_to = [], -1
        for start, negative_length, value in sorted(spans, key=lambda span: span[:2]):
            if start >= covered_to:
                named.append(value)
                covered_to = start - negative_length
        return list(dict.fromkeys(named))

    def stated_in(self, value: AttributeValue, text: str) -> bool:
        return self._own[value.value].search(text) is not None


class FactLexicon:
    """Every brand and attribute value the catalog knows, plus famous brands; build it once."""

    def __init__(self, brands: Iterable[str], values: dict[Locale, dict[str, set[str]]]) -> None:
        self.brands = frozenset(brands)
        self._brands: dict[str, list[tuple[str, re.Pattern[str], str]]] = defaultdict(list)
        for brand in self.brands:
            for spelling in _spellings(brand):
                pattern = re.compile(phrase_pattern(spelling))
                self._brands[first_token(spelling)].append((spelling, pattern, brand))
        self._values = {
            locale: _ValueIndex(locale, by_value) for locale, by_value in values.items()
        }

    @classmethod
    def from_products(
        cls,
        products: Iterable[Product],
        extra_brands: Iterable[str] = FAMOUS_BRANDS,
        product_nouns: Iterable[tuple[Locale, str]] = (),
    ) -> FactLexicon:
        brands = set(extra_brands)
        values: dict[Locale, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
        for locale, noun in product_nouns:
            values[locale][normalize(noun)].add(PRODUCT_KIND)
        for product in products:
            brands.add(product.brand)
            for locale, listing in product.text.items():
                for name, value in listing.attributes.items():
                    values[locale][normalize(value)].add(normalize(name))
        return cls(brands, {locale: dict(by_value) for locale, by_value in values.items()})

    def brands_in(self, text: str) -> list[str]:
        """Brands named in normalized `text`, each once, in order of first mention."""
        found = [
            (match.start(), brand)
            for token in tokens(text)
            for spelling, pattern, brand in self._brands.get(token, ())
            if spelling in text
            for match in pattern.finditer(text)
        ]
        return list(dict.fromkeys(brand for _, brand in sorted(found)))

    def values_in(self, text: str, locale: Locale) -> list[AttributeValue]:
        """Attribute values named in normalized `text` (none for a locale the catalog lacks)."""
        index = self._values.get(locale)
        return [] if index is None else index.named_in(text)

    def value_stated_in(self, value: AttributeValue, text: str) -> bool:
        """Whether normalized `text` (a product's own words) states `value` itself."""
        return self._values[value.locale].stated_in(value, text)


def _spellings(brand: str) -> set[str]:
    normal = normalize(brand)
    return {normal, normal.upper()}
