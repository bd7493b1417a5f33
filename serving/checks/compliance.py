"""Compliance: a copy follows its locale's and channel's rules, whatever the product.

Rules come from `CopyRuleSettings` only: banned terms (English as whole words, case-insensitive;
Chinese as substrings, after NFKC), the channel's length in characters as the shopper sees them,
the SMS opt-out at the end, and the sanity rules every copy obeys (not empty, no control tokens,
no URLs, written in the locale's script).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from contracts.errors import ConfigurationError
from contracts.settings import CopyRuleSettings
from contracts.vocabulary import Channel, Locale
from serving.checks.normalize import (
    WORD_CHARS,
    has_cjk,
    has_han,
    normalize,
    phrase_body,
    phrase_pattern,
)
from serving.checks.violations import Rule, Violation
from serving.errors import UnsupportedLocaleError

CONTROL = re.compile(r"<\||\|>|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ufffd]")
# A domain is a letter, a dot and a common top-level domain (`19.99.Shop` is not one).
URL = re.compile(
    r"https?://|www\.|[a-z]\.(?:com|net|org|cn|io|co|shop|store|ly)(?![a-z0-9])", re.IGNORECASE
)
# Inflected forms of a one-word English term are the same claim: `cures`, `miracles`.
_EN_INFLECTION = "(?:s|es|d|ed)?"
_HEAD, _TAIL = f"(?<![{WORD_CHARS}])", f"(?![{WORD_CHARS}])"


def _banned_pattern(terms: tuple[str, ...], locale: Locale) -> re.Pattern[str]:
    """Chinese terms as substrings; English ones as whole words (one lookaround for all the
    word-edged terms keeps this one fast pass)."""
    normal = sorted({normalize(term) for term in terms}, key=len, reverse=True)
    if locale != Locale.EN:
        return re.compile("|".join(re.escape(term) for term in normal), re.IGNORECASE)
    edged = [t for t in normal if re.fullmatch(f"[{WORD_CHARS}](?:.*[{WORD_CHARS}])?", t)]
    words = "|".join(phrase_body(t) + (_EN_INFLECTION if t.isalpha() else "") for t in edged)
    others = [phrase_pattern(t) for t in normal if t not in edged]
    alternatives = [f"{_HEAD}(?:{words}){_TAIL}"] if words else []
    return re.compile("|".join(alternatives + others), re.IGNORECASE)


def channel_limit(rules: CopyRuleSettings, channel: Channel, locale: Locale) -> int:
    """The most characters a copy may have; raises when the rules do not cover the pair."""
    limits = rules.max_chars.get(channel)
    if limits is None:
        raise ConfigurationError(
            f"copy_rules.max_chars has no limits for channel {channel!r}; expected one of "
            f"{sorted(rules.max_chars)} (set COPYSTREAM_COPY_RULES)"
        )
    covered = set(limits) & set(rules.banned_terms)
    if channel == Channel.SMS:
        covered &= set(rules.sms_opt_out)
    if locale not in covered:
        needs = "max_chars, banned_terms" + (" and sms_opt_out" if channel == Channel.SMS else "")
        raise UnsupportedLocaleError(
            f"no copy rules for locale {locale!r} on channel {channel!r}: copy_rules covers "
            f"{sorted(covered)}; add the locale to copy_rules.{needs} before serving it"
        )
    return limits[locale]


class ComplianceChecker:
    """Checks copy against the rule book; one instance serves every locale the rules cover."""

    def __init__(self, rules: CopyRuleSettings) -> None:
        self.rules = rules
        self._banned = {
            locale: _banned_pattern(terms, locale)
            for locale, terms in rules.banned_terms.items()
            if terms
        }

    def check(self, text: str, channel: Channel, locale: Locale) -> list[Violation]:
        """Every rule `text` breaks for `channel` in `locale`; raises for a locale with no rules."""
        limit = channel_limit(self.rules, channel, locale)
        if not text.strip():
            return [Violation(Rule.EMPTY, "copy is empty or only whitespace")]
        copy = normalize(text)
        return [
            *self._banned_terms(copy, locale),
            *_length(text, limit, channel, locale),
            *self._opt_out(text, channel, locale),
            *_sanity(text, copy, locale),
        ]

    def _banned_terms(self, copy: str, locale: Locale) -> Iterator[Violation]:
        pattern = self._banned.get(locale)
        found = [] if pattern is None else [m.group(0) for m in pattern.finditer(copy)]
        for term in dict.fromkeys(found):
            yield Violation(Rule.BANNED_TERM, f"{term!r} is banned in {locale} copy")

    def _opt_out(self, text: str, channel: Channel, locale: Locale) -> Iterator[Violation]:
        opt_out = self.rules.sms_opt_out.get(locale, "")
        if channel == Channel.SMS and not text.rstrip().endswith(opt_out):
            yield Violation(Rule.SMS_OPT_OUT, f"SMS copy must end with {opt_out!r}")


def _length(text: str, limit: int, channel: Channel, locale: Locale) -> Iterator[Violation]:
    if len(text) > limit:
        yield Violation(
            Rule.LENGTH,
            f"{len(text)} characters; {channel} copy in {locale} may have at most {limit}",
        )


# A copy cut off mid-thought: a dangling separator at the end, or punctuation piled up
# (`Smart buy:`, `Quality from Jollyjinx:.`, `细节见品质：`).
DANGLING_END = re.compile(r"[:,;|/\-–—(（：，；、｜]\s*$")
PILED_PUNCTUATION = re.compile(r"[:：,，;；][.。!！?？:：,，]")
# The same phrase twice in a row: `质感在线，质感在线`, `the the`, `today, today`.
STUTTER = {
    Locale.EN: re.compile(r"\b([A-Za-z']{3,}|the|a)\b[\s,]+\1\b", re.IGNORECASE),
    Locale.ZH_CN: re.compile(r"([\u4e00-\u9fff]{2,})[，,、\s]*\1"),
}
MIN_WORDS = {Locale.EN: 2}
MIN_CHARS = {Locale.ZH_CN: 4}


def _completeness(text: str, locale: Locale) -> Iterator[Violation]:
    body = text.strip()
    words = len(body.split())
    if DANGLING_END.search(body) or PILED_PUNCTUATION.search(body):
        yield Violation(Rule.INCOMPLETE, f"copy is cut off or garbled: {body[-12:]!r}")
    elif words < MIN_WORDS.get(locale, 0) or len(body) < MIN_CHARS.get(locale, 0):
        yield Violation(Rule.INCOMPLETE, f"copy is too short to say anything: {body!r}")
    stutter = STUTTER.get(locale)
    repeated = stutter.search(body) if stutter else None
    if repeated:
        yield Violation(Rule.REPETITION, f"copy repeats itself: {repeated.group(0)!r}")


def _sanity(text: str, copy: str, locale: Locale) -> Iterator[Violation]:
    yield from _completeness(text, locale)
    if CONTROL.search(text):
        yield Violation(Rule.CONTROL_TOKEN, "copy contains control tokens or control characters")
    if URL.search(copy):
        yield Violation(Rule.URL, "copy contains a URL or domain; links are added by the channel")
    if locale == Locale.EN and has_cjk(copy):
        yield Violation(Rule.SCRIPT, "English copy contains CJK characters")
    if locale == Locale.ZH_CN and not has_han(copy):
        yield Violation(Rule.SCRIPT, "zh-CN copy contains no Chinese characters")
