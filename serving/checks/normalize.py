"""One canonical form of copy text before any rule looks at it, and the scripts it is written in.

Copy is checked in NFKC form (full-width digits, `％`, `￥` and punctuation become ASCII) with
curly quotes, dash variants and runs of whitespace folded, so a full-width `20％` and `20%` are
one claim.
Lengths are never measured on this form: the shopper sees the original text.
"""

from __future__ import annotations

import re
import unicodedata

# A full-width comma between full-width digits groups thousands (full-width `1，234`); elsewhere it
# is punctuation, never a separator: `库存29，200条评价` is two numbers.
_FULL_WIDTH_GROUPING = re.compile("(?<=[\uff10-\uff19])，(?=[\uff10-\uff19]{3})")
_BEFORE_NFKC = str.maketrans({"，": ", ", "、": ", "})
_AFTER_NFKC = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u2010": "-",
        "\u2011": "-",
        "\u2012": "-",
        "\u2013": "-",
        "\u2014": "-",
        "\u2212": "-",
    }
)
_SPACES = re.compile(r"\s+")

HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
CJK = re.compile(
    r"[\u3000-\u303f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef]"
)
# Letters and digits that make a Latin word continue (accented letters included); CJK is not
# among them, so `Nexiwave这款` still ends the brand at the `e`.
WORD_CHARS = "A-Za-z0-9\u00c0-\u024f"


def normalize(text: str) -> str:
    """NFKC, ASCII quotes and dashes, single spaces, stripped."""
    grouped = _FULL_WIDTH_GROUPING.sub(",", text).translate(_BEFORE_NFKC)
    folded = unicodedata.normalize("NFKC", grouped).translate(_AFTER_NFKC)
    return _SPACES.sub(" ", folded).strip()


def has_cjk(text: str) -> bool:
    return CJK.search(text) is not None


def has_han(text: str) -> bool:
    return HAN.search(text) is not None


def phrase_body(phrase: str) -> str:
    """Regex source for `phrase` with any whitespace between its words (no boundaries)."""
    return r"\s+".join(re.escape(part) for part in phrase.split())


def phrase_pattern(phrase: str, suffix: str = "") -> str:
    """Regex source for `phrase` as whole words: an edge that is a letter or digit may not touch
    another one (`red` is not found in `tired`), and spaces inside match any whitespace. `suffix`
    (a regex) may follow the phrase inside the word, e.g. an inflection."""
    body = phrase_body(phrase) + suffix
    head = f"(?<![{WORD_CHARS}])" if re.match(f"[{WORD_CHARS}]", phrase) else ""
    tail = f"(?![{WORD_CHARS}])" if re.search(f"[{WORD_CHARS}]$", phrase) else ""
    return f"{head}{body}{tail}"


_TOKEN = re.compile(r"[a-z0-9]+|[^\x00-\x7f]")


def tokens(text: str) -> set[str]:
    """Case-folded ASCII words and single non-ASCII characters: a cheap index of what a text
    could contain (a phrase can only be in a text that holds its `first_token`)."""
    return set(_TOKEN.findall(text.casefold()))


def first_token(phrase: str) -> str:
    match = _TOKEN.search(phrase.casefold())
    return match.group(0) if match else phrase.casefold()
