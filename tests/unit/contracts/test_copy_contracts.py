"""Wire schemas of copy requests and generated copies: round trips and rejected values."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import ValidationError

from contracts.copies import (
    CopyRequest,
    CopyTrigger,
    Fallback,
    FeatureSnapshot,
    GeneratedCopy,
    age_ms,
)
from contracts.vocabulary import Angle, Channel, Locale

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _request(**changes: object) -> CopyRequest:
    fields: dict[str, object] = {
        "request_id": "r-1",
        "trigger": CopyTrigger.PRODUCT_VIEW,
        "user_id": "u00001",
        "product_id": "p00001",
        "channel": Channel.WEB,
        "slot": "pdp-banner",
        "locale": Locale.ZH_CN,
        "angle": Angle.DISCOUNT,
        "propensity": 0.25,
        "policy_version": "uniform-0",
        "features": FeatureSnapshot(
            snapshot_id="s-1", read_at=NOW, user={"views_10m": 3, "top_categories": ["toys"]}
        ),
        "created_at": NOW,
        "deadline": NOW + timedelta(milliseconds=250),
    }
    return CopyRequest.model_validate(fields | changes)


def test_request_round_trips_through_json():
    request = _request()
    assert CopyRequest.model_validate_json(request.model_dump_json()) == request


@pytest.mark.parametrize(
    "bad",
    [
        {"propensity": 0.0},
        {"propensity": 1.5},
        {"deadline": NOW},
        {"locale": "fr-FR"},
        {"angle": "best_ever"},
        {"created_at": datetime(2026, 11, 23, 12, 0)},
        {"user_id": "u 1"},
    ],
)
def test_invalid_request_fields_are_rejected(bad):
    with pytest.raises(ValidationError):
        _request(**bad)


def test_generated_copy_flags_a_fallback_only_with_its_reason():
    copy = GeneratedCopy(
        copy_id="c-1",
        request_id="r-1",
        user_id="u00001",
        product_id="p00001",
        channel=Channel.SMS,
        slot="sms",
        locale=Locale.EN,
        angle=Angle.VALUE,
        requested_angle=Angle.DISCOUNT,
        propensity=0.1,
        policy_version="uniform-0",
        model_version="bootstrap-x",
        text="Nexiwave headphones, $183.99. Reply STOP to opt out",
        fallback=Fallback(used=True, reason="deadline passed"),
        trigger=CopyTrigger.EXPLICIT,
        features_snapshot_id="s-1",
        created_at=NOW,
        latency_ms=12.5,
    )
    assert GeneratedCopy.model_validate_json(copy.model_dump_json()) == copy
    with pytest.raises(ValidationError, match="exactly when"):
        Fallback(used=True)
    with pytest.raises(ValidationError, match="exactly when"):
        Fallback(used=False, reason="why")


def test_age_is_never_negative():
    assert age_ms(NOW, NOW + timedelta(milliseconds=5)) == pytest.approx(5.0)
    assert age_ms(NOW, NOW - timedelta(seconds=1)) == 0.0
