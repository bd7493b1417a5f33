"""Template copy for when the model's candidates all fail the checks (or no model is loaded).

Every candidate is built from `ProductFacts` alone and still passes through the `CopyChecker`
before it is returned, so a fallback is held to the same bar as generated copy. The choice is
deterministic: the same brief always gives the same text.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass

from contracts.errors import CopystreamError
from contracts.settings import CopyRuleSettings
from contracts.vocabulary import Angle, Channel, Locale
from serving.checks.compliance import channel_limit
from serving.checks.templates import (
    MINIMAL,
    NEUTRAL_ANGLES,
    TEMPLATES,
    angle_holds,
    template_fields,
)
from serving.checks.verdict import CopyChecker, CopyVerdict
from serving.errors import UnsupportedLocaleError
from serving.prompting import CopyBrief

MINIMAL_ID = "minimal"


class NoFaithfulCopyError(CopystreamError):
    """Raised when not even the minimal template passes the checks (rules too strict for a
    brand name and a price: e.g. a limit shorter than `{brand}: {price}` or a banned brand)."""


@dataclass(frozen=True)
class FallbackCopy:
    """A checked template copy; `reason` says why the fallback was used (for logs)."""

    text: str
    angle_used: Angle
    template_id: str
    reason: str


@dataclass(frozen=True)
class _Candidate:
    angle: Angle
    template_id: str
    template: str


class FallbackCopywriter:
    """Writes a faithful, compliant copy for any brief of a supported locale."""

    def __init__(self, rules: CopyRuleSettings, checker: CopyChecker) -> None:
        self.rules = rules
        self.checker = checker

    def write(self, brief: CopyBrief, reason: str) -> FallbackCopy:
        """The first candidate (the brief's angle if its facts hold, longest template first,
        then neutral angles, then the minimal template) that fits and passes the checker."""
        if brief.locale not in TEMPLATES:
            raise UnsupportedLocaleError(
                f"no fallback templates for locale {brief.locale!r}; templates exist for "
                f"{sorted(TEMPLATES)} (add them in serving/checks/templates.py)"
            )
        limit = channel_limit(self.rules, brief.channel, brief.locale)
        fields = template_fields(brief.facts)
        last = CopyVerdict()
        for candidate in _candidates(brief):
            text = self._finish(candidate.template.format_map(fields), brief)
            if len(text) > limit:
                continue
            last = self.checker.check(text, brief)
            if last.ok:
                return FallbackCopy(text, candidate.angle, candidate.template_id, reason)
        raise NoFaithfulCopyError(
            f"no fallback template passes for product {brief.facts.product_id!r} "
            f"({brief.locale}, {brief.channel}, {brief.angle}); last violations: "
            f"{[v.detail for v in last.violations] or f'every candidate exceeds {limit} chars'}"
        )

    def _finish(self, body: str, brief: CopyBrief) -> str:
        if brief.channel != Channel.SMS:
            return body
        separator = " " if brief.locale == Locale.EN else ""
        return f"{body}{separator}{self.rules.sms_opt_out[brief.locale]}"


def _candidates(brief: CopyBrief) -> Iterator[_Candidate]:
    by_angle = TEMPLATES[brief.locale]
    angles = [brief.angle] if angle_holds(brief.angle, brief.facts) else []
    angles += _neutral_order(brief)
    for angle in dict.fromkeys(angles):
        for index, template in enumerate(by_angle[angle]):
            yield _Candidate(angle, f"{brief.locale}/{angle}/{index}", template)
    yield _Candidate(Angle.VALUE, f"{brief.locale}/{MINIMAL_ID}", MINIMAL[brief.locale])


def _neutral_order(brief: CopyBrief) -> list[Angle]:
    """Neutral angles rotated by product, so fallbacks vary across products but not per brief."""
    start = zlib.crc32(brief.facts.product_id.encode()) % len(NEUTRAL_ANGLES)
    return [*NEUTRAL_ANGLES[start:], *NEUTRAL_ANGLES[:start]]
