"""The one door of `user-events`: strict types, bounded event time, and whatever passes it is
processable by every stage after it (decider request, copy, HTTP body)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from contracts.copies import CopyTrigger, FeatureSnapshot, GeneratedCopy
from contracts.errors import InvalidEventError
from contracts.events import EventAdmission, SearchEvent, ViewEvent
from contracts.settings import DecisionSettings, KafkaSettings
from contracts.vocabulary import Channel, Locale
from policy.requests import CopyAsk, CopyRequestBuilder, request_id_for
from policy.uniform import UniformAnglePolicy
from serving.http.body import CopyAskBody
from serving.service.copy_writer import copy_id_for

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
DOOR = EventAdmission.of(KafkaSettings())


def view(**changes: object) -> dict[str, object]:
    doc: dict[str, object] = {
        "type": "view",
        "event_id": "e-1",
        "user_id": "u-1",
        "session_id": "s-1",
        "ts": NOW.isoformat(),
        "channel": "web",
        "locale": "en",
        "product_id": "p00001",
        "category": "audio",
        "price": 19.99,
    }
    return {**doc, **changes}


def admit(doc: dict[str, object], at: datetime = NOW, raw: bytes | None = None):
    value = raw if raw is not None else json.dumps(doc).encode()
    return DOOR.admit(str(doc["user_id"]).encode(), value, at.timestamp(), at.timestamp())


def test_an_email_address_is_a_user_id_every_stage_takes():
    event = admit(view(user_id="ann.lee+shop@example.com"))
    request = _request_for(event.user_id, event.product_id, "pdp", None)
    assert request.user_id == "ann.lee+shop@example.com"
    assert _copy_of(request).user_id == request.user_id
    assert CopyAskBody.parse(json.dumps(_body(event.user_id)).encode()).user_id == request.user_id


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"price": "19.99"}, "price", "valid number"),
        ({"price": True}, "price", "valid number"),
        ({"quantity": 2.0, "type": "add_to_cart"}, "quantity", "valid integer"),
        ({"ts": 1_733_300_000}, "ts", "datetime"),
        ({"user_id": 42}, "user_id", "string"),
    ],
)
def test_lax_wire_types_are_refused_not_coerced(change, field, words):
    with pytest.raises(InvalidEventError) as refused:
        admit(view(**change))
    assert field in refused.value.reason and words in refused.value.reason
    assert refused.value.error_type == "invalid_field"


def test_a_nan_price_is_refused_as_not_finite():
    raw = json.dumps(view()).replace("19.99", "NaN").encode()
    with pytest.raises(InvalidEventError, match="price: Input should be a finite number"):
        admit(view(), raw=raw)


@pytest.mark.parametrize("ahead", [timedelta(days=30), timedelta(minutes=6)])
def test_events_from_the_future_are_refused_with_the_setting_named(ahead):
    with pytest.raises(InvalidEventError, match="max_event_future_s") as refused:
        admit(view(ts=(NOW + ahead).isoformat()))
    assert refused.value.error_type == "future_event"


def test_year_9999_is_refused_and_old_events_are_admitted_as_late():
    with pytest.raises(InvalidEventError):
        admit(view(ts="9999-12-31T23:59:59+00:00"))
    assert admit(view(ts=(NOW - timedelta(days=400)).isoformat())).ts < NOW
    assert admit(view(ts=(NOW + timedelta(minutes=4)).isoformat())).ts > NOW


def test_a_replay_admits_what_the_first_run_admitted():
    """Time is measured from the record's timestamp, not from when it is read again."""
    doc = view(ts=(NOW + timedelta(minutes=4)).isoformat())
    raw = json.dumps(doc).encode()
    later = NOW + timedelta(hours=3)
    first = DOOR.admit(b"u-1", raw, NOW.timestamp(), NOW.timestamp())
    again = DOOR.admit(b"u-1", raw, NOW.timestamp(), later.timestamp())
    assert first == again
    far = view(ts=(NOW + timedelta(hours=1)).isoformat())
    for now in (NOW, later):  # refused both times, though `later` is past its ts
        with pytest.raises(InvalidEventError):
            DOOR.admit(b"u-1", json.dumps(far).encode(), NOW.timestamp(), now.timestamp())


