from datetime import UTC, datetime, timedelta

from contracts.settings import StreamSettings
from streams.user_state import Applied, UserActivityState
from tests.events_factory import make_event

CFG = StreamSettings()
T = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def _view(event_id: str, at: datetime = T, price: float = 10.0):
    return make_event(
        "view", "u1", at, event_id=event_id, product_id="p", category="c", price=price
    )


def test_same_event_id_at_another_offset_is_a_duplicate():
    state = UserActivityState()
    assert state.apply(_view("e1"), 0, 10, CFG) is Applied.NEW
    assert state.apply(_view("e1"), 0, 11, CFG) is Applied.DUPLICATE
    assert state.features(CFG)["views_24h"] == 1


def test_same_event_id_at_the_same_offset_is_a_replay_not_counted_again():
    state = UserActivityState()
    state.apply(_view("e1"), 2, 10, CFG)
    assert state.apply(_view("e1"), 2, 10, CFG) is Applied.REPLAY
    assert state.features(CFG)["events_total"] == 1


def test_remembered_ids_are_bounded_oldest_first():
    cfg = StreamSettings(dedupe_max_ids=2)
    state = UserActivityState()
    for i in range(3):
        state.apply(_view(f"e{i}"), 0, i, cfg)
    assert list(state.seen) == ["e1", "e2"]


def test_late_event_older_than_longest_window_changes_no_count():
    state = UserActivityState()
    state.apply(_view("new", T), 0, 1, CFG)
    state.apply(_view("old", T - timedelta(days=2)), 0, 2, CFG)
    features = state.features(CFG)
    assert features["views_24h"] == 1
    assert features["last_event_at"] == int(T.timestamp() * 1000)


def test_state_round_trips_through_changelog_bytes():
    state = UserActivityState()
    state.apply(_view("e1", price=30), 1, 5, CFG)
    state.apply(
        make_event(
            "add_to_cart",
            "u1",
            T + timedelta(minutes=3),
            event_id="e2",
            product_id="p",
            category="d",
            price=10,
            discount_pct=10,
        ),
        1,
        6,
        CFG,
    )
    restored = UserActivityState.from_bytes(state.to_bytes())
    assert restored.features(CFG) == state.features(CFG)
    assert restored.apply(_view("e1", price=30), 1, 5, CFG) is Applied.REPLAY


def test_discount_sensitivity_is_laplace_smoothed_share_of_discounted_intent():
    state = UserActivityState()
    assert state.features(CFG)["discount_sensitivity"] == 0.5
    state.apply(
        make_event(
            "purchase",
            "u1",
            T,
            event_id="e",
            product_id="p",
            category="c",
            price=10,
            discount_pct=30,
        ),
        0,
        0,
        CFG,
    )
    assert state.features(CFG)["discount_sensitivity"] == round(2 / 3, 4)
