"""Events produced with kafka-python reach the Feast online store with exact feature values."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from contracts.dead_letter import DeadLetter
from contracts.events import event_to_json
from contracts.settings import Settings
from features.online_reader import OnlineFeatureReader
from features.store import open_feature_store
from simulate.replay import EventReplayer
from tests.events_factory import make_event, minutes
from tests.integration.dead_letters import read_dead_letters
from tests.polling import poll_until

pytestmark = pytest.mark.integration


def _base_time() -> datetime:
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    return now - timedelta(hours=2)


def _alice_events(t: datetime) -> list[Any]:
    shoes, bags = {"category": "shoes"}, {"category": "bags"}
    return [
        make_event("view", "alice", t, product_id="p1", price=100, **shoes),
        make_event(
            "view",
            "alice",
            t + timedelta(seconds=30),
            product_id="p2",
            price=50,
            discount_pct=20,
            **bags,
        ),
        make_event(
            "add_to_cart",
            "alice",
            t + minutes(20),
            product_id="p2",
            price=50,
            discount_pct=20,
            **bags,
        ),
        make_event("search", "alice", t + minutes(50), query="running shoes"),
        make_event(
            "purchase", "alice", t + minutes(61), product_id="p2", price=50, discount_pct=20, **bags
        ),
        make_event(
            "copy_impression",
            "alice",
            t + minutes(61) + timedelta(seconds=1),
            copy_id="c1",
            product_id="p2",
        ),
        make_event(
            "copy_click",
            "alice",
            t + minutes(61) + timedelta(seconds=2),
            copy_id="c1",
            product_id="p2",
        ),
        make_event(
            "view",
            "alice",
            t + minutes(65),
            product_id="p3",
            price=200,
            channel="app",
            locale="zh-CN",
            **shoes,
        ),
    ]


# Worked out by hand from _alice_events with 60 s buckets (see docs/features.md).
ALICE_EXPECTED = {
    "views_10m": 1,
    "views_1h": 1,
    "views_24h": 3,
    "searches_10m": 0,
    "searches_1h": 1,
    "searches_24h": 1,
    "carts_10m": 0,
    "carts_1h": 1,
    "carts_24h": 1,
    "purchases_10m": 1,
    "purchases_1h": 1,
    "purchases_24h": 1,
    "copy_impressions_10m": 1,
    "copy_impressions_1h": 1,
    "copy_impressions_24h": 1,
    "copy_clicks_10m": 1,
    "copy_clicks_1h": 1,
    "copy_clicks_24h": 1,
    "top_categories": ["bags", "shoes"],
    "price_affinity": 100.48,
    "discount_sensitivity": 0.75,
    "last_channel": "app",
    "last_locale": "zh-CN",
    "events_total": 8,
}
P2_EXPECTED = {
    "views_10m": 0,
    "views_1h": 0,
    "views_24h": 1,
    "carts_10m": 0,
    "carts_1h": 1,
    "carts_24h": 1,
    "purchases_10m": 1,
    "purchases_1h": 1,
    "purchases_24h": 1,
}


def _reader(settings: Settings) -> OnlineFeatureReader:
    return OnlineFeatureReader(open_feature_store(settings, apply=True))


def _subset(row: dict[str, Any] | None, keys: dict[str, Any]) -> dict[str, Any] | None:
    return None if row is None else {k: row.get(k) for k in keys}


def test_events_reach_online_store_with_exact_feature_values(
    settings: Settings, start_worker: Any
) -> None:
    reader = _reader(settings)
    start_worker(settings)
    t = _base_time()
    replayer = EventReplayer(settings)
    replayer.send(_alice_events(t), progress=False)

    row = poll_until(
        lambda: (r := reader.user("alice")) and r["events_total"] == 8 and r,
        60,
        "alice's features",
    )
    assert _subset(row, ALICE_EXPECTED) == ALICE_EXPECTED
    assert row["last_event_at"] == int((t + minutes(65)).timestamp() * 1000)
    product = poll_until(
        lambda: (p := reader.product("p2")) and p["purchases_24h"] == 1 and p,
        30,
        "p2 popularity",
    )
    assert _subset(product, P2_EXPECTED) == P2_EXPECTED


def _dead_letters(settings: Settings, expected: int) -> list[DeadLetter]:
    return read_dead_letters(
        settings, lambda letters: len(letters) >= expected, 60, f"{expected} dead letters"
    )


def test_invalid_messages_go_to_dead_letters_with_reason_and_worker_keeps_going(
    sqlite_settings: Settings, start_worker: Any
) -> None:
    settings = sqlite_settings
    reader = _reader(settings)
    start_worker(settings)
    t = _base_time()
    good = make_event("view", "bob", t, product_id="p1", category="shoes", price=10)
    wrong_type = json.loads(event_to_json(good))
    wrong_type.update(event_id="bad-price", price="ten dollars")
    unknown = {**json.loads(event_to_json(good)), "event_id": "bad-type", "type": "teleport"}
    oversized = {**json.loads(event_to_json(good)), "event_id": "big", "padding": "x" * 40_000}
    bad = {
        "not_json": b"{this is not json",
        "binary": bytes(range(256)),
        "invalid_field": json.dumps(wrong_type).encode(),
        "unknown_type": json.dumps(unknown).encode(),
        "oversized": json.dumps(oversized).encode(),
        "wrong_key": event_to_json(good).replace(b'"bob"', b'"mallory"'),
    }
    replayer = EventReplayer(settings)
    for payload in bad.values():
        replayer.send_raw(b"bob", payload)
    replayer.send([good], progress=False)

    assert poll_until(lambda: reader.user_views("bob"), 60, "bob's features") == 1
    letters = {letter.raw_value: letter for letter in _dead_letters(settings, len(bad))}
    for kind, payload in bad.items():
        letter = letters[payload]
        assert letter.source_topic == settings.kafka.topics.user_events
        assert letter.source_offset >= 0 and letter.reason
        expected_type = "not_json" if kind == "binary" else kind
        assert letter.error_type == expected_type, (kind, letter.reason)
    assert "price" in letters[bad["invalid_field"]].reason
    assert "bytes" in letters[bad["oversized"]].reason


def test_duplicate_event_ids_are_counted_once(sqlite_settings: Settings, start_worker: Any) -> None:
    settings = sqlite_settings
    reader = _reader(settings)
    start_worker(settings)
    t = _base_time()
    view = make_event("view", "carol", t, product_id="p9", category="toys", price=5)
    later = make_event(
        "add_to_cart", "carol", t + minutes(1), product_id="p9", category="toys", price=5
    )
    EventReplayer(settings).send([view, view, later, view, later], progress=False)

    row = poll_until(
        lambda: (r := reader.user("carol")) and r["carts_24h"] == 1 and r, 60, "carol's features"
    )
    assert (row["views_24h"], row["carts_24h"], row["events_total"]) == (1, 1, 2)
    product = poll_until(lambda: reader.product("p9"), 30, "p9 popularity")
    assert (product["views_24h"], product["carts_24h"]) == (1, 1)
