"""The one door to the checks: is this copy faithful to its brief's facts and compliant?"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from contracts.product import Product
from contracts.settings import CopyRuleSettings
from features.catalog.categories import taxonomy_product_nouns
from serving.checks.compliance import ComplianceChecker
from serving.checks.faithfulness import FaithfulnessChecker
from serving.checks.lexicon import FactLexicon
from serving.checks.violations import Violation
from serving.prompting import CopyBrief


@dataclass(frozen=True)
class CopyVerdict:
    """Every rule one copy breaks; a copy may reach a shopper only when `ok`."""

    violations: tuple[Violation, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.violations

    @property
    def rules(self) -> frozenset[str]:
        """Names of the broken rules (for metrics and tests)."""
        return frozenset(violation.rule for violation in self.violations)


class CopyChecker:
    """Runs faithfulness and compliance on one copy; raises `UnsupportedLocaleError` for a
    locale the rules do not cover."""

    def __init__(self, faithfulness: FaithfulnessChecker, compliance: ComplianceChecker) -> None:
        self.faithfulness = faithfulness
        self.compliance = compliance

    @classmethod
    def from_rules(cls, rules: CopyRuleSettings, products: Iterable[Product]) -> CopyChecker:
        """A checker whose lexicon knows every brand and attribute value of `products`, and
        every product noun of the catalog taxonomy (so "storage jar" on a teapot is caught)."""
        lexicon = FactLexicon.from_products(products, product_nouns=taxonomy_product_nouns())
        return cls(FaithfulnessChecker(lexicon), ComplianceChecker(rules))

    @property
    def rules(self) -> CopyRuleSettings:
        return self.compliance.rules

    def check(self, text: str, brief: CopyBrief) -> CopyVerdict:
        compliance = self.compliance.check(text, brief.channel, brief.locale)
        faithfulness = self.faithfulness.check(text, brief.facts)
        return CopyVerdict((*compliance, *faithfulness))
