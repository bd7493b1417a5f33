"""Write the reference copies of one product in one locale: pick templates, fill, fit.

A copy is kept only if it fits the channel's length limit (SMS opt-out included) and holds no
banned term; too long with the short name, a template is tried with the bare noun, then the
next template, then the angle-neutral fallbacks, the last of which always fits.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from contracts.settings import CopyRuleSettings
from contracts.vocabulary import Angle, Channel, Locale
from serving.facts import ProductFacts
from serving.product_words import ProductWords
from training.corpus.angles import needs_met, written_angle
from training.corpus.errors import CorpusError
from training.corpus.library import TemplateLibrary
from training.corpus.templates import SHAPE_OF_CHANNEL, Shape, Template


@dataclass(frozen=True)
class WrittenCopy:
    text: str
    template_id: str


class ProductCopywriter:
    """Copies for one product in one locale; all choices are drawn from the caller's `rng`."""

    def __init__(
        self, facts: ProductFacts, rules: CopyRuleSettings, library: TemplateLibrary
    ) -> None:
        self.facts = facts
        self.rules = rules
        self.library = library
        self.banned = rules.banned_terms.get(facts.locale, ())
        self.words = ProductWords.of(facts, self.banned)
        self.needs = needs_met(facts, has_feature=bool(self.words.features))
        self._fields = _base_fields(facts, self.words)
        names = [self.words.short_name, self.words.noun]
        self._names = list(dict.fromkeys(names))

    def copies(
        self, channel: Channel, angle: Angle, count: int, rng: random.Random
    ) -> list[WrittenCopy]:
        """`count` copies, from distinct templates while enough of them fit."""
        shape = SHAPE_OF_CHANNEL[channel]
        limit = self.rules.max_chars[channel][self.facts.locale]
        suffix = self._suffix(shape)
        locale = self.facts.locale
        written = written_angle(angle, self.facts)
        candidates = [
            template
            for template in self.library.templates(written, locale, shape)
            if template.needs <= self.needs
        ]
        rng.shuffle(candidates)
        chosen: list[WrittenCopy] = []
        for template in (*candidates, *self.library.fallbacks(locale, shape)):
            text = self._render(template, limit - len(suffix), rng)
            if text is not None:
                chosen.append(WrittenCopy(text + suffix, template.template_id))
                if len(chosen) == count:
                    return chosen
        if not chosen:
            raise CorpusError(
                f"no template fits {channel}/{locale} ({limit} chars) for product "
                f"{self.facts.product_id}; add a shorter fallback line to library.py"
            )
        # Fewer fitting templates than copies asked for: repeat the ones that fit.
        return [chosen[index % len(chosen)] for index in range(count)]

    def _suffix(self, shape: Shape) -> str:
        if shape is not Shape.SMS:
            return ""
        opt_out = self.rules.sms_opt_out[self.facts.locale]
        return opt_out if self.facts.locale is Locale.ZH_CN else f" {opt_out}"

    def _render(self, template: Template, limit: int, rng: random.Random) -> str | None:
        if not template.needs <= self.needs:
            return None
        fields = dict(self._fields)
        features: list[str] = [""]
        if "feature" in template.fields:
            features = rng.sample(self.words.features, len(self.words.features))
        names = self._names if "name" in template.fields else self._names[:1]
        for name in names:
            for feature in features:
                fields["name"], fields["feature"] = name, feature
                text = " ".join(template.text.format_map(fields).split())
                if len(text) <= limit and not self._is_banned(text) and not _repeats_word(text):
                    return text
        return None

    def _is_banned(self, text: str) -> bool:
        folded = text.casefold()
        return any(term.casefold() in folded for term in self.banned)


_WORD = re.compile(r"[A-Za-z][A-Za-z'-]{4,}")


def _repeats_word(text: str) -> bool:
    """True when an English word of five letters or more comes twice ("Everyday value:
    Everyday Speaker"): a template's own word echoing the product name reads as a stutter."""
    words = [word.casefold() for word in _WORD.findall(text)]
    return len(words) != len(set(words))


def _base_fields(facts: ProductFacts, words: ProductWords) -> dict[str, str]:
    """Every template field but `name` and `feature`, formatted through `ProductFacts`."""
    english = facts.locale is Locale.EN
    return {
        "brand": words.brand,
        "title": words.title,
        "noun": words.noun,
        "price": facts.price_text,
        "was": facts.list_price_text,
        "save": facts.savings_text,
        "pct": str(facts.discount_pct),
        "zhe": facts.zhe_text,
        "rating": facts.rating_text,
        "reviews": f"{facts.review_count:,}" if english else str(facts.review_count),
        "stock": str(facts.stock),
        "it": "them" if words.plural else "it",
        "is": "are" if words.plural else "is",
    }
