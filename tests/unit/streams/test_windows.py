from hypothesis import given
from hypothesis import strategies as st

from streams.windows import WindowedCounter, WindowPlan

PLAN = WindowPlan(fine_seconds=60, coarse_seconds=3_600, windows=(600, 3_600, 86_400))


def _brute_force(events: list[float], now: float, window: int) -> int:
    res = PLAN.resolution(window)
    return sum(1 for t in events if int(now // res) - window // res < int(t // res) <= now // res)


@given(st.lists(st.floats(min_value=0, max_value=200_000), min_size=1, max_size=150))
def test_counts_match_brute_force_at_each_windows_resolution(events: list[float]):
    counter, now = WindowedCounter(), 0.0
    for ts in events:
        now = max(now, ts)
        counter.add(ts, now, PLAN)
        counter.prune(now, PLAN)
    for window in PLAN.windows:
        assert counter.count(window, now, PLAN) == _brute_force(events, now, window)


def test_short_windows_use_minutes_and_the_day_window_uses_hours():
    assert [PLAN.resolution(w) for w in PLAN.windows] == [60, 60, 3_600]
    assert (PLAN.keep(60), PLAN.keep(3_600)) == (60, 24)


def test_event_older_than_every_window_is_not_stored():
    counter = WindowedCounter()
    assert not counter.add(0.0, now=200_000.0, plan=PLAN)
    assert counter.fine == {} and counter.coarse == {}


def test_counter_round_trips_through_its_document():
    counter = WindowedCounter()
    counter.add(100.0, 100.0, PLAN)
    assert WindowedCounter.from_doc(counter.to_doc()) == counter
