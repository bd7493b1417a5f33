"""The reference copy corpus the bootstrap model is pretrained on.

For every product, locale, channel and angle, `copies_per_angle` copies written from templates
that state only the product's facts (see `angles` for how angles pivot when their premise is
false). Each product draws from its own `random.Random` seeded with the corpus seed and its id,
so the same seed gives the same copies, and a product's copies do not depend on which other
products are in the list (train and held-out splits stay comparable).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from contracts.product import Product
from contracts.settings import CopyRuleSettings
from contracts.vocabulary import Angle, Channel, Locale
from serving.facts import ProductFacts
from serving.prompting import CopyBrief
from training.corpus.copywriter import ProductCopywriter
from training.corpus.library import TemplateLibrary
from training.corpus.queries import maybe_search_query

CORPUS_LOCALES: tuple[Locale, ...] = (Locale.EN, Locale.ZH_CN)


@dataclass(frozen=True)
class CopyExample:
    """One reference copy and the brief it answers; `template_id` names the template used
    (`<written angle>.<locale>.<shape><n>`, or `fallback.…` when no angle line fit)."""

    brief: CopyBrief
    text: str
    template_id: str

    @property
    def written_angle(self) -> str:
        """The angle the copy was written from (differs from `brief.angle` after a pivot)."""
        return self.template_id.split(".", 1)[0]


class CopyCorpusBuilder:
    """Builds the corpus: for each product, locale, channel and angle (in that nesting order)
    `copies_per_angle` examples, so 500 products give 500 * 2 * 5 * 10 * 2 = 100,000."""

    def __init__(self, rules: CopyRuleSettings, seed: int, copies_per_angle: int) -> None:
        if copies_per_angle < 1:
            raise ValueError(f"copies_per_angle must be 1 or more; got {copies_per_angle}")
        self.rules = rules
        self.seed = seed
        self.copies_per_angle = copies_per_angle
        self.library = TemplateLibrary.default()

    def build(self, products: Iterable[Product]) -> list[CopyExample]:
        return list(self.iter_examples(products))

    def iter_examples(self, products: Iterable[Product]) -> Iterator[CopyExample]:
        for product in products:
            yield from self.product_examples(product)

    def product_examples(self, product: Product) -> Iterator[CopyExample]:
        """Every example of one product; identical for the same seed and product."""
        rng = random.Random(f"{self.seed}:{product.product_id}")
        for locale in CORPUS_LOCALES:
            facts = ProductFacts.of(product, locale, self.rules.low_stock_threshold)
            writer = ProductCopywriter(facts, self.rules, self.library)
            for channel in Channel:
                for angle in Angle:
                    query = maybe_search_query(facts, writer.words, rng)
                    brief = CopyBrief(facts, channel, angle, query)
                    for copy in writer.copies(channel, angle, self.copies_per_angle, rng):
                        yield CopyExample(brief, copy.text, copy.template_id)
