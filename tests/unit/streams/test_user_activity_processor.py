import json
from datetime import UTC, datetime

from contracts.events import event_to_json
from contracts.settings import Settings
from streams.messages import RawMessage
from streams.state_store import DictState
from streams.user_activity import UserActivityProcessor
from tests.events_factory import make_event

T = datetime(2026, 1, 1, tzinfo=UTC)


def _message(value: bytes, key: bytes | None = b"u1", offset: int = 0) -> RawMessage:
    return RawMessage(key=key, value=value, topic="user-events", partition=3, offset=offset)


def _processor(**kafka: int) -> tuple[UserActivityProcessor, DictState]:
    states: DictState = DictState()
    settings = Settings(kafka=kafka) if kafka else Settings()
    processor = UserActivityProcessor(
        settings, states, worker="test", route_product=lambda pid: len(pid) % 3
    )
    return processor, states


def _view(event_id: str = "e1") -> bytes:
    return event_to_json(
        make_event("view", "u1", T, event_id=event_id, product_id="p1", category="c", price=3)
    )


def test_each_kind_of_bad_message_becomes_a_dead_letter_with_its_reason():
    processor, states = _processor(max_event_bytes=1_000)
    missing = json.loads(_view())
    del missing["user_id"]
    result = processor.process(
        [
            _message(b"not json", offset=0),
            _message(b"", offset=1),
            _message(json.dumps(missing).encode(), offset=2),
            _message(_view() + b" " * 2_000, offset=3),
            _message(_view(), key=b"someone-else", offset=4),
            _message(_view(), offset=5),
        ]
    )
    kinds = [(d.source_offset, d.error_type) for d in result.dead_letters]
    assert kinds == [
        (0, "not_json"),
        (1, "empty"),
        (2, "missing_field"),
        (3, "oversized"),
        (4, "wrong_key"),
    ]
    assert "user_id" in result.dead_letters[2].reason
    assert result.dead_letters[0].raw_value == b"not json"
    assert result.rows["u1"]["views_24h"] == 1
    assert states.partitions == {"u1": 3}


def test_replayed_event_is_not_counted_but_its_product_activity_is_forwarded_again():
    processor, _ = _processor()
    first = processor.process([_message(_view(), offset=7)])
    again = processor.process([_message(_view(), offset=7)])
    assert first.rows["u1"]["views_24h"] == again.rows["u1"]["views_24h"] == 1
    assert again.outcomes["replay"] == 1 and not again.events
    assert again.product_activity == first.product_activity
    (batch,) = first.product_activity[len("p1") % 3]
    assert batch.source_partition == 3
    assert batch.products == {"p1": [(7, "views", T.timestamp())]}


def test_true_duplicate_is_dropped_without_forwarding():
    processor, _ = _processor()
    processor.process([_message(_view(), offset=7)])
    again = processor.process([_message(_view(), offset=8)])
    assert again.outcomes["duplicate"] == 1
    assert again.product_activity == {} and again.rows == {}
