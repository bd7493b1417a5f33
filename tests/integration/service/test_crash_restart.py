"""A generator service killed with SIGKILL mid-stream loses no request: the restarted one
answers everything left uncommitted, repeats come with the same copy id and text, and a
SIGTERM afterwards stops it with every offset committed."""

from __future__ import annotations

import uuid

import pytest
from kafka import KafkaConsumer, TopicPartition

from contracts.settings import Settings
from simulate.worker import GeneratorServiceProcess
from tests.integration.conftest import live_settings
from tests.integration.service.kafka_io import (
    TopicReader,
    answered,
    build_requests,
    copies_by_request,
    send_requests,
)
from tests.polling import poll_until

pytestmark = [pytest.mark.integration, pytest.mark.slow]

REQUESTS = 240


def _same_copy(copies: list) -> bool:
    volatile = {"created_at", "latency_ms"}
    return len({c.model_dump_json(exclude=volatile) for c in copies}) == 1


def _committed_is_end(settings: Settings) -> bool:
    """The service's group has committed every copy-requests partition up to its end."""
    topic = settings.kafka.topics.copy_requests
    consumer = KafkaConsumer(
        bootstrap_servers=settings.kafka.bootstrap_servers,
        group_id=settings.service.group_id,
        enable_auto_commit=False,
    )
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)]
        ends = consumer.end_offsets(partitions)
        # An empty partition has nothing to commit.
        return all((consumer.committed(tp) or 0) == ends[tp] for tp in partitions)
    finally:
        consumer.close()


def test_killed_service_answers_every_request_after_restart(
    infra, tmp_path, tiny_model, tiny_catalog
):
    service_section = {
        "http_port": 0,
        "group_id": f"generator-{uuid.uuid4().hex[:8]}",
        "max_batch_requests": 4,
    }
    settings = live_settings(
        infra, tmp_path, tiny_model.onnx_dir, tiny_catalog, service=service_section
    )
    requests = build_requests(settings, tiny_catalog, REQUESTS, tag=tmp_path.name)
    ids = {r.request_id for r in requests}
    send_requests(settings, requests)
    copies = TopicReader(settings, settings.kafka.topics.generated_copy)
    first = GeneratorServiceProcess(settings, tmp_path / "first.log").start()
    try:
        copies.until(lambda values: len(values) >= 60 or not first.alive(), 90, "first copies")
        assert first.alive(), first.log_tail()
        first.kill()
        before_kill = len(set(copies_by_request(copies.read())))
        assert 0 < before_kill < REQUESTS, "the kill must land mid-stream"

        restarted = GeneratorServiceProcess(settings, tmp_path / "restarted.log").start()
        everything = answered(ids)
        copies.until(lambda v: everything(v) or not restarted.alive(), 120, "all copies")
        assert restarted.alive(), restarted.log_tail()
        restarted.stop()
        log = restarted.log_path.read_text()
        assert "service_stopped" in log
        assert log.count('"copy_published"') < REQUESTS, "committed requests must not be redone"
        by_request = copies_by_request(copies.read())
    finally:
        first.kill()
        copies.close()

    assert set(by_request) == ids
    assert all(_same_copy(repeats) for repeats in by_request.values())
    poll_until(lambda: _committed_is_end(settings), 10, "offsets committed up to the end")
