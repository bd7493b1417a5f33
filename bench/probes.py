"""Observing a running worker from outside: its Prometheus counters and committed offsets."""

from __future__ import annotations

import urllib.request

from prometheus_client.parser import text_string_to_metric_families


def scrape_counter(port: int, name: str) -> float:
    """Sum of all samples of counter `name` on the worker's /metrics (0 if not up yet)."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=1) as resp:
            text = resp.read().decode()
    except OSError:
        return 0.0
    total = 0.0
    for family in text_string_to_metric_families(text):
        if family.name == name:
            total += sum(s.value for s in family.samples if s.name.endswith("_total"))
    return total


class CommitLagProbe:
    """Messages in some topics not yet committed by a group (their rows are not yet stored)."""

    def __init__(self, bootstrap: str, group: str, topics: list[str]) -> None:
        from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition

        self._group = group
        self._admin = KafkaAdminClient(bootstrap_servers=bootstrap)
        self._consumer = KafkaConsumer(bootstrap_servers=bootstrap)
        self._parts = [
            TopicPartition(topic, p)
            for topic in topics
            for p in sorted(self._consumer.partitions_for_topic(topic) or ())
        ]

    def lag(self) -> int:
        committed = self._admin.list_group_offsets(self._group).get(self._group, {})
        ends = self._consumer.end_offsets(self._parts)
        lag = 0
        for tp, end in ends.items():
            meta = committed.get(tp)
            lag += end - (meta.offset if meta is not None and meta.offset >= 0 else 0)
        return lag

    def close(self) -> None:
        self._admin.close()
        self._consumer.close()


def scrape_histogram(port: int, name: str) -> tuple[float, float]:
    """(sum, count) of histogram `name` on a service's /metrics; (0, 0) when not reachable."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=1) as resp:
            text = resp.read().decode()
    except OSError:
        return 0.0, 0.0
    total = count = 0.0
    for family in text_string_to_metric_families(text):
        if family.name == name:
            total += sum(s.value for s in family.samples if s.name == f"{name}_sum")
            count += sum(s.value for s in family.samples if s.name == f"{name}_count")
    return total, count
