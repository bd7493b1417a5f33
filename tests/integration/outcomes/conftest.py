"""The outcome joiner against the real broker: isolated topics, a small attribution window,
copies produced as the generator would, events as shops would, and the log read back."""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from contracts.copies import CopyTrigger, FeatureSnapshot, GeneratedCopy
from contracts.events import BehaviourEvent
from contracts.outcomes import CopyOutcomeRecord
from contracts.settings import Settings
from contracts.vocabulary import Angle, Channel, Locale
from features.outcome_log import OutcomeLogReader
from simulate.replay import EventReplayer
from simulate.worker import OutcomeWorkerProcess
from tests.events_factory import make_event
from tests.integration.conftest import isolated_settings
from tests.polling import poll_until

WINDOW_S = 4.0
_serial = itertools.count()


def outcome_settings(infra: Settings, home: Path, **outcomes: Any) -> Settings:
    """Isolated topics and groups, a fresh log folder, a window of a few seconds."""
    base = isolated_settings(infra, home, "sqlite")
    section: dict[str, Any] = {
        "app_id": f"outcomes-{base.feast.project}",
        "attribution_window_s": WINDOW_S,
        "close_grace_s": 2.0,
        "close_check_interval_s": 0.2,
        "unshown_ttl_s": 60.0,
        "metrics_port": 0,
        "log_uri": str(home / "outcome-log"),
        **outcomes,
    }
    return Settings(**{**base.model_dump(exclude={"copy_rules"}), "outcomes": section})


def make_copy(user: str, product: str, **fields: Any) -> GeneratedCopy:
    copy_id = f"c-{uuid.uuid4().hex[:12]}"
    now = datetime.now(UTC)
    doc: dict[str, Any] = {
        "request_id": f"r-{copy_id}",
        "user_id": user,
        "product_id": product,
        "channel": Channel.WEB,
        "slot": "pdp-banner",
        "locale": Locale.EN,
        "propensity": 0.1,
        "angle_pmf": (0.1,) * 10,
        "copy_id": copy_id,
        "angle": Angle.DISCOUNT,
        "requested_angle": Angle.DISCOUNT,
        "policy_version": "uniform-v1",
        "model_version": "test-model",
        "text": f"Price drop on {product}",
        "trigger": CopyTrigger.PRODUCT_VIEW,
        "features_snapshot_id": f"s-{copy_id}",
        "features": FeatureSnapshot(
            snapshot_id=f"s-{copy_id}", read_at=now, user={"views_10m": 1}, product={"price": 5.0}
        ),
        "created_at": now,
        "latency_ms": 40.0,
    }
    return GeneratedCopy(**{**doc, **fields})


def impression(copy: GeneratedCopy, **fields: Any) -> BehaviourEvent:
    return _copy_event("copy_impression", copy, **fields)


def click(copy: GeneratedCopy, **fields: Any) -> BehaviourEvent:
    return _copy_event("copy_click", copy, **fields)


def _copy_event(kind: str, copy: GeneratedCopy, **fields: Any) -> BehaviourEvent:
    at = fields.pop("at", datetime.now(UTC))
    return make_event(
        kind, copy.user_id, at, copy_id=copy.copy_id, product_id=copy.product_id, **fields
    )


def purchase(user: str, product: str, **fields: Any) -> BehaviourEvent:
    at = fields.pop("at", datetime.now(UTC))
    fields.setdefault("event_id", f"buy-{next(_serial)}-{uuid.uuid4().hex[:6]}")
    return make_event(
        "purchase", user, at, product_id=product, category="home", price=5.0, **fields
    )


class Shop:
    """Produces copies on `generated-copy` (as the generator does) and events on
    `user-events` (as shops do), keyed by user id."""

    def __init__(self, settings: Settings) -> None:
        from kafka import KafkaProducer

        self._settings = settings
        self.events = EventReplayer(settings, linger_ms=0)
        self._producer = KafkaProducer(bootstrap_servers=settings.kafka.bootstrap_servers)

    def send_copies(self, copies: list[GeneratedCopy]) -> None:
        topic = self._settings.kafka.topics.generated_copy
        for copy in copies:
            self._producer.send(
                topic, key=copy.user_id.encode(), value=copy.model_dump_json().encode()
            )
        self._producer.flush()

    def send_raw_copy(self, value: bytes) -> None:
        self._producer.send(self._settings.kafka.topics.generated_copy, key=b"x", value=value)
        self._producer.flush()

    def send_events(self, events: list[BehaviourEvent]) -> None:
        self.events.send(events, progress=False)

    def close(self) -> None:
        self.events.close()
        self._producer.close()


def read_log(settings: Settings) -> list[CopyOutcomeRecord]:
    today = datetime.now(UTC).date()
    return OutcomeLogReader(settings.outcome_log_uri).read(today, today, allow_missing=True).records


def wait_until_joining(settings: Settings, shop: Shop, timeout_s: float) -> None:
    """Block until a probe copy's record is in the log: the worker has joined its group,
    recovered its table and closes windows."""
    probe = make_copy(f"probe-{uuid.uuid4().hex[:8]}", "p-probe")
    shop.send_copies([probe])
    shop.send_events([impression(probe)])
    poll_until(
        lambda: any(r.copy_id == probe.copy_id for r in read_log(settings)),
        timeout_s,
        "the outcome worker to write a probe record",
        interval_s=0.2,
    )


@pytest.fixture
def start_outcome_worker(tmp_path: Path) -> Iterator[Any]:
    """Starts outcome workers for a test and stops whatever is left at the end."""
    workers: list[OutcomeWorkerProcess] = []

    def start(settings: Settings, name: str = "outcomes") -> OutcomeWorkerProcess:
        worker = OutcomeWorkerProcess(settings, tmp_path / f"{name}-{len(workers)}.log").start()
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()
