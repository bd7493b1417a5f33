"""`copystream-replay FILE`, the installed command, puts a file's valid events on the real
`user-events` topic, keyed by user id, and skips the bad lines."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from contracts.events import event_to_json, parse_event
from contracts.settings import Settings
from tests.events_factory import make_event
from tests.polling import poll_until

pytestmark = pytest.mark.integration


def test_replay_sends_the_valid_events_of_a_file_to_user_events(
    sqlite_settings: Settings, tmp_path: Path
) -> None:
    from kafka import KafkaConsumer

    at = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
    events = [
        make_event("view", f"u{n}", at, product_id=f"p{n:05d}", category="audio", price=9.5)
        for n in range(5)
    ]
    lines = [event_to_json(event) for event in events]
    lines[2:2] = [b"{not json", b""]
    events_file = tmp_path / "events.jsonl"
    events_file.write_bytes(b"\n".join(lines) + b"\n")

    script = Path(sys.executable).parent / "copystream-replay"
    result = subprocess.run(
        [str(script), str(events_file), "--rate", "100", "--no-progress"],
        env={**os.environ, **sqlite_settings.to_env()},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "sent 5 events" in result.stdout
    assert "line 3:" in result.stderr

    consumer = KafkaConsumer(
        sqlite_settings.kafka.topics.user_events,
        bootstrap_servers=sqlite_settings.kafka.bootstrap_servers,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    received: dict[str, bytes | None] = {}

    def all_read() -> bool:
        for records in consumer.poll(timeout_ms=500).values():
            for record in records:
                received[parse_event(record.value).event_id] = record.key
        return len(received) >= len(events)

    try:
        poll_until(all_read, timeout_s=60, what="the replayed events on user-events")
    finally:
        consumer.close()
    assert received == {event.event_id: event.user_id.encode() for event in events}
