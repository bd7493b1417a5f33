"""Copy text as Vowpal Wabbit tokens for the reward model: what words a shopper reacts to.

English copy becomes lowercased words; Chinese copy becomes character unigrams and bigrams
(there are no spaces to split on), plus any Latin words in it (brands). Numbers are replaced
by what they are — a price, a percentage, a 折 discount, another number — because the digits
differ per product while "mentions a discount" is what generalises. A few whole-copy tokens
(length band, `!`, `?`, mentions a discount) follow. Tokens are deduplicated in order.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_AMOUNT = r"\d+(?:,\d{3})*(?:\.\d+)?"  # thousands need 3 digits: NFKC turns "，" into ","
_PRICE = re.compile(rf"[$¥]\s*{_AMOUNT}|{_AMOUNT}\s*(?:元|rmb|usd)")
_PERCENT = re.compile(rf"{_AMOUNT}\s*%")
_ZHE = re.compile(rf"{_AMOUNT}\s*折")
_NUMBER = re.compile(_AMOUNT)
_LATIN_WORD = re.compile(r"[a-z_]+(?:'[a-z]+)?")
_CJK_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
_DISCOUNT_WORDS = re.compile(r"\b(?:off|save|sale|deal|discount)\b|降价|优惠|折扣|省|减")

PRICE_TOKEN = "_price_"
PERCENT_TOKEN = "_pct_"
ZHE_TOKEN = "_zhe_"
NUMBER_TOKEN = "_num_"
DISCOUNT_TOKEN = "mentions_discount"
_LENGTH_BANDS = (20, 40, 70, 110)
"""Upper bounds (characters) of the length bands; channel limits run from 30 to 160."""


@lru_cache(maxsize=8_192)  # a request's candidates repeat across tries; scoring stays cheap
def text_tokens(text: str, locale: str) -> tuple[str, ...]:
    """The copy's features in VW-safe tokens (no whitespace, `|` or `:`); `locale` picks the
    word splitter (`zh-CN` → characters, anything else → words)."""
    normal = unicodedata.normalize("NFKC", text).lower()
    has_discount = bool(_PERCENT.search(normal) or _ZHE.search(normal))
    has_discount = has_discount or bool(_DISCOUNT_WORDS.search(normal))
    marked = _PRICE.sub(f" {PRICE_TOKEN} ", normal)
    marked = _PERCENT.sub(f" {PERCENT_TOKEN} ", marked)
    marked = _ZHE.sub(f" {ZHE_TOKEN} ", marked)
    marked = _NUMBER.sub(f" {NUMBER_TOKEN} ", marked)
    tokens = _LATIN_WORD.findall(marked)
    if locale.lower().startswith("zh"):
        for run in _CJK_RUN.findall(marked):
            tokens.extend(run)
            tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
    tokens.append(f"len={_length_band(len(text))}")
    if "!" in normal:
        tokens.append("exclaim")
    if "?" in normal:
        tokens.append("question")
    if has_discount:
        tokens.append(DISCOUNT_TOKEN)
    return tuple(dict.fromkeys(tokens))


def _length_band(characters: int) -> int:
    for band, top in enumerate(_LENGTH_BANDS):
        if characters <= top:
            return band
    return len(_LENGTH_BANDS)
