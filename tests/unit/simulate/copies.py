"""GeneratedCopy messages for simulator tests, built with the wire model."""

from __future__ import annotations

from datetime import UTC, datetime

from contracts.copies import CopyTrigger, GeneratedCopy
from contracts.vocabulary import Angle, Channel, Locale


def make_copy(
    copy_id: str,
    user_id: str,
    product_id: str,
    angle: Angle,
    channel: Channel = Channel.WEB,
    locale: Locale = Locale.EN,
    text: str = "A fine thing, $10.00.",
) -> GeneratedCopy:
    return GeneratedCopy(
        request_id=f"r-{copy_id}",
        user_id=user_id,
        product_id=product_id,
        channel=channel,
        slot="pdp-banner",
        locale=locale,
        propensity=0.1,
        copy_id=copy_id,
        angle=angle,
        requested_angle=angle,
        policy_version="uniform-v1",
        model_version="test",
        text=text,
        trigger=CopyTrigger.PRODUCT_VIEW,
        features_snapshot_id=f"s-{copy_id}",
        created_at=datetime.now(UTC),
        latency_ms=5.0,
    )
