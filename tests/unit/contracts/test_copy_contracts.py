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
        {"user_id": "u\n1"},
        {"user_id": ""},
        {"search_query": "x" * 257},
    ],
)
def test_invalid_request_fields_are_rejected(bad):
    with pytest.raises(ValidationError):
        _request(**bad)


# the discount ask (first in `Angle` order) at 0.25, quality at 0.5, the rest sharing 0.25
PMF = (0.25, 0.5, *([0.25 / 8] * 8))


def test_a_request_carries_the_distribution_its_angle_was_drawn_from():
    request = _request(angle_pmf=PMF)
    assert next(iter(Angle)) is Angle.DISCOUNT
    assert CopyRequest.model_validate_json(request.model_dump_json()).angle_pmf == PMF
    assert _request().angle_pmf == ()  # written before the field existed, or by a caller
    # that does not know it: weighed per ask


@pytest.mark.parametrize(
    ("pmf", "error"),
    [
        (PMF[:9], "one per angle"),
        ((0.25, 0.5, *([0.3 / 8] * 8)), "sums to"),
        ((0.5, 0.25, *([0.25 / 8] * 8)), "not angle_pmf's entry for discount"),
        ((0.25, 1.25, -0.5, *([0.0] * 7)), "greater than or equal to 0"),
    ],
)
def test_a_distribution_that_cannot_have_drawn_the_angle_is_rejected(pmf, error):
    with pytest.raises(ValidationError, match=error):
        _request(angle_pmf=pmf)


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
