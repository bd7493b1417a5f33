"""All phrase banks compiled once and indexed by (angle, locale, shape), plus the fallbacks.

Each template of an angle's own bank also carries that angle's premise (`angles.ANGLE_PREMISE`),
so even a line whose claim is in its words ("ships free", "仅剩") cannot reach a product where
the claim is false, whichever way the angle rules evolve.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from functools import cache

from contracts.vocabulary import Angle, Locale
from training.corpus import phrases_en_offers, phrases_en_story, phrases_zh_offers, phrases_zh_story
from training.corpus.angles import ANGLE_PREMISE
from training.corpus.templates import PhraseBank, Shape, Template

FALLBACK = "fallback"

# Angle-neutral lines tried in order when no line of the angle fits the length limit; the
# last of each shape names nothing but the price, so something always fits.
_FALLBACK_BANKS = (
    PhraseBank(
        FALLBACK,
        Locale.EN,
        headline=("{brand} {name}, {price}", "{name}, {price}", "{noun}, {price}", "{price}"),
        subject=(),
        push=("The {brand} {name}, {price}.", "The {noun}, {price}.", "Yours for {price}."),
        sms=("{brand}: the {name}, {price}.", "The {noun}, {price}.", "Yours for {price}."),
    ),
    PhraseBank(
        FALLBACK,
        Locale.ZH_CN,
        headline=("{brand} {name}，{price}", "{name}，{price}", "{noun}，{price}", "到手价{price}"),
        subject=(),
        push=("{brand} {name}，到手价{price}。", "{noun}，到手价{price}。", "到手价{price}。"),
        sms=("{brand} {name}，到手价{price}。", "{noun}，到手价{price}。", "到手价{price}。"),
    ),
)


class TemplateLibrary:
    """Lookup of compiled templates; build it with `TemplateLibrary.default()`."""

    def __init__(self, banks: Iterable[PhraseBank], fallbacks: Iterable[PhraseBank]) -> None:
        self._by_key: dict[tuple[str, Locale, Shape], list[Template]] = defaultdict(list)
        self._fallbacks: dict[tuple[Locale, Shape], list[Template]] = defaultdict(list)
        seen: set[str] = set()
        for bank in banks:
            premise = ANGLE_PREMISE.get(Angle(bank.angle))
            for template in bank.templates():
                if template.template_id in seen:
                    raise ValueError(f"template id {template.template_id} is defined twice")
                seen.add(template.template_id)
                if premise is not None:
                    template = replace(template, needs=template.needs | {premise})
                for shape in template.shapes:
                    self._by_key[(str(bank.angle), bank.locale, shape)].append(template)
        for bank in fallbacks:
            for template in bank.templates():
                for shape in template.shapes:
                    self._fallbacks[(bank.locale, shape)].append(template)

    @classmethod
    @cache
    def default(cls) -> TemplateLibrary:
        """Every bank in `phrases_*`, compiled once per process."""
        banks = (
            *phrases_en_offers.BANKS,
            *phrases_en_story.BANKS,
            *phrases_zh_offers.BANKS,
            *phrases_zh_story.BANKS,
        )
        return cls(banks, _FALLBACK_BANKS)

    def templates(self, angle: Angle, locale: Locale, shape: Shape) -> list[Template]:
        """The angle's templates for one locale and shape, in bank order (callers shuffle)."""
        return self._by_key.get((str(angle), locale, shape), [])

    def fallbacks(self, locale: Locale, shape: Shape) -> list[Template]:
        """Angle-neutral templates, most informative first."""
        return self._fallbacks.get((locale, shape), [])

    def angle_templates(self, angle: Angle, locale: Locale) -> set[str]:
        """Ids of every template an angle's own bank holds in `locale` (for reports and tests)."""
        return {
            template.template_id
            for (name, bank_locale, _), templates in self._by_key.items()
            if name == str(angle) and bank_locale is locale
            for template in templates
        }
