import click
import pytest

from training.cli import parse_duration, run_periodically


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("90", 90.0), ("90s", 90.0), ("10m", 600.0), ("2h", 7_200.0), ("1d", 86_400.0)],
)
def test_durations_read_as_seconds(text, seconds):
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "ten minutes", "0m", "-5m", "5w"])
def test_a_bad_duration_says_how_to_write_one(text):
    with pytest.raises(click.BadParameter, match=r"e\.g\. 10m"):
        parse_duration(text)


def test_periodic_rounds_survive_a_failed_round_and_keep_the_period():
    calls, sleeps = [], []
    now = [0.0]

    def run_once():
        calls.append(now[0])
        now[0] += 30.0  # each round takes 30 s
        if len(calls) == 2:
            raise RuntimeError("outcome log unreachable")

    def sleep(seconds):
        sleeps.append(seconds)
        now[0] += seconds

    failures = run_periodically(run_once, 600.0, rounds=3, sleep=sleep, clock=lambda: now[0])
    assert failures == 1
    assert calls == [0.0, 600.0, 1_200.0]  # start to start, the failure included
    assert sleeps == [570.0, 570.0]


def test_a_round_longer_than_the_period_starts_the_next_at_once():
    now = [0.0]
    sleeps = []

    def run_once():
        now[0] += 900.0

    run_periodically(run_once, 600.0, rounds=2, sleep=sleeps.append, clock=lambda: now[0])
    assert sleeps == [0.0]
