"""Builds `CopyRequest`s the same way for the stream worker and the HTTP API.

Request ids are derived from what caused the request (an event id, a cart), so a replay after a
crash produces the same id, the same seed and so the same angle: downstream can deduplicate.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from contracts.copies import CopyRequest, CopyTrigger, FeatureSnapshot
from contracts.settings import DecisionSettings
from contracts.vocabulary import Channel, Locale
from policy.context import DecisionContext
from policy.decision import AnglePolicy, decide


def request_id_for(*causes: str) -> str:
    """A short, wire-safe id that is the same whenever the same causes ask again."""
    digest = hashlib.blake2b("\x1f".join(causes).encode(), digest_size=12).hexdigest()
    return f"r-{digest}"


def seed_of(request_id: str) -> int:
    return int.from_bytes(hashlib.blake2b(request_id.encode(), digest_size=8).digest(), "big")


@dataclass(frozen=True)
class CopyAsk:
    """A need for copy, before the features are read and the angle is chosen."""

    request_id: str
    user_id: str
    product_id: str
    channel: Channel
    locale: Locale
    slot: str
    trigger: CopyTrigger
    search_query: str | None = None

    @property
    def snapshot_id(self) -> str:
        return "s-" + self.request_id.removeprefix("r-")


class CopyRequestBuilder:
    """Decides the angle for an ask and stamps the deadline of its trigger.

    A newly published policy is swapped in with `use_policy`; each request names the policy
    version that decided it, so its propensity stays exact across the swap.
    """

    def __init__(self, decisions: DecisionSettings, policy: AnglePolicy) -> None:
        self._deadlines = decisions.deadline_ms
        self.policy = policy

    def use_policy(self, policy: AnglePolicy) -> AnglePolicy:
        """Decide with `policy` from the next `build` on; returns the policy it replaces (the
        caller closes it once nothing decides with it)."""
        previous, self.policy = self.policy, policy
        return previous

    def build(self, ask: CopyAsk, snapshot: FeatureSnapshot, now: datetime) -> CopyRequest:
        context = DecisionContext(
            user_id=ask.user_id,
            product_id=ask.product_id,
            channel=ask.channel,
            locale=ask.locale,
            trigger=ask.trigger,
            user=snapshot.user,
            product=snapshot.product,
        )
        decision = decide(self.policy, context, seed_of(ask.request_id))
        return CopyRequest(
            request_id=ask.request_id,
            user_id=ask.user_id,
            product_id=ask.product_id,
            channel=ask.channel,
            slot=ask.slot,
            locale=ask.locale,
            propensity=decision.propensity,
            angle_pmf=decision.pmf,
            trigger=ask.trigger,
            angle=decision.angle,
            policy_version=decision.policy_version,
            search_query=ask.search_query,
            features=snapshot,
            created_at=now,
            deadline=now + timedelta(milliseconds=self._deadlines[ask.trigger]),
        )
