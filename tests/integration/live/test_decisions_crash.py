"""The copy decider killed with SIGKILL mid-stream and restarted loses no request and makes
none it should not: every view asks under its own replay-stable id, limits still hold."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from contracts.copies import CopyRequest
from contracts.settings import Settings
from contracts.vocabulary import Locale
from features.online_reader import OnlineFeatureReader
from features.store import open_feature_store
from policy.requests import request_id_for
from simulate.replay import EventReplayer
from simulate.worker import StreamWorkerProcess, wait_until_serving
from tests.events_factory import make_event
from tests.integration.conftest import live_settings
from tests.polling import poll_until

pytestmark = [pytest.mark.integration, pytest.mark.slow]


class RequestLog:
    """Everything on `copy-requests`, read with a group-less consumer."""

    def __init__(self, settings: Settings) -> None:
        from kafka import KafkaConsumer, TopicPartition

        topic = settings.kafka.topics.copy_requests
        self._consumer = KafkaConsumer(bootstrap_servers=settings.kafka.bootstrap_servers)
        partitions = [TopicPartition(topic, p) for p in range(settings.kafka.partitions)]
        self._consumer.assign(partitions)
        self._consumer.seek_to_beginning(*partitions)
        self.requests: list[CopyRequest] = []

    def read(self) -> list[CopyRequest]:
        for records in self._consumer.poll(timeout_ms=200).values():
            self.requests += [CopyRequest.model_validate_json(r.value) for r in records]
        return self.requests

    def close(self) -> None:
        self._consumer.close()


def test_decider_killed_mid_stream_still_asks_once_per_view_under_stable_ids(
    infra, tmp_path, tiny_catalog
):
    settings = live_settings(
        infra,
        tmp_path,
        tmp_path / "no-model",  # the decider never loads the generator's model
        tiny_catalog,
        decisions={"max_requests_per_user": 3, "rate_window_s": 3_600},
        streams={"app_id": f"crash-{tmp_path.name[-12:]}", "metrics_port": 0},
    )
    start = datetime.now(UTC)
    views = [
        make_event(
            "view",
            f"shopper-{n % 80}",
            start + timedelta(milliseconds=n),
            product_id=(p := tiny_catalog[n % len(tiny_catalog)]).product_id,
            category=p.category,
            price=p.localized(Locale.EN).price,
        )
        for n in range(400)  # 5 views per shopper: 3 ask, 2 are over the limit
    ]
    admitted = Counter[str]()
    expected = set()
    for view in views:
        if admitted[view.user_id] < 3:
            admitted[view.user_id] += 1
            expected.add(request_id_for("view", view.event_id))

    reader = OnlineFeatureReader(open_feature_store(settings))
    log = RequestLog(settings)
    replayer = EventReplayer(settings, linger_ms=0)
    worker = StreamWorkerProcess(settings, tmp_path / "worker-1.log").start()
    try:
        wait_until_serving(settings, reader, 120)
        replayer.send(views[:200], progress=False)
        poll_until(lambda: len(log.read()) >= 20, 60, "some requests before the crash")
        worker.kill()
        replayer.send(views[200:], progress=False)
        worker = StreamWorkerProcess(settings, tmp_path / "worker-2.log").start()
        poll_until(
            lambda: expected <= {r.request_id for r in log.read()}, 120, "every admitted view"
        )
    finally:
        worker.stop()
        replayer.close()
    requests = [r for r in log.requests if r.user_id.startswith("shopper-")]
    assert {r.request_id for r in requests} == expected
    by_id: dict[str, CopyRequest] = {}
    for request in requests:  # a repeat after the crash decides exactly the same
        first = by_id.setdefault(request.request_id, request)
        assert (request.angle, request.propensity) == (first.angle, first.propensity)
    log.close()
