"""Copy templates: format strings with named product fields, the facts they need, where they fit.

A template may only state what its fields state, plus the claims it names in `needs`; the
fields that carry a claim (a discount, a stock count, a rating) add their need themselves, so a
template can never be rendered for a product that lacks the fact it quotes.
"""

from __future__ import annotations

import string
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum

from contracts.vocabulary import Angle, Channel, Locale


class Shape(StrEnum):
    """The form a channel's copy takes: a banner headline, a push line, a subject, an SMS."""

    BANNER = "banner"
    PUSH = "push"
    SUBJECT = "subject"
    SMS = "sms"


SHAPE_OF_CHANNEL: dict[Channel, Shape] = {
    Channel.WEB: Shape.BANNER,
    Channel.APP: Shape.BANNER,
    Channel.PUSH: Shape.PUSH,
    Channel.EMAIL: Shape.SUBJECT,
    Channel.SMS: Shape.SMS,
}


class Need(StrEnum):
    """A fact a template states; `angles.needs_met` says which ones hold for a product."""

    DISCOUNTED = "discounted"
    FREE_SHIPPING = "free_shipping"
    LOW_STOCK = "low_stock"
    IN_STOCK = "in_stock"
    IS_NEW = "is_new"
    RATED = "rated"
    REVIEWED = "reviewed"
    FEATURE = "feature"
    CONSUMABLE = "consumable"


# Fields whose value is itself a claim: quoting them needs the fact behind it.
FIELD_NEEDS: dict[str, Need] = {
    "pct": Need.DISCOUNTED,
    "zhe": Need.DISCOUNTED,
    "was": Need.DISCOUNTED,
    "save": Need.DISCOUNTED,
    "stock": Need.LOW_STOCK,
    "rating": Need.RATED,
    "reviews": Need.REVIEWED,
    "feature": Need.FEATURE,
}
# Every field a template may name (`words.CopyFields` fills them).
KNOWN_FIELDS = frozenset(
    {"brand", "title", "name", "noun", "price", "it", "is", *FIELD_NEEDS.keys()}
)

# A phrase is a format string, or a format string with the extra claims it makes in words.
Phrase = str | tuple[str, Need]


@dataclass(frozen=True)
class Template:
    """One copy pattern. `template_id` is stable: `<angle>.<locale>.<shape letter><n>`."""

    template_id: str
    text: str
    shapes: frozenset[Shape]
    needs: frozenset[Need]
    fields: frozenset[str]


@dataclass(frozen=True)
class PhraseBank:
    """The templates of one angle in one locale, grouped by where they read well.

    `headline` lines serve web/app banners and email subjects alike; `subject` lines only
    email; `push` and `sms` lines their own channel (SMS lines get the opt-out appended).
    """

    angle: Angle | str
    locale: Locale
    headline: tuple[Phrase, ...]
    subject: tuple[Phrase, ...]
    push: tuple[Phrase, ...]
    sms: tuple[Phrase, ...]

    def templates(self) -> Iterator[Template]:
        groups: tuple[tuple[str, tuple[Phrase, ...], frozenset[Shape]], ...] = (
            ("h", self.headline, frozenset({Shape.BANNER, Shape.SUBJECT})),
            ("e", self.subject, frozenset({Shape.SUBJECT})),
            ("p", self.push, frozenset({Shape.PUSH})),
            ("s", self.sms, frozenset({Shape.SMS})),
        )
        for letter, phrases, shapes in groups:
            for number, phrase in enumerate(phrases, start=1):
                template_id = f"{self.angle}.{self.locale}.{letter}{number}"
                yield compile_template(template_id, phrase, shapes)


def compile_template(template_id: str, phrase: Phrase, shapes: frozenset[Shape]) -> Template:
    """Parse `phrase` once; unknown field names fail here, at import, not mid-corpus."""
    text, extra = (phrase, ()) if isinstance(phrase, str) else (phrase[0], (phrase[1],))
    fields = frozenset(name for _, name, _, _ in string.Formatter().parse(text) if name is not None)
    unknown = fields - KNOWN_FIELDS
    if unknown:
        raise ValueError(
            f"template {template_id} names unknown fields {sorted(unknown)}; "
            f"expected some of {sorted(KNOWN_FIELDS)}"
        )
    needs = frozenset({*extra, *(FIELD_NEEDS[name] for name in fields if name in FIELD_NEEDS)})
    return Template(template_id, text, shapes, needs, fields)
