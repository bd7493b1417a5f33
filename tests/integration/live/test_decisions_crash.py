"""The copy decider killed with SIGKILL mid-stream and restarted loses no request and makes
none it should not: every view asks under its own replay-stable id, limits still hold."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime

import pytest

from contracts.copies import CopyRequest
from contracts.settings import Settings
from features.online_reader import OnlineFeatureReader
from features.store import open_feature_store
from policy.requests import request_id_for
from simulate.replay import EventReplayer
from simulate.worker import StreamWorkerProcess, wait_until_serving
from tests.events_factory import catalog_views
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
    )
    start = datetime.now(UTC)
    views = catalog_views(tiny_catalog, 400, 80, start)  # 5 per shopper: 3 ask, 2 over the limit
    admitted = Counter[str]()
    expected: dict[str, tuple[str, int]] = {}
    for view in views:
        if admitted[view.user_id] < 3:
            admitted[view.user_id] += 1
            expected[request_id_for("view", view.event_id)] = (view.user_id, views.index(view))

    reader = OnlineFeatureReader(open_feature_store(settings))
    log = RequestLog(settings)
    replayer = EventReplayer(settings, linger_ms=0)
    worker = StreamWorkerProcess(settings, tmp_path / "worker-1.log").start()
    try:
        wait_until_serving(settings, reader, 120, worker)
        replayer.send(views[:200], progress=False)
        poll_until(lambda: len(log.read()) >= 20, 60, "some requests before the crash")
        # the crash lands mid-stream, after a first commit (a kill before any commit is
        # test_restart_backlog.py's case)
        poll_until(lambda: _committed(settings) > 0, 60, "a first offset commit")
        worker.kill()
        worker = StreamWorkerProcess(settings, tmp_path / "worker-2.log").start()
        wait_until_serving(settings, reader, 120, worker)
        replayer.send(views[200:], progress=False)
        missing = lambda: sorted(v for r, v in expected.items() if r not in _ids(log.read()))  # noqa: E731
        try:
            poll_until(lambda: not missing(), 120, "every admitted view")
        except AssertionError as exc:
            raise AssertionError(f"{exc}; no request for (user, view) {missing()[:20]}") from exc
    finally:
        worker.stop()
        replayer.close()
    requests = [r for r in log.requests if r.user_id.startswith("shopper-")]
    assert _ids(requests) == set(expected)
    by_id: dict[str, CopyRequest] = {}
    for request in requests:  # a repeat after the crash decides exactly the same
        first = by_id.setdefault(request.request_id, request)
        assert (request.angle, request.propensity) == (first.angle, first.propensity)
    log.close()


def _ids(requests: list[CopyRequest]) -> set[str]:
    return {request.request_id for request in requests}


def _committed(settings: Settings) -> int:
    """Sum of the stream worker group's committed offsets on `user-events`."""
    from kafka import KafkaConsumer, TopicPartition

    topic = settings.kafka.topics.user_events
    consumer = KafkaConsumer(
        bootstrap_servers=settings.kafka.bootstrap_servers, group_id=settings.streams.app_id
    )
    try:
        partitions = range(settings.kafka.user_events_partitions)
        return sum(consumer.committed(TopicPartition(topic, p)) or 0 for p in partitions)
    finally:
        consumer.close(autocommit=False)
