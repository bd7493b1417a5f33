"""The outcome join, without a broker: attribution, duplicates, late events, rewards, expiry."""

from __future__ import annotations

import itertools
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from contracts.copies import CopyTrigger, FeatureSnapshot, GeneratedCopy
from contracts.events import BehaviourEvent, EventAdmission, event_to_json
from contracts.outcomes import CopyOutcomeRecord, OutcomeKind
from contracts.settings import KafkaSettings, OutcomeSettings
from contracts.vocabulary import Angle, Channel, Locale
from streams.messages import RawMessage
from streams.outcomes.join import OutcomeJoiner
from streams.outcomes.state import CopyOutcomeState, DictOutcomeStates, state_key
from tests.events_factory import make_event

# The harness feeds events ahead of the joiner's clock (`feed(now=0)`), so the door's future
# tolerance is a day here; the door's own rules are tested in tests/unit/contracts.
ADMISSION = EventAdmission(KafkaSettings().max_event_bytes, max_future_s=86_400)

T0 = datetime(2026, 11, 3, 10, 0, tzinfo=UTC)
WINDOW, GRACE, TTL = 600.0, 10.0, 3_600.0
COPIES = "outcomes-copies-by-user"
_offsets = itertools.count()


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def wall(seconds: float) -> float:
    """Wall-clock `now` values on the same time line as the events."""
    return at(seconds).timestamp()


def make_copy(copy_id: str, user: str, product: str, **fields: Any) -> GeneratedCopy:
    doc: dict[str, Any] = {
        "request_id": f"r-{copy_id}",
        "user_id": user,
        "product_id": product,
        "channel": Channel.WEB,
        "slot": "pdp-banner",
        "locale": Locale.EN,
        "propensity": 0.1,
        "copy_id": copy_id,
        "angle": Angle.QUALITY,
        "requested_angle": Angle.SOCIAL_PROOF,
        "policy_version": "uniform-v1",
        "model_version": "bootstrap-1",
        "text": f"Well made: {product}",
        "trigger": CopyTrigger.PRODUCT_VIEW,
        "features_snapshot_id": f"s-{copy_id}",
        "features": FeatureSnapshot(
            snapshot_id=f"s-{copy_id}",
            read_at=T0,
            user={"views_10m": 3, "top_categories": ["audio"]},
            product={"price": 19.5, "title_en": "Kettle"},
        ),
        "created_at": T0,
        "latency_ms": 12.0,
    }
    return GeneratedCopy(**{**doc, **fields})


def copy_message(copy: GeneratedCopy) -> RawMessage:
    return RawMessage(
        copy.user_id.encode(), copy.model_dump_json().encode(), COPIES, 0, next(_offsets)
    )


def event_message(event: BehaviourEvent) -> RawMessage:
    return RawMessage(
        event.user_id.encode(), event_to_json(event), "user-events", 0, next(_offsets)
    )


def impression(copy: GeneratedCopy, seconds: float, **fields: Any) -> BehaviourEvent:
    return make_event(
        "copy_impression",
        copy.user_id,
        at(seconds),
        copy_id=copy.copy_id,
        product_id=copy.product_id,
        **fields,
    )


def click(copy: GeneratedCopy, seconds: float, **fields: Any) -> BehaviourEvent:
    return make_event(
        "copy_click",
        copy.user_id,
        at(seconds),
        copy_id=copy.copy_id,
        product_id=copy.product_id,
        **fields,
    )


def shop(kind: str, user: str, product: str, seconds: float, **fields: Any) -> BehaviourEvent:
    return make_event(
        kind, user, at(seconds), product_id=product, category="home", price=19.5, **fields
    )


class Harness:
    def __init__(self, **settings: Any) -> None:
        self.cfg = OutcomeSettings(
            attribution_window_s=WINDOW, close_grace_s=GRACE, unshown_ttl_s=TTL, **settings
        )
        self.states = DictOutcomeStates()
        self.joiner = OutcomeJoiner(self.cfg, self.states, ADMISSION)

    def feed(self, *items: GeneratedCopy | BehaviourEvent, now: float = 0.0) -> dict[str, int]:
        messages = [
            copy_message(i) if isinstance(i, GeneratedCopy) else event_message(i) for i in items
        ]
        result = self.joiner.process(messages, COPIES, wall(now))
        return {f"{kind}:{outcome}": n for (kind, outcome), n in result.outcomes.items()}

    def close(self, now: float) -> dict[str, CopyOutcomeRecord]:
        due = self.joiner.due(wall(now))
        self.joiner.finish(due.records, wall(now))
        return {record.copy_id: record for _, record in due.records}


