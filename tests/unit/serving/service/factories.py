"""Valid copy requests and copies for the service tests, with little noise."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from contracts.copies import CopyRequest, CopyTrigger, FeatureSnapshot, GeneratedCopy
from contracts.vocabulary import Angle, Channel, Locale

T0 = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def make_request(
    request_id: str = "r-abc", product_id: str = "p00001", **changes: Any
) -> CopyRequest:
    created_at = changes.pop("created_at", T0)
    fields: dict[str, Any] = {
        "request_id": request_id,
        "user_id": "u-1",
        "product_id": product_id,
        "channel": Channel.WEB,
        "slot": "pdp",
        "locale": Locale.EN,
        "propensity": 0.1,
        "trigger": CopyTrigger.PRODUCT_VIEW,
        "angle": Angle.QUALITY,
        "policy_version": "uniform-v1",
        "features": FeatureSnapshot(
            snapshot_id="s-" + request_id.removeprefix("r-"),
            read_at=created_at,
            user={"views_10m": 3},
            product={"category": "headphones"},
        ),
        "created_at": created_at,
        "deadline": created_at + timedelta(seconds=1),
    }
    return CopyRequest(**{**fields, **changes})


def make_copy(request: CopyRequest, text: str = "Good headphones.") -> GeneratedCopy:
    return GeneratedCopy(
        request_id=request.request_id,
        user_id=request.user_id,
        product_id=request.product_id,
        channel=request.channel,
        slot=request.slot,
        locale=request.locale,
        propensity=request.propensity,
        copy_id="c-" + request.request_id.removeprefix("r-"),
        angle=request.angle,
        requested_angle=request.angle,
        policy_version=request.policy_version,
        model_version="fake-model",
        text=text,
        trigger=request.trigger,
        features_snapshot_id=request.features.snapshot_id,
        features=request.features,
        created_at=request.created_at + timedelta(milliseconds=40),
        latency_ms=40.0,
    )
