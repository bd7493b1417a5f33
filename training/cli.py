"""`python -m training`: run retraining rounds (once or every period), roll back, show history.

A thin CLI: heavy modules (torch, VW) load inside the command that needs them.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import click

from contracts.logs import configure_logging, get_logger
from contracts.settings import Settings

log = get_logger(__name__)
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
_UNIT_SECONDS = {"": 1.0, "s": 1.0, "m": 60.0, "h": 3_600.0, "d": 86_400.0}


def parse_duration(text: str) -> float:
    """Seconds in `90`, `90s`, `10m`, `2h` or `1d`."""
    match = _DURATION.match(text.lower())
    if match is None or float(match.group(1)) <= 0:
        raise click.BadParameter(
            f"{text!r} is not a duration; write a positive number with s, m, h or d, e.g. 10m"
        )
    return float(match.group(1)) * _UNIT_SECONDS[match.group(2)]


def run_periodically(
    run_once: Callable[[], object],
    period_s: float,
    *,
    rounds: int | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> int:
    """Call `run_once` every `period_s` seconds (start to start) forever, or `rounds` times.

    A round that raises is logged and the loop goes on: one bad day of data must not stop
    retraining for good. A round longer than the period starts the next one at once.
    Returns the number of rounds that failed.
    """
    failures = 0
    done = 0
    while rounds is None or done < rounds:
        began = clock()
        try:
            run_once()
        except Exception:
            failures += 1
            log.exception("retraining round failed; the next one runs on schedule")
        done += 1
        if rounds is not None and done >= rounds:
            break
        sleep(max(0.0, period_s - (clock() - began)))
    return failures


@click.group()
def main() -> None:
    """Retraining: rounds, rollback and release history of the model registry."""


@main.command(name="round")
@click.option("--every", default=None, help="run a round every DURATION (e.g. 10m, 6h); forever")
@click.option("--skip-copy-model", is_flag=True, help="retrain the policy and reward model only")
@click.option("--quiet", is_flag=True, help="no progress bars")
def round_command(every: str | None, skip_copy_model: bool, quiet: bool) -> None:
    """Retrain, judge and (if the gate allows) publish a new release."""
    period = parse_duration(every) if every else None
    settings = Settings()
    configure_logging(settings)
    from training.round import RetrainingRound

    def run_once() -> None:
        report = RetrainingRound(
            settings, skip_copy_model=skip_copy_model, progress=not quiet
        ).run()
        click.echo(report.text(), nl=False)
        click.echo(f"  report: {report.folder}")

    if period is None:
        run_once()
        return
    run_periodically(run_once, period)


@main.command()
@click.option("--to", "version", default=None, help="release to restore [default: the previous]")
@click.option("--reason", default="manual rollback", show_default=True, help="kept in history")
def rollback(version: str | None, reason: str) -> None:
    """Make an earlier release current again (serving reloads it)."""
    settings = Settings()
    configure_logging(settings)
    from releases.registry import RegistryError
    from releases.served import release_registry

    registry = release_registry(settings)
    before = registry.current_version()
    try:
        release = registry.rollback(version, reason=reason)
    except RegistryError as error:
        raise click.ClickException(str(error)) from error
    log.info("rolled back", previous=before, current=release.version, reason=reason)
    click.echo(f"current release: {release.version} (was {before})")


@main.command()
def history() -> None:
    """Every promotion and rollback, oldest first, and the releases on disk."""
    settings = Settings()
    configure_logging(settings)
    from releases.served import release_registry

    registry = release_registry(settings)
    current = registry.current_version()
    for entry in registry.history():
        click.echo(
            f"{entry.at:%Y-%m-%d %H:%M:%S} {entry.action:<8} {entry.version:<20} "
            f"(was {entry.previous or '-'}): {entry.reason}"
        )
    for release in registry.releases():
        marker = "*" if release.version == current else " "
        parts = ", ".join(
            f"{c.value} {r.version} ({r.trained_in})"
            for c, r in release.manifest.components.items()
        )
        click.echo(f"{marker} {release.version}: {parts}")
    if current is None:
        click.echo("nothing published yet (serving uses the bootstrap model, uniform angles)")
