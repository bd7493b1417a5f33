"""Prometheus metrics of the stream workers (served on `streams.metrics_port`)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

EVENTS = Counter(
    "copystream_events_total", "Events consumed from user-events, by outcome", ["outcome"]
)
DEAD_LETTERS = Counter(
    "copystream_dead_letters_total", "Messages sent to dead-letters, by error type", ["error_type"]
)
BATCH_SIZE = Histogram(
    "copystream_stream_batch_events",
    "Events per micro-batch",
    buckets=(1, 10, 50, 100, 250, 500, 1000, 2000, 5000),
)
FEATURE_ROWS = Counter(
    "copystream_feature_rows_written_total", "Rows written to the online store", ["view"]
)
WRITE_SECONDS = Histogram(
    "copystream_feature_write_seconds",
    "Time to write one coalesced batch to the online store",
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
FRESHNESS_SECONDS = Histogram(
    "copystream_feature_freshness_seconds",
    "Kafka message timestamp to feature readable in the online store",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
COPY_DECISIONS = Counter(
    "copystream_copy_decisions_total",
    "Copy asks by outcome: requested, or why not (rate_limited, duplicate_pending, ...)",
    ["outcome"],
)
COPY_REQUESTS = Counter(
    "copystream_copy_requests_total",
    "Copy requests sent, by trigger and angle",
    ["trigger", "angle"],
)
DECISION_SECONDS = Histogram(
    "copystream_copy_decision_seconds",
    "Time to decide a batch of asks: feature snapshot, policy, send",
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1),
)
POLICY_RELOADS = Counter(
    "copystream_policy_reloads_total",
    "Newly published angle policies the decider tried to use, by result (swapped or failed)",
    ["result"],
)
PARTITION_REWINDS = Counter(
    "copystream_stream_partition_rewinds_total",
    "Stalled partitions seeked back to their committed offset (streams/stall_guard.py), by topic",
    ["topic"],
)
STORE_RETRIES = Counter(
    "copystream_stream_store_retries_total",
    "Online-store operations retried after a failure (the batch waits uncommitted), by operation",
    ["operation"],
)
CATALOG_RELOADS = Counter(
    "copystream_catalog_reloads_total",
    "Times the catalog was found missing from the online store and reloaded from its file",
)