def counts(record: CopyOutcomeRecord) -> tuple[int, int, int, int]:
    return record.impressions, record.clicks, record.add_to_carts, record.purchases


def test_clicks_and_purchases_naming_a_copy_count_for_that_copy_only() -> None:
    h = Harness()
    kettle, mug = make_copy("c1", "u1", "p-kettle"), make_copy("c2", "u1", "p-mug")
    outcomes = h.feed(
        kettle,
        mug,
        impression(kettle, 1),
        impression(mug, 2),
        click(kettle, 5),
        shop("purchase", "u1", "p-kettle", 30, copy_id="c1"),
    )
    assert outcomes == {
        "copy:matched": 2,
        "impression:matched": 2,
        "click:matched": 1,
        "purchase:matched": 1,
    }
    records = h.close(WINDOW + GRACE + 2)
    assert counts(records["c1"]) == (1, 1, 0, 1)
    assert records["c1"].reward == 6.0
    assert counts(records["c2"]) == (1, 0, 0, 0)
    assert records["c2"].reward == 0.0


def test_purchase_naming_no_copy_goes_to_the_latest_shown_copy_of_that_product() -> None:
    h = Harness()
    older, newer = make_copy("c-old", "u1", "p1"), make_copy("c-new", "u1", "p1")
    unshown = make_copy("c-unshown", "u1", "p1")
    other_user = make_copy("c-u2", "u2", "p1")
    h.feed(older, newer, unshown, other_user, impression(older, 0), impression(other_user, 0))
    h.feed(impression(newer, 60))
    outcomes = h.feed(shop("purchase", "u1", "p1", 120), shop("add_to_cart", "u1", "p1", 100))
    assert outcomes == {"purchase:attributed": 1, "add_to_cart:attributed": 1}
    records = h.close(60 + WINDOW + GRACE)
    assert counts(records["c-new"]) == (1, 0, 1, 1)
    assert records["c-new"].reward == 5.0  # add_to_cart weighs 0 by default
    assert counts(records["c-old"]) == (1, 0, 0, 0)
    assert counts(records["c-u2"]) == (1, 0, 0, 0)
    assert "c-unshown" not in records


@pytest.mark.parametrize(
    ("user", "product", "seconds"),
    [
        ("u1", "p1", WINDOW + 1),  # after the window
        ("u1", "p1", -5),  # before the copy was shown
        ("u1", "p2", 30),  # another product
        ("u2", "p1", 30),  # another shopper
    ],
)
def test_purchase_outside_the_window_product_or_user_is_not_attributed(
    user: str, product: str, seconds: float
) -> None:
    h = Harness()
    copy = make_copy("c1", "u1", "p1")
    h.feed(copy, impression(copy, 0))
    assert h.feed(shop("purchase", user, product, seconds)) == {"purchase:unattributed": 1}
    assert counts(h.close(WINDOW + GRACE)["c1"]) == (1, 0, 0, 0)


def test_duplicate_events_count_once() -> None:
    h = Harness()
    copy = make_copy("c1", "u1", "p1")
    seen, clicked = impression(copy, 0, event_id="imp-1"), click(copy, 3, event_id="clk-1")
    bought = shop("purchase", "u1", "p1", 20, event_id="buy-1")
    h.feed(copy, seen, clicked, bought)
    outcomes = h.feed(copy, seen, clicked, bought, click(copy, 4, event_id="clk-2"))
    assert outcomes == {
        "copy:duplicate": 1,
        "impression:duplicate": 1,
        "click:duplicate": 1,
        "purchase:duplicate": 1,
        "click:matched": 1,
    }
    record = h.close(WINDOW + GRACE)["c1"]
    assert counts(record) == (1, 2, 0, 1)
    assert record.reward == 6.0  # two clicks earn the click weight once


