"""When the stream worker asks for copy: views, carts, explicit asks, limits and replays."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from contracts.copies import CopyTrigger
from contracts.events import event_to_json
from contracts.settings import DecisionSettings
from contracts.vocabulary import Channel
from streams.copy_decisions import CopyDecisionProcessor
from streams.copy_state import CopyDecisionState
from streams.messages import RawMessage
from streams.state_store import DictState
from tests.events_factory import make_event

T = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
PRODUCT = {"category": "toys", "price": 9.5}


class Feed:
    """Messages for one partition with increasing offsets."""

    def __init__(self) -> None:
        self.offset = 0

    def __call__(self, kind: str, seconds: float, user: str = "u1", **fields: object) -> RawMessage:
        event = make_event(kind, user, T + timedelta(seconds=seconds), **fields)
        self.offset += 1
        return RawMessage(
            key=user.encode(),
            value=event_to_json(event),
            topic="user-events",
            partition=2,
            offset=self.offset,
        )


def _processor(**cfg: object) -> tuple[CopyDecisionProcessor, DictState[CopyDecisionState]]:
    states: DictState[CopyDecisionState] = DictState()
    return CopyDecisionProcessor(DecisionSettings(**cfg), states), states


def test_a_product_view_on_web_asks_for_banner_copy_with_the_recent_search():
    processor, _ = _processor()
    feed = Feed()
    result = processor.process(
        [
            feed("search", 0, query="red kettle"),
            feed("view", 5, product_id="p1", **PRODUCT),
        ]
    )
    [ask] = result.asks
    assert (ask.user_id, ask.product_id, ask.channel, ask.trigger) == (
        "u1",
        "p1",
        Channel.WEB,
        CopyTrigger.PRODUCT_VIEW,
    )
    assert ask.search_query == "red kettle"
    assert ask.request_id.startswith("r-")


def test_views_on_channels_without_a_banner_ask_nothing():
    processor, _ = _processor()
    result = processor.process([Feed()("view", 0, product_id="p1", channel="push", **PRODUCT)])
    assert result.asks == []


def test_an_explicit_copy_request_keeps_its_channel_and_slot():
    processor, _ = _processor()
    result = processor.process(
        [Feed()("copy_request", 0, product_id="p9", channel="sms", slot="promo-1")]
    )
    [ask] = result.asks
    assert (ask.channel, ask.slot, ask.trigger) == (Channel.SMS, "promo-1", CopyTrigger.EXPLICIT)


def test_rate_limit_allows_k_requests_per_window_per_user():
    processor, _ = _processor(max_requests_per_user=2, rate_window_s=60)
    feed = Feed()
    views = [feed("view", s, product_id=f"p{s}", **PRODUCT) for s in (0, 10, 20)]
    views += [feed("view", 65, product_id="p65", **PRODUCT)]  # the first one has left the window
    views += [feed("view", 1, user="u2", product_id="p1", **PRODUCT)]  # another user
    result = processor.process(views)
    assert [(a.user_id, a.product_id) for a in result.asks] == [
        ("u1", "p0"),
        ("u1", "p10"),
        ("u1", "p65"),
        ("u2", "p1"),
    ]
    assert result.skipped["rate_limited"] == 1


def test_an_identical_ask_while_one_is_pending_is_dropped():
    processor, _ = _processor(
        deadline_ms={"product_view": 2_000, "explicit": 1, "cart_abandoned": 1}
    )
    feed = Feed()
    result = processor.process(
        [
            feed("view", 0.0, product_id="p1", **PRODUCT),
            feed("view", 1.0, product_id="p1", **PRODUCT),  # still pending: dropped
            feed("view", 2.5, product_id="p1", **PRODUCT),  # past the deadline: asks again
        ]
    )
    assert len(result.asks) == 2
    assert result.skipped["duplicate_pending"] == 1


def test_an_abandoned_cart_asks_once_for_push_copy_after_the_configured_time():
    processor, states = _processor(cart_abandon_after_s=1_800)
    feed = Feed()
    processor.process([feed("add_to_cart", 0, product_id="p1", channel="app", **PRODUCT)])
    start = T.timestamp()
    assert processor.due_carts(start + 1_799).asks == []
    [ask] = processor.due_carts(start + 1_800).asks
    assert (ask.product_id, ask.channel, ask.trigger) == (
        "p1",
        Channel.PUSH,
        CopyTrigger.CART_ABANDONED,
    )
    assert processor.due_carts(start + 4_000).asks == []  # fired once
    state = states.get("u1")
    assert state is not None and state.carts == {}


def test_a_bought_or_removed_cart_is_not_reminded_and_web_carts_get_email():
    processor, _ = _processor(cart_abandon_after_s=60)
    feed = Feed()
    processor.process(
        [
            feed("add_to_cart", 0, product_id="p1", **PRODUCT),
            feed("add_to_cart", 0, product_id="p2", **PRODUCT),
            feed("add_to_cart", 0, product_id="p3", **PRODUCT),
            feed("purchase", 10, product_id="p1", **PRODUCT),
            feed("remove_from_cart", 10, product_id="p2", **PRODUCT),
        ]
    )
    [ask] = processor.due_carts(T.timestamp() + 61).asks
    assert (ask.product_id, ask.channel) == ("p3", Channel.EMAIL)


def test_cart_index_is_rebuilt_from_the_table_after_a_restart():
    processor, states = _processor(cart_abandon_after_s=60)
    processor.process([Feed()("add_to_cart", 0, product_id="p1", **PRODUCT)])
    restarted = CopyDecisionProcessor(
        DecisionSettings(cart_abandon_after_s=60),
        _reloaded(states),
    )
    assert restarted.due_carts(T.timestamp() + 61).asks == []  # index empty until rebuilt
    restarted.index_carts(["u1"])
    assert [a.product_id for a in restarted.due_carts(T.timestamp() + 61).asks] == ["p1"]


def test_a_replayed_event_asks_again_with_the_same_id_but_a_duplicate_does_not():
    processor, states = _processor()
    view = Feed()("view", 0, product_id="p1", **PRODUCT)
    [first] = processor.process([view]).asks
    restarted = CopyDecisionProcessor(DecisionSettings(), _reloaded(states))
    replay = restarted.process([view])
    assert [a.request_id for a in replay.asks] == [first.request_id]
    moved = RawMessage(view.key, view.value, view.topic, view.partition, view.offset + 7)
    assert restarted.process([moved]).asks == []


def test_invalid_events_are_skipped_here_as_the_activity_agent_dead_letters_them():
    processor, _ = _processor()
    bad = RawMessage(b"u1", b"{not json", "user-events", 0, 1)
    wrong_key = Feed()("view", 0, product_id="p1", **PRODUCT)
    wrong_key = RawMessage(b"u2", wrong_key.value, "user-events", 0, 2)
    assert processor.process([bad, wrong_key]).asks == []


def test_state_round_trips_through_bytes():
    processor, states = _processor()
    feed = Feed()
    processor.process(
        [
            feed("search", 0, query="mug"),
            feed("add_to_cart", 1, product_id="p1", **PRODUCT),
            feed("view", 2, product_id="p2", **PRODUCT),
        ]
    )
    state = states.get("u1")
    assert state is not None
    again = CopyDecisionState.from_bytes(state.to_bytes())
    assert again == state


def _reloaded(states: DictState[CopyDecisionState]) -> DictState[CopyDecisionState]:
    """A fresh store holding what the changelog would replay."""
    fresh: DictState[CopyDecisionState] = DictState()
    for key, value in states.data.items():
        fresh.put(key, CopyDecisionState.from_bytes(value.to_bytes()), states.partitions[key])
    return fresh
