"""A stream worker killed before it ever committed, and restarted, reads its whole backlog.

The first worker commits every ten minutes, so the kill leaves the group with (next to) no
committed offsets: the restart must re-read everything from the start. Faust may fetch that
backlog while it resumes and drop it (streams/stall_guard.py); the stall guard must seek it
back so the group's lag reaches zero and events sent right after the restart are served.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from contracts.settings import Settings
from features.online_reader import OnlineFeatureReader
from features.store import open_feature_store
from simulate.replay import EventReplayer
from simulate.sessions import probe_event
from simulate.worker import StreamWorkerProcess, wait_until_serving
from tests.events_factory import catalog_views
from tests.integration.conftest import live_settings
from tests.polling import poll_until

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def test_worker_restarted_before_any_commit_reads_the_whole_backlog(infra, tmp_path, tiny_catalog):
    settings = live_settings(infra, tmp_path, tmp_path / "no-model", tiny_catalog)
    rarely_commits = settings.model_copy(
        update={"streams": settings.streams.model_copy(update={"commit_interval_s": 600.0})}
    )
    start = datetime.now(UTC)
    views = catalog_views(tiny_catalog, 200, 80, start)
    reader = OnlineFeatureReader(open_feature_store(settings))
    replayer = EventReplayer(settings, linger_ms=0)
    worker = StreamWorkerProcess(rarely_commits, tmp_path / "worker-1.log").start()
    try:
        wait_until_serving(settings, reader, 120, worker)
        replayer.send(views, progress=False)
        poll_until(lambda: reader.user_views("shopper-79") is not None, 60, "the views")
        worker.kill()
        worker = StreamWorkerProcess(settings, tmp_path / "worker-2.log").start()
        after_restart = [probe_event(f"after-restart-{n}") for n in range(12)]
        replayer.send(after_restart, progress=False)  # behind the backlog, on every partition
        served = lambda: all(reader.user_views(e.user_id) for e in after_restart)  # noqa: E731
        poll_until(served, 150, f"events sent after the restart (log {worker.log_path})")
        poll_until(lambda: _lag(settings) == 0, 60, "the group to commit the whole backlog")
    finally:
        worker.stop()
        replayer.close()


def _lag(settings: Settings) -> int:
    """Records of `user-events` beyond the stream worker group's committed offsets."""
    from kafka import KafkaConsumer, TopicPartition

    topic = settings.kafka.topics.user_events
    consumer = KafkaConsumer(
        bootstrap_servers=settings.kafka.bootstrap_servers, group_id=settings.streams.app_id
    )
    try:
        partitions = [
            TopicPartition(topic, p) for p in range(settings.kafka.user_events_partitions)
        ]
        ends = consumer.end_offsets(partitions)
        return sum(ends[tp] - (consumer.committed(tp) or 0) for tp in partitions)
    finally:
        consumer.close(autocommit=False)