def test_a_record_timestamp_ahead_of_the_clock_does_not_widen_the_window():
    doc = view(ts=(NOW + timedelta(days=2)).isoformat())
    future_record = (NOW + timedelta(days=2)).timestamp()
    with pytest.raises(InvalidEventError):
        DOOR.admit(b"u-1", json.dumps(doc).encode(), future_record, NOW.timestamp())


def test_key_size_and_emptiness_are_checked_at_the_door():
    with pytest.raises(InvalidEventError) as wrong:
        DOOR.admit(b"someone-else", json.dumps(view()).encode(), 0, NOW.timestamp())
    assert wrong.value.error_type == "wrong_key"
    with pytest.raises(InvalidEventError) as empty:
        DOOR.admit(b"u-1", b"", 0, NOW.timestamp())
    assert empty.value.error_type == "empty"
    huge = json.dumps(view(session_id="s" * 100, category="c" * 100)) + " " * DOOR.max_bytes
    with pytest.raises(InvalidEventError) as oversized:
        DOOR.admit(b"u-1", huge.encode(), 0, NOW.timestamp())
    assert oversized.value.error_type == "oversized"


PRINTABLE = st.characters(blacklist_categories=("Cc", "Cs"))
IDS = st.text(PRINTABLE, min_size=1, max_size=128).filter(lambda s: s.strip() == s and s)
QUERIES = st.text(PRINTABLE, min_size=1, max_size=256)


@hypothesis_settings(max_examples=200, deadline=None)
@given(user_id=IDS, product_id=IDS, slot=IDS, query=QUERIES)
def test_whatever_the_door_admits_every_later_stage_accepts(user_id, product_id, slot, query):
    search = admit(
        {**view(user_id=user_id), "type": "search", "query": query, "product_id": product_id}
    )
    assert isinstance(search, SearchEvent)
    shown = admit(view(user_id=user_id, product_id=product_id))
    assert isinstance(shown, ViewEvent)
    request = _request_for(user_id, product_id, slot, search.query)
    copy = _copy_of(request)
    assert (copy.user_id, copy.product_id, copy.slot) == (user_id, product_id, slot)
    body = {**_body(user_id), "product_id": product_id, "slot": slot, "search_query": query}
    assert CopyAskBody.parse(json.dumps(body).encode()).ask().user_id == user_id


def _request_for(user_id: str, product_id: str, slot: str, query: str | None):
    ask = CopyAsk(
        request_id=request_id_for("view", user_id, product_id),
        user_id=user_id,
        product_id=product_id,
        channel=Channel.WEB,
        locale=Locale.EN,
        slot=slot,
        trigger=CopyTrigger.PRODUCT_VIEW,
        search_query=query,
    )
    snapshot = FeatureSnapshot(snapshot_id=ask.snapshot_id, read_at=NOW)
    return CopyRequestBuilder(DecisionSettings(), UniformAnglePolicy()).build(ask, snapshot, NOW)


def _copy_of(request) -> GeneratedCopy:
    return GeneratedCopy(
        **request.addressee(),
        copy_id=copy_id_for(request.request_id),
        angle=request.angle,
        requested_angle=request.angle,
        policy_version=request.policy_version,
        model_version="m",
        text="Copy.",
        trigger=request.trigger,
        features_snapshot_id=request.features.snapshot_id,
        created_at=NOW,
        latency_ms=1.0,
    )


def _body(user_id: str) -> dict[str, object]:
    return {"user_id": user_id, "product_id": "p00001", "channel": "web", "locale": "en"}
