from contracts.activity import ProductActivityBatch
from contracts.settings import Settings
from streams.messages import RawMessage
from streams.product_popularity import ProductPopularityProcessor
from streams.state_store import DictState


def _message(value: bytes, offset: int) -> RawMessage:
    return RawMessage(key=b"0", value=value, topic="activity", partition=1, offset=offset)


def test_resent_activity_is_applied_once_rewrites_its_row_and_bad_messages_are_dead_lettered():
    states: DictState = DictState()
    processor = ProductPopularityProcessor(Settings(), states, worker="test")
    batch = ProductActivityBatch(source_partition=4, products={"p1": [(10, "views", 60.0)]})
    payload = batch.model_dump_json().encode()
    first = processor.process([_message(payload, 0), _message(b"[oops", 1)])
    resent = processor.process([_message(payload, 2)])
    assert first.rows["p1"]["views_24h"] == 1
    # A replay means the first write may never have landed: the row is written again, unchanged.
    assert resent.rows == first.rows and resent.outcomes["replayed"] == 1
    (letter,) = first.dead_letters
    assert (letter.error_type, letter.source_offset, letter.raw_value) == (
        "invalid_product_activity",
        1,
        b"[oops",
    )
    assert states.partitions == {"p1": 1}
