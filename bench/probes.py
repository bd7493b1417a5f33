"""Observing a running worker from outside: its Prometheus metrics, committed offsets and
resident memory."""

from __future__ import annotations

import contextlib
import urllib.request
from collections.abc import Mapping, Sequence

from prometheus_client.parser import text_string_to_metric_families

from contracts.errors import ConfigurationError

_SUMMED_OVER = frozenset({"angle", "locale"})


def _metrics_text(port: int, timeout: float) -> str | None:
    """The text of a local /metrics endpoint; None when it does not answer."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=timeout) as resp:
            return resp.read().decode()
    except OSError:
        return None


def scrape_counter(port: int, name: str) -> float:
    """Sum of all samples of counter `name` on the worker's /metrics (0 if not up yet)."""
    text = _metrics_text(port, timeout=1)
    if text is None:
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
    text = _metrics_text(port, timeout=1)
    if text is None:
        return 0.0, 0.0
    total = count = 0.0
    for family in text_string_to_metric_families(text):
        if family.name == name:
            total += sum(s.value for s in family.samples if s.name == f"{name}_sum")
            count += sum(s.value for s in family.samples if s.name == f"{name}_count")
    return total, count


def scrape(port: int, prefixes: Sequence[str]) -> dict[str, float]:
    """Counter and gauge samples of families starting with `prefixes`, keyed `name{labels}`
    and summed over angles and locales; empty when /metrics does not answer."""
    text = _metrics_text(port, timeout=2)
    if text is None:
        return {}
    samples: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        if family.type in ("counter", "gauge") and family.name.startswith(tuple(prefixes)):
            for sample in family.samples:
                if sample.name.endswith("_created"):
                    continue
                labels = ",".join(
                    f"{k}={v}" for k, v in sorted(sample.labels.items()) if k not in _SUMMED_OVER
                )
                key = f"{sample.name}{{{labels}}}"
                samples[key] = samples.get(key, 0.0) + sample.value
    return samples


def total(samples: Mapping[str, float], name: str, label: str = "") -> float:
    return sum(v for k, v in samples.items() if k.startswith(name + "{") and label in k)


def process_tree_rss_mb(pid: int) -> dict[str, float]:
    """Resident memory in MB of a process and each of its descendants (the stream worker writes
    features from a spawned child), keyed `<pid> <start of its arguments>`; empty once
    the process is gone. Pages shared between them count once per process, as RSS does."""
    import psutil

    try:
        root = psutil.Process(pid)
        processes = [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return {}
    tree = {}
    for process in processes:
        with contextlib.suppress(psutil.NoSuchProcess):
            command = " ".join(process.cmdline()[1:])[:60]
            tree[f"{process.pid} {command}"] = round(process.memory_info().rss / 2**20, 1)
    return tree


def child_pid(module: str) -> int:
    """The pid of this process's `python -m <module>` child (the service processes keep their
    `Popen` private)."""
    import psutil

    for child in psutil.Process().children():
        with contextlib.suppress(psutil.NoSuchProcess):
            if child.cmdline()[1:3] == ["-m", module]:
                return int(child.pid)
    raise ConfigurationError(f"no child process `python -m {module}` found; did it start?")
