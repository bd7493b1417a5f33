"""Prometheus metrics of the generator and the generator service (served on its `/metrics`).

Labels stay few and closed (source, locale, angle, reason, error type, status): never ids.
The fallback rate is `copystream_fallbacks_total` over `copystream_copies_total`.
"""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram, Info

COPIES = Counter(
    "copystream_copies_total",
    "Copies handed out, by source (model or fallback template), locale and angle",
    ["source", "locale", "angle"],
)
FALLBACKS = Counter(
    "copystream_fallbacks_total", "Copies replaced by a faithful template, by reason", ["reason"]
)
VIOLATIONS = Counter(
    "copystream_copy_violations_total",
    "Model candidates rejected by the checker, by rule",
    ["rule"],
)
DECODE_ROWS = Histogram(
    "copystream_decode_batch_rows",
    "Rows (prompt x candidate) decoded together",
    buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256),
)
DECODE_SECONDS = Histogram(
    "copystream_decode_seconds",
    "Wall time of one batched decode",
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)

# The generator service (serving/service, serving/http).
REQUESTS = Counter(
    "copystream_service_requests_total",
    "Copy requests the generator service accepted for generation, by source (kafka or http)",
    ["source"],
)
BATCH_REQUESTS = Histogram(
    "copystream_service_batch_requests",
    "Requests written together in one model batch",
    buckets=(1, 2, 4, 8, 16, 32, 64, 128),
)
BATCH_SECONDS = Histogram(
    "copystream_service_batch_seconds",
    "Wall time of one batch in the model thread (generation, checks and templates)",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10),
)
QUEUE_DEPTH = Gauge("copystream_service_queue_depth", "Requests waiting for the model")
COPY_LATENCY = Histogram(
    "copystream_copy_latency_seconds",
    "Request created_at to copy produced and acknowledged by Kafka, by source",
    ["source"],
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60),
)
HTTP_SECONDS = Histogram(
    "copystream_http_request_seconds",
    "Duration of HTTP API handlers, by route and status code",
    ["route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5),
)
REQUEST_DEAD_LETTERS = Counter(
    "copystream_request_dead_letters_total",
    "copy-requests messages sent to dead-letters, by error type",
    ["error_type"],
)

# Releases and reranking (serving/service/release_watcher.py, serving/generator.py).
RELOADS = Counter(
    "copystream_reloads_total",
    "Newly published releases the service tried to serve, by result (swapped or failed)",
    ["result"],
)
RELOAD_SECONDS = Histogram(
    "copystream_reload_seconds",
    "Wall time to load a release's changed parts, off the event loop and the model thread",
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)
RELEASE = Info(
    "copystream_release",
    "The release being served and the version of each of its parts ('none' when absent)",
)
REWARD_SCORES = Histogram(
    "copystream_reward_score",
    "Reward-model score (expected reward) of the candidate chosen among those that passed",
    buckets=(0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5),
)
RERANK_FAILURES = Counter(
    "copystream_rerank_failures_total",
    "Briefs whose candidates the reward model could not score (ranked by fluency instead)",
)

# On-demand (HTTP) asks (serving/service/on_demand.py).
FEATURE_READ_FAILURES = Counter(
    "copystream_feature_read_failures_total",
    "HTTP asks refused because their features could not be read, by reason: timeout (no "
    "answer within service.feature_read_timeout_ms), stalled (refused at once while an earlier "
    "read hangs past it) or error (the online store raised)",
    ["reason"],
)
PUBLISH_RETRIES = Counter(
    "copystream_publish_retries_total",
    "Copies and dead letters whose produce to Kafka failed and was retried (on a new producer)",
)
