"""Prometheus metrics of the outcome joiner (served on `outcomes.metrics_port`)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

OUTCOME_EVENTS = Counter(
    "copystream_outcome_events_total",
    "Copies and events seen by the outcome joiner, by kind and result "
    "(matched, attributed, buffered, duplicate, late, unattributed, ignored, invalid)",
    ["kind", "result"],
)
OUTCOME_RECORDS = Counter(
    "copystream_outcome_records_total",
    "Copies leaving the joiner: written, or dropped and why "
    "(unshown_expired, orphan_expired, copy_missing), or write_failed (retried)",
    ["result"],
)
FLUSH_SECONDS = Histogram(
    "copystream_outcome_flush_seconds",
    "Time to write one batch of closed records to the outcome log",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
