# ruff: noqa: RUF001
from __future__ import annotations

import pytest

from contracts.errors import ConfigurationError
from contracts.settings import CopyRuleSettings
from contracts.vocabulary import Channel, Locale
from serving.checks import ComplianceChecker, Rule
from serving.errors import UnsupportedLocaleError

from .conftest import RULES

EN, ZH = Locale.EN, Locale.ZH_CN
CHECKER = ComplianceChecker(RULES)


def _rules(text: str, locale: Locale, channel: Channel = Channel.WEB) -> set[str]:
    return {violation.rule for violation in CHECKER.check(text, channel, locale)}


@pytest.mark.parametrize(
    "text",
    [
        "全网最低价耳机",
        "销量第一的耳机",
        "国家级品质认证",
        "顶级音质耳机",
        "极品好物",
        "销量第一！",
        "１００％好评",
        "ＮＯ.１ 销量第一",
    ],
)
def test_absolute_terms_are_banned_in_chinese(text: str):
    assert Rule.BANNED_TERM in _rules(text, ZH)


@pytest.mark.parametrize(
    "text",
    [
        "Guaranteed to impress.",
        "GUARANTEED comfort.",
        "A miracle for your ears.",
        "It cures boredom.",
        "The #1 headphones.",
        "Risk-free returns.",
        "Risk free returns.",
        "The world’s best sound.",
        "Ｇｕａｒａｎｔｅｅｄ comfort.",
    ],
)
def test_english_banned_terms_match_case_insensitive_whole_words(text: str):
    assert Rule.BANNED_TERM in _rules(text, EN)


@pytest.mark.parametrize(
    "text", ["A secure fit.", "Procured with care.", "#10 in our catalog.", "Mindful design."]
)
def test_english_banned_terms_inside_other_words_pass(text: str):
    assert _rules(text, EN) == set()


def _hanzi(count: int) -> str:
    """`count` different Chinese characters (a repeated one would read as a stutter)."""
    return "".join(chr(0x4E00 + index) for index in range(count))


def _filled(limit: int, locale: Locale, channel: Channel) -> str:
    tail = RULES.sms_opt_out[locale] if channel == Channel.SMS else ""
    size = limit - len(tail)
    body = _hanzi(size) if locale == ZH else "a" * (size - 2) + " b"  # two words: not too short
    return body + tail


@pytest.mark.parametrize("channel", list(Channel))
@pytest.mark.parametrize("locale", list(Locale))
def test_length_limit_is_per_channel_and_locale(channel: Channel, locale: Locale):
    limit = RULES.max_chars[channel][locale]
    assert _rules(_filled(limit, locale, channel), locale, channel) == set()
    too_long = _filled(limit + 1, locale, channel)
    assert _rules(too_long, locale, channel) == {Rule.LENGTH}


def test_a_chinese_character_counts_as_one():
    assert _rules(_hanzi(RULES.max_chars[Channel.EMAIL][ZH]), ZH, Channel.EMAIL) == set()


@pytest.mark.parametrize(
    ("locale", "text"), [(EN, "Nexiwave headphones, $183.99."), (ZH, "头戴式耳机")]
)
def test_sms_without_the_opt_out_is_a_violation(locale: Locale, text: str):
    assert _rules(text, locale, Channel.SMS) == {Rule.SMS_OPT_OUT}
    assert _rules(f"{text} {RULES.sms_opt_out[locale]}", locale, Channel.SMS) == set()


def test_opt_out_must_be_at_the_end():
    assert Rule.SMS_OPT_OUT in _rules("Reply STOP to opt out. Headphones!", EN, Channel.SMS)


@pytest.mark.parametrize("text", ["", "   ", "\n\t"])
def test_empty_copy_is_a_violation(text: str):
    assert _rules(text, EN) == {Rule.EMPTY}


@pytest.mark.parametrize(
    ("locale", "text", "rule"),
    [
        (EN, "Headphones <|end|>", Rule.CONTROL_TOKEN),
        (EN, "Headphones\x00", Rule.CONTROL_TOKEN),
        (EN, "See www.nexiwave.com", Rule.URL),
        (EN, "See https://x.example", Rule.URL),
        (ZH, "详情见nexiwave.cn", Rule.URL),
        (EN, "Headphones 耳机", Rule.SCRIPT),
        (ZH, "Nexiwave headphones", Rule.SCRIPT),
    ],
)
def test_leftovers_links_and_wrong_script_are_violations(locale: Locale, text: str, rule: Rule):
    assert rule in _rules(text, locale)


def test_brand_with_a_dot_is_not_a_url():
    assert _rules("Opaline & Co. rings, $19.99.", EN) == set()


def test_locale_without_rules_raises_a_helpful_error():
    english_only = CopyRuleSettings(
        max_chars={channel: {EN: 90} for channel in Channel},
        banned_terms={EN: ("cure",)},
        sms_opt_out={EN: "Reply STOP to opt out"},
    )
    with pytest.raises(UnsupportedLocaleError, match=r"zh-CN.*banned_terms"):
        ComplianceChecker(english_only).check("耳机", Channel.WEB, ZH)


def test_channel_without_limits_is_a_configuration_error():
    web_only = CopyRuleSettings(max_chars={Channel.WEB: {EN: 90, ZH: 40}})
    with pytest.raises(ConfigurationError, match="push"):
        ComplianceChecker(web_only).check("Headphones", Channel.PUSH, EN)


@pytest.mark.parametrize(
    ("locale", "text"),
    [
        (EN, "Smart buy:"),
        (EN, "Quality from Jollyjinx:."),
        (EN, "Headphones"),
        (ZH, "细节见品质："),
        (ZH, "耳机"),
        (ZH, "好物推荐，。"),
    ],
)
def test_cut_off_or_garbled_copy_is_incomplete(locale: Locale, text: str):
    assert Rule.INCOMPLETE in _rules(text, locale)


@pytest.mark.parametrize(
    ("locale", "text"), [(EN, "Smart buy: the hoodie"), (ZH, "细节见品质：桌游")]
)
def test_complete_short_copy_is_not_incomplete(locale: Locale, text: str):
    assert Rule.INCOMPLETE not in _rules(text, locale)


@pytest.mark.parametrize(
    ("locale", "text", "stutters"),
    [
        (ZH, "Nexiwave 头戴式耳机，质感在线，质感在线，¥1325。", True),
        (EN, "Get the the headphones today", True),
        (EN, "Order today, today only", True),
        (EN, "Good value, every day. Order today", False),
        (ZH, "好物推荐：头戴式耳机，好物值得入手", False),
    ],
)
def test_a_phrase_said_twice_in_a_row_is_a_repetition(locale: Locale, text: str, stutters: bool):
    assert (Rule.REPETITION in _rules(text, locale)) == stutters
