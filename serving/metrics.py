"""Prometheus metrics of the generator (served by the generator service in the live loop)."""

from __future__ import annotations

from prometheus_client import Counter, Histogram

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
