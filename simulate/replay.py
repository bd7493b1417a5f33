"""Produces behaviour events to `user-events` with kafka-python, keyed by user id.

`copystream-replay FILE [--rate N]` sends a JSON-lines file of behaviour events (one event per
line, as `event_to_json` writes them); lines that fail the event contract are reported with
their line number and skipped.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO

import click
from tqdm import tqdm

from contracts.errors import InvalidEventError
from contracts.events import BehaviourEvent, event_to_json, parse_event
from contracts.settings import Settings

EXIT_NO_VALID_EVENTS = 2
_SHOWN_BAD_LINES = 20


class EventReplayer:
    """`rate_per_s=None` sends as fast as the producer can; otherwise paces to the rate."""

    def __init__(self, settings: Settings, linger_ms: int = 5) -> None:
        from kafka import KafkaProducer

        self._topic = settings.kafka.topics.user_events
        self._producer = KafkaProducer(
            bootstrap_servers=settings.kafka.bootstrap_servers,
            linger_ms=linger_ms,
            batch_size=256 * 1024,
            compression_type=None,
        )

    def send(
        self,
        events: Iterable[BehaviourEvent],
        rate_per_s: float | None = None,
        total: int | None = None,
        progress: bool = True,
        flush: bool = True,
    ) -> int:
        started = time.perf_counter()
        sent = 0
        for event in tqdm(events, total=total, disable=not progress, unit="ev", desc="replay"):
            self._producer.send(self._topic, key=event.user_id.encode(), value=event_to_json(event))
            sent += 1
            if rate_per_s:
                ahead = sent / rate_per_s - (time.perf_counter() - started)
                if ahead > 0:
                    time.sleep(ahead)
        if flush:
            self._producer.flush()
        return sent

    def send_raw(self, key: bytes | None, value: bytes) -> None:
        """Any bytes, as an outside client may produce them (not validated: tests of the door)."""
        self._producer.send(self._topic, key=key, value=value)

    def flush(self) -> None:
        self._producer.flush()

    def close(self) -> None:
        self._producer.flush()
        self._producer.close()


@dataclass(frozen=True)
class BadEventLine:
    """A line of an event file that is not a valid behaviour event; `line` counts from 1."""

    line: int
    reason: str


class EventLineParser:
    """Parses a JSON-lines event file lazily, so a file of any size streams through.

    Valid events come out in file order; blank lines are ignored; every other line that fails
    `parse_event` is kept in `bad_lines` (line number and reason) and skipped.
    """

    def __init__(self) -> None:
        self.bad_lines: list[BadEventLine] = []

    def parse(self, lines: Iterable[bytes]) -> Iterator[BehaviourEvent]:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                yield parse_event(line.strip())
            except InvalidEventError as err:
                self.bad_lines.append(BadEventLine(number, err.reason))


@click.command()
@click.argument("events_file", type=click.File("rb"))
@click.option(
    "--rate",
    type=click.FloatRange(min=0, min_open=True),
    default=None,
    help="events per second [default: as fast as Kafka takes them]",
)
@click.option("--progress/--no-progress", default=True, help="show a progress bar on stderr")
def main(events_file: BinaryIO, rate: float | None, progress: bool) -> None:
    """Send the behaviour events of EVENTS_FILE (JSON lines; - reads stdin) to `user-events`.

    Bad lines are listed (line number, reason) and skipped. Exits 0 when every valid event was
    sent, 2 when the file held bad lines and no valid event, 1 when Kafka cannot be reached.
    """
    from kafka.errors import KafkaError

    settings = Settings()
    parser = EventLineParser()
    try:
        replayer = EventReplayer(settings)
    except KafkaError as err:
        raise click.ClickException(
            f"cannot reach Kafka at {settings.kafka.bootstrap_servers} ({err!r}); start it with "
            "`copystream-infra up`"
        ) from err
    try:
        sent = replayer.send(parser.parse(events_file), rate_per_s=rate, progress=progress)
    finally:
        replayer.close()
    if parser.bad_lines:
        click.echo(_bad_lines_report(parser.bad_lines), err=True)
    topic = settings.kafka.topics.user_events
    click.echo(
        f"sent {sent} events from {events_file.name} to {topic} on "
        f"{settings.kafka.bootstrap_servers}; {len(parser.bad_lines)} bad line(s) skipped"
    )
    if not sent and parser.bad_lines:
        raise click.exceptions.Exit(EXIT_NO_VALID_EVENTS)


def _bad_lines_report(bad_lines: list[BadEventLine]) -> str:
    shown = [f"  line {bad.line}: {bad.reason}" for bad in bad_lines[:_SHOWN_BAD_LINES]]
    if len(bad_lines) > _SHOWN_BAD_LINES:
        shown.append(f"  ... and {len(bad_lines) - _SHOWN_BAD_LINES} more")
    return "\n".join([f"{len(bad_lines)} bad line(s) skipped:", *shown])


if __name__ == "__main__":
    main()