def test_late_events_are_counted_late_and_never_reopen_a_written_record() -> None:
    h = Harness()
    copy = make_copy("c1", "u1", "p1")
    h.feed(copy, impression(copy, 0))
    assert h.feed(click(copy, WINDOW + 1)) == {"click:late": 1}  # after the window, event time
    assert counts(h.close(WINDOW + GRACE)["c1"]) == (1, 0, 0, 0)
    # in the window by event time, but arriving after the record was written
    late = h.feed(click(copy, 10), shop("purchase", "u1", "p1", 20), now=WINDOW + GRACE + 1)
    assert late == {"click:late": 1, "purchase:late": 1}
    assert h.close(WINDOW * 3) == {}  # the tombstone is forgotten, nothing written again
    assert h.states.data == {}


def test_reward_weighs_each_kind_that_happened_once() -> None:
    weights = {OutcomeKind.CLICK: 2.0, OutcomeKind.ADD_TO_CART: 0.5, OutcomeKind.PURCHASE: 10.0}
    h = Harness(reward_weights=weights)
    copy = make_copy("c1", "u1", "p1")
    h.feed(copy, impression(copy, 0), impression(copy, 1), click(copy, 2), click(copy, 3))
    h.feed(shop("add_to_cart", "u1", "p1", 4), shop("purchase", "u1", "p1", 5))
    record = h.close(WINDOW + GRACE)["c1"]
    assert counts(record) == (2, 2, 1, 1)
    assert record.reward == 12.5


def test_a_copy_never_shown_gets_no_record_and_is_dropped_after_its_ttl() -> None:
    h = Harness()
    copy = make_copy("c1", "u1", "p1")
    h.feed(copy, click(copy, 5), now=0)  # a click without an impression is no example either
    assert h.close(WINDOW + GRACE) == {}
    assert h.joiner.due(wall(TTL - 1)).dropped == {}
    assert h.joiner.due(wall(TTL)).dropped == {"unshown_expired": 1}
    assert h.states.data == {}


def test_events_arriving_before_their_copy_are_kept_for_it() -> None:
    h = Harness()
    copy = make_copy("c1", "u1", "p1")
    early = h.feed(impression(copy, 0), click(copy, 2), shop("purchase", "u1", "p1", 3))
    assert early == {"impression:buffered": 1, "click:matched": 1, "purchase:attributed": 1}
    h.feed(copy, now=5)
    assert counts(h.close(WINDOW + GRACE)["c1"]) == (1, 1, 0, 1)


def test_events_for_a_copy_that_never_arrives_are_dropped_with_a_reason() -> None:
    h = Harness()
    copy = make_copy("c1", "u1", "p1")
    h.feed(impression(copy, 0), now=0)
    assert h.close(WINDOW + GRACE) == {}  # waits for the copy up to the unshown TTL
    assert h.joiner.due(wall(TTL)).dropped == {"copy_missing": 1}


def test_the_window_closes_only_after_its_grace_by_wall_clock() -> None:
    h = Harness()
    copy = make_copy("c1", "u1", "p1")
    h.feed(copy, impression(copy, 0))
    assert h.close(WINDOW + GRACE - 0.5) == {}
    assert list(h.close(WINDOW + GRACE)) == ["c1"]


def test_a_worker_reading_a_backlog_closes_windows_only_once_caught_up() -> None:
    h = Harness()
    copy = make_copy("c1", "u1", "p1")
    h.feed(copy, impression(copy, 0), now=0)
    restart = 2 * WINDOW  # long after the window: the click below waited in the backlog
    h.joiner.reindex(h.states.stored_keys(), [0], wall(restart))
    assert h.close(restart + 1) == {}  # assigned a moment ago: the backlog comes first
    h.feed(click(copy, 5), now=restart + 2)
    assert h.close(restart + 3) == {}  # still reading old events
    assert counts(h.close(restart + 2 + GRACE)["c1"]) == (1, 1, 0, 0)


