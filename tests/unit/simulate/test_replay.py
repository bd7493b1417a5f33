"""`copystream-replay`'s file parsing: valid events pass in order, bad lines are reported by
line number and skipped, and the command's exit status says whether anything was sent."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from contracts.events import BehaviourEvent, event_to_json
from contracts.settings import Settings
from simulate import replay
from simulate.replay import EXIT_NO_VALID_EVENTS, BadEventLine, EventLineParser
from tests.events_factory import make_event

AT = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def view(n: int) -> BehaviourEvent:
    return make_event("view", f"u{n}", AT, product_id=f"p{n:05d}", category="audio", price=9.5)


def test_valid_events_pass_in_file_order_and_blank_lines_are_ignored() -> None:
    first, second = view(1), view(2)
    lines = [event_to_json(first) + b"\n", b"\n", b"  \r\n", event_to_json(second) + b"\r\n"]
    parser = EventLineParser()
    events = list(parser.parse(lines))
    assert events == [first, second]
    assert parser.bad_lines == []


def test_bad_lines_are_reported_with_their_line_number_and_skipped() -> None:
    good = event_to_json(view(3))
    missing_user = good.replace(b'"user_id":"u3",', b"")
    lines = [b"not json\n", good + b"\n", missing_user + b"\n", b'{"type": "teleport"}\n']
    parser = EventLineParser()
    events = list(parser.parse(lines))
    assert len(events) == 1
    assert [bad.line for bad in parser.bad_lines] == [1, 3, 4]
    assert "user_id" in parser.bad_lines[1].reason
    assert all(bad.reason for bad in parser.bad_lines)


def test_invalid_utf8_is_a_bad_line_not_a_crash() -> None:
    parser = EventLineParser()
    assert list(parser.parse([b"\xff\xfe{}\n"])) == []
    assert [bad.line for bad in parser.bad_lines] == [1]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(max_size=64), max_size=20))
def test_every_nonblank_line_is_an_event_or_a_bad_line(lines: list[bytes]) -> None:
    parser = EventLineParser()
    events = list(parser.parse(lines))
    assert len(events) + len(parser.bad_lines) == sum(1 for line in lines if line.strip())


class _Replayer:
    """Stands in for EventReplayer: records what would have been produced."""

    sent: list[BehaviourEvent]

    def __init__(self, settings: Settings) -> None:
        type(self).sent = []

    def send(self, events: Iterable[BehaviourEvent], **options: object) -> int:
        type(self).sent.extend(events)
        return len(type(self).sent)

    def close(self) -> None:
        pass


@pytest.fixture
def fake_replayer(monkeypatch: pytest.MonkeyPatch) -> type[_Replayer]:
    monkeypatch.setattr(replay, "EventReplayer", _Replayer)
    return _Replayer


def test_command_sends_valid_events_and_lists_bad_lines(
    tmp_path: Path, fake_replayer: type[_Replayer]
) -> None:
    events_file = tmp_path / "events.jsonl"
    events_file.write_bytes(b"\n".join([event_to_json(view(1)), b"{oops", event_to_json(view(2))]))
    result = CliRunner().invoke(replay.main, [str(events_file), "--rate", "50", "--no-progress"])
    assert result.exit_code == 0, result.output
    assert [event.user_id for event in fake_replayer.sent] == ["u1", "u2"]
    assert "line 2:" in result.stderr
    assert "sent 2 events" in result.stdout
    assert "1 bad line(s) skipped" in result.stdout


def test_command_exits_2_when_no_line_is_a_valid_event(
    tmp_path: Path, fake_replayer: type[_Replayer]
) -> None:
    events_file = tmp_path / "events.jsonl"
    events_file.write_bytes(b"[]\n{}\n")
    result = CliRunner().invoke(replay.main, [str(events_file), "--no-progress"])
    assert result.exit_code == EXIT_NO_VALID_EVENTS
    assert "2 bad line(s) skipped" in result.stderr


def test_command_refuses_a_rate_that_is_not_positive(tmp_path: Path) -> None:
    events_file = tmp_path / "events.jsonl"
    events_file.write_bytes(b"")
    result = CliRunner().invoke(replay.main, [str(events_file), "--rate", "0"])
    assert result.exit_code == 2
    assert "--rate" in result.output


def test_many_bad_lines_are_summarised() -> None:
    report = replay._bad_lines_report([BadEventLine(n, "bad") for n in range(1, 31)])
    assert report.splitlines()[0] == "30 bad line(s) skipped:"
    assert report.splitlines()[-1] == "  ... and 10 more"
