"""Copies that earned reward, turned back into (brief, text, weight) fine-tuning examples.

Each outcome record names the product, locale, channel and requested angle; the brief is
rebuilt from today's catalog exactly as the generator service builds it
(`serving.service.copy_writer.CopyWriter.brief`), so the model learns to answer the prompt it
will actually be given. Outcome records carry no search query, so the brief has none.

Template copy (`fallback_used`) is left out by default: the fallback writes it when the model
failed, from a fixed set of templates. Rewarding it would teach the model to imitate those
templates (diversity falls, and the distinct-n gate notices) rather than shift the model's own
writing toward what shoppers answered, which is what reward-weighted likelihood on its own
samples does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from contracts.logs import get_logger
from contracts.outcomes import CopyOutcomeRecord
from contracts.product import Product
from contracts.settings import CopyRuleSettings
from serving.checks import CopyChecker
from serving.prompting import CopyBrief

log = get_logger(__name__)


class CopyForBrief(Protocol):
    """A copy and the brief it answers: a `RewardedCopy` or a reference `CopyExample`."""

    @property
    def brief(self) -> CopyBrief: ...

    @property
    def text(self) -> str: ...


@dataclass(frozen=True)
class RewardedCopy:
    """One copy that earned reward; `weight` is its reward relative to the mean (mean 1)."""

    brief: CopyBrief
    text: str
    weight: float


@dataclass(frozen=True)
class RewardedSelection:
    """The rewarded copies kept, and how many records were passed over and why."""

    copies: list[RewardedCopy]
    unrewarded: int = 0
    templates: int = 0
    unknown_product: int = 0
    angle_changed: int = 0
    failing_checks: int = 0
    failing_rules: dict[str, int] = field(default_factory=dict)

    @property
    def skipped(self) -> int:
        """Records with reward that were not kept (unrewarded ones are not skipped, just 0)."""
        return self.templates + self.unknown_product + self.angle_changed + self.failing_checks


def rewarded_copies(
    records: Sequence[CopyOutcomeRecord],
    catalog: Mapping[str, Product] | Sequence[Product],
    rules: CopyRuleSettings,
    *,
    include_templates: bool = False,
    checker: CopyChecker | None = None,
) -> list[RewardedCopy]:
    """One `RewardedCopy` per record with reward > 0 that still passes the checker; the skipped
    records are counted in a log line (`select_rewarded_copies` returns the counts)."""
    return select_rewarded_copies(
        records, catalog, rules, include_templates=include_templates, checker=checker
    ).copies


def select_rewarded_copies(
    records: Sequence[CopyOutcomeRecord],
    catalog: Mapping[str, Product] | Sequence[Product],
    rules: CopyRuleSettings,
    *,
    include_templates: bool = False,
    checker: CopyChecker | None = None,
) -> RewardedSelection:
    """Like `rewarded_copies`, with the count of records skipped for each reason.

    A record is skipped when its product left the catalog, when today's facts make the brief
    ask for a different written angle than the copy answered (a sale ended: the discount copy
    no longer fits its prompt), or when its text no longer passes the checker against today's
    facts (a price changed). Weights are rewards divided by the mean reward of the kept copies.
    """
    products = dict(catalog) if isinstance(catalog, Mapping) else _by_id(catalog)
    checker = checker or CopyChecker.from_rules(rules, products.values())
    kept: list[tuple[CopyBrief, str, float]] = []
    counts = {"unrewarded": 0, "templates": 0, "unknown_product": 0, "angle_changed": 0}
    failing_rules: dict[str, int] = {}
    failing = 0
    for record in records:
        if record.reward <= 0:
            counts["unrewarded"] += 1
            continue
        if record.fallback_used and not include_templates:
            counts["templates"] += 1
            continue
        product = products.get(record.product_id)
        if product is None:
            counts["unknown_product"] += 1
            continue
        brief = CopyBrief.of(
            product,
            record.locale,
            record.channel,
            record.requested_angle,
            rules.low_stock_threshold,
        )
        if brief.written_angle != record.angle:
            counts["angle_changed"] += 1
            continue
        verdict = checker.check(record.text, brief)
        if not verdict.ok:
            failing += 1
            for rule in verdict.rules:
                failing_rules[rule] = failing_rules.get(rule, 0) + 1
            continue
        kept.append((brief, record.text, record.reward))
    mean_reward = sum(reward for _, _, reward in kept) / len(kept) if kept else 1.0
    copies = [RewardedCopy(brief, text, reward / mean_reward) for brief, text, reward in kept]
    selection = RewardedSelection(
        copies, **counts, failing_checks=failing, failing_rules=failing_rules
    )
    log.info(
        "rewarded copies selected",
        records=len(records),
        kept=len(copies),
        failing_checks=failing,
        failing_rules=failing_rules,
        **counts,
    )
    return selection


def _by_id(products: Sequence[Product]) -> dict[str, Product]:
    return {product.product_id: product for product in products}