def test_a_busy_partition_closes_windows_by_its_stream_time() -> None:
    h = Harness()
    copy = make_copy("c1", "u1", "p1")
    h.feed(copy, impression(copy, 0), now=0)
    end = WINDOW + GRACE
    h.feed(shop("view", "u-other", "p9", end - 1), now=end - 1)
    assert h.close(end) == {}  # other shoppers' events are still before the deadline
    h.feed(shop("view", "u-other", "p9", end + 1), now=end + 1)
    assert list(h.close(end + 1)) == ["c1"]  # busy, but the stream is past the window


def test_the_record_carries_the_decision_the_copy_and_its_features() -> None:
    h = Harness()
    copy = make_copy("c1", "u1", "p1", channel=Channel.APP, locale=Locale.ZH_CN, propensity=0.25)
    h.feed(copy, impression(copy, 7), impression(copy, 3))  # out of order: the first one wins
    record = h.close(WINDOW + GRACE + 7)["c1"]
    assert (record.copy_id, record.request_id, record.user_id, record.product_id) == (
        "c1",
        "r-c1",
        "u1",
        "p1",
    )
    assert (record.channel, record.locale, record.slot) == (Channel.APP, Locale.ZH_CN, "pdp-banner")
    assert (record.angle, record.requested_angle, record.propensity) == (
        Angle.QUALITY,
        Angle.SOCIAL_PROOF,
        0.25,
    )
    assert (record.policy_version, record.model_version) == ("uniform-v1", "bootstrap-1")
    assert (record.text, record.trigger, record.fallback_used) == (
        "Well made: p1",
        "product_view",
        False,
    )
    assert record.user_features() == {"views_10m": 3, "top_categories": ["audio"]}
    assert record.product_features() == {"price": 19.5, "title_en": "Kettle"}
    assert (record.shown_at, record.closed_at) == (at(3), at(3 + WINDOW))
    assert record.created_at == T0 and record.date == "2026-11-03"


def test_a_restarted_joiner_with_the_changelog_state_counts_nothing_twice() -> None:
    h = Harness()
    copy = make_copy("c1", "u1", "p1")
    events = [impression(copy, 0), click(copy, 2), shop("purchase", "u1", "p1", 9)]
    h.feed(copy, *events)
    restored = DictOutcomeStates()  # what recovery rebuilds from the changelog
    for key, state in h.states.data.items():
        restored.put(key, CopyOutcomeState.from_bytes(state.to_bytes()))
    again = OutcomeJoiner(h.cfg, restored, ADMISSION)
    again.reindex(restored.stored_keys(), [0], wall(30))
    replay = [copy_message(copy), *(event_message(event) for event in events)]
    outcomes = again.process(replay, COPIES, wall(30))
    assert set(outcomes.outcomes) == {
        ("copy", "duplicate"),
        ("impression", "duplicate"),
        ("click", "duplicate"),
        ("purchase", "duplicate"),
    }
    due = again.due(wall(WINDOW + GRACE))
    assert [counts(record) for _, record in due.records] == [(1, 1, 0, 1)]


def test_invalid_messages_are_counted_not_raised() -> None:
    h = Harness()
    copy = make_copy("c1", "u1", "p1")
    good = impression(copy, 0)
    wrong_key = RawMessage(b"someone-else", event_to_json(good), "user-events", 0, 1)
    messages = [
        RawMessage(b"u1", b"not json", "user-events", 0, 0),
        wrong_key,
        RawMessage(b"u1", b'{"copy_id": 1}', COPIES, 0, 2),
        event_message(shop("view", "u1", "p1", 1)),
    ]
    result = h.joiner.process(messages, COPIES, wall(0))
    assert dict(result.outcomes) == {
        ("unparsed", "invalid"): 2,  # not JSON; on another user's key (the feature worker's door)
        ("copy", "invalid"): 1,
        ("view", "ignored"): 1,
    }
    assert h.states.data == {}


def test_state_round_trips_through_bytes() -> None:
    state = CopyOutcomeState("c1", "u1", "p1", 3, 12.5, '{"x": 1}', 10.0, {"click": 2}, ["e1"])
    assert CopyOutcomeState.from_bytes(state.to_bytes()) == state
    assert state_key("u1", "c1") == "u1/c1"
    assert json.loads(state.to_bytes())[0] == "c1"
