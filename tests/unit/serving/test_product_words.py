"""Short names, nouns and attribute phrases cut from a listing."""

from __future__ import annotations

import pytest

from contracts.vocabulary import Locale
from serving.product_words import feature_phrase, kind_noun, short_name


@pytest.mark.parametrize(
    ("title", "brand", "values", "locale", "expected"),
    [
        (
            "Nexiwave Compact Over-ear Headphones, 40 Hours",
            "Nexiwave",
            ("black", "40 hours"),
            Locale.EN,
            "Compact Over-ear Headphones",
        ),
        (
            "S Classic Chino Pants | Kestrel & Pine",
            "Kestrel & Pine",
            ("S",),
            Locale.EN,
            "Classic Chino Pants",
        ),
        (
            "Everyday Roasted Almonds by Meadowbite - 250 g / Honey",
            "Meadowbite",
            ("honey", "250 g"),
            Locale.EN,
            "Everyday Roasted Almonds",
        ),
        (
            "Minimalist Bangle Bracelet by Opaline & Co. - Gold-tone",
            "Opaline & Co.",
            ("gold-tone",),
            Locale.EN,
            "Minimalist Bangle Bracelet",
        ),
        (
            "Cobblecraft US 8 Slippers (Wool Felt)",
            "Cobblecraft",
            ("US 8", "wool felt"),
            Locale.EN,
            "Slippers",
        ),
        (
            "【小巧】Nexiwave 头戴式耳机 40小时",
            "Nexiwave",
            ("黑色", "40小时"),
            Locale.ZH_CN,
            "头戴式耳机",
        ),
        (
            "黑色柔软连帽卫衣 修身版型 | Mossgrove",
            "Mossgrove",
            ("黑色", "修身版型"),
            Locale.ZH_CN,
            "柔软连帽卫衣",
        ),
        ("【百搭】Northloom XLT恤 纯棉", "Northloom", ("XL", "纯棉"), Locale.ZH_CN, "T恤"),
    ],
)
def test_short_name_drops_brand_tags_and_attribute_values(
    title: str, brand: str, values: tuple[str, ...], locale: Locale, expected: str
):
    assert short_name(title, brand, values, locale) == expected


def test_short_name_falls_back_to_the_title_when_nothing_is_left():
    assert short_name("Acme Black", "Acme", ("black",), Locale.EN) == "Acme Black"


def test_kind_noun_is_the_catalog_noun_inside_the_name():
    assert kind_noun("Compact Over-ear Headphones", Locale.EN) == "Over-ear Headphones"
    assert kind_noun("柔软连帽卫衣", Locale.ZH_CN) == "连帽卫衣"
    assert kind_noun("Garden Gnome", Locale.EN) == "Garden Gnome"


def test_attribute_phrases_read_naturally_and_avoid_banned_attribute_names():
    assert feature_phrase("battery life", "40 hours", Locale.EN) == "with 40 hours of battery"
    assert feature_phrase("续航", "40小时", Locale.ZH_CN) == "续航40小时"
    assert "最" not in feature_phrase("最高时速", "15公里", Locale.ZH_CN)
    assert feature_phrase("warranty", "2 years", Locale.EN) == "(warranty: 2 years)"
