"""A worker killed with SIGKILL mid-stream and restarted ends with the features of a worker
that never stopped: at-least-once delivery plus idempotent state gives effectively-once counts."""

from __future__ import annotations

from collections import Counter
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from contracts.events import ProductEventBase
from contracts.settings import Settings
from features.catalog import CatalogGenerator
from features.online_reader import OnlineFeatureReader
from features.store import open_feature_store
from simulate.replay import EventReplayer
from simulate.sessions import ShopperSessionGenerator
from streams.user_state import KIND_OF
from tests.integration.conftest import isolated_settings
from tests.polling import poll_until

POPULARITY_KINDS = ("views", "carts", "purchases")

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _twin(settings: Settings, home: Path) -> Settings:
    """Same topics, its own consumer group, Feast project and state."""
    return Settings(
        home=home,
        kafka=settings.kafka.model_dump(),
        redis=settings.redis.model_dump(),
        feast={"project": settings.feast.project + "b", "online_store": "sqlite"},
        streams={**settings.streams.model_dump(), "app_id": settings.streams.app_id + "-b"},
    )


def _all_users(reader: OnlineFeatureReader, users: list[str]) -> dict[str, dict[str, Any]]:
    rows = {}
    for user in users:
        row = reader.user(user, now=0.0)
        if row is not None:
            row.pop("seconds_since_last_event")
            rows[user] = row
    return rows


def _complete(reader: OnlineFeatureReader, expected: Counter[str]) -> bool:
    rows = _all_users(reader, list(expected))
    return all(rows.get(u, {}).get("events_total") == n for u, n in expected.items())


def _products_complete(reader: OnlineFeatureReader, expected: Counter[str]) -> bool:
    for product_id, n in expected.items():
        row = reader.product(product_id)
        if row is None or sum(row[f"{k}_24h"] or 0 for k in POPULARITY_KINDS) != n:
            return False
    return True


def test_worker_killed_mid_stream_ends_with_same_features_as_uninterrupted_run(
    infra: Settings, tmp_path: Path, start_worker: Any
) -> None:
    crashed = isolated_settings(infra, tmp_path / "crashed", "sqlite")
    steady = _twin(crashed, tmp_path / "steady")
    catalog = CatalogGenerator(seed=5, products=60).generate()
    events = list(ShopperSessionGenerator(catalog, users=150, seed=9).events(12_000))
    expected = Counter(e.user_id for e in events)
    expected_products = Counter(
        e.product_id
        for e in events
        if isinstance(e, ProductEventBase) and KIND_OF.get(e.type) in POPULARITY_KINDS
    )
    crashed_reader = OnlineFeatureReader(open_feature_store(crashed, apply=True))
    steady_reader = OnlineFeatureReader(open_feature_store(steady, apply=True))
    replayer = EventReplayer(crashed)
    replayer.send(events[:6_000], progress=False)

    first = start_worker(crashed, "crashed")
    poll_until(
        lambda: _all_users(crashed_reader, list(expected)[:20]),
        90,
        "first features",
        interval_s=0.02,
    )
    first.kill()
    seen_before_kill = sum(
        r["events_total"] for r in _all_users(crashed_reader, list(expected)).values()
    )
    assert 0 < seen_before_kill < len(events), "the kill must land mid-stream"

    replayer.send(events[6_000:], progress=False)
    start_worker(crashed, "restarted")
    start_worker(steady, "steady")
    poll_until(lambda: _complete(crashed_reader, expected), 180, "restarted worker to finish")
    poll_until(lambda: _complete(steady_reader, expected), 180, "steady worker to finish")
    for reader in (crashed_reader, steady_reader):
        poll_until(partial(_products_complete, reader, expected_products), 120, "products")

    assert _all_users(crashed_reader, list(expected)) == _all_users(steady_reader, list(expected))
    products = [p.product_id for p in catalog]
    crashed_products = {p: crashed_reader.product(p) for p in products}
    steady_products = {p: steady_reader.product(p) for p in products}
    assert crashed_products == steady_products
