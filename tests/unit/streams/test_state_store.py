"""The table bypass on a real Faust table (no broker): changes ship with their own partition
and JSON keys, deletes as tombstones, and Faust's recovery of those records rebuilds the
same state."""

from __future__ import annotations

import json
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import faust

from streams.outcomes.state import CopyOutcomeState, FaustOutcomeTable
from streams.state_store import Changes, FaustTableState


@dataclass
class Count:
    n: int

    def to_bytes(self) -> bytes:
        return str(self.n).encode()

    @classmethod
    def from_bytes(cls, raw: bytes) -> Count:
        return cls(int(raw))


def offline_table() -> Any:
    app = faust.App("state", broker="kafka://127.0.0.1:1", store="memory://")
    return app.Table("counts", partitions=4, key_type=str, value_type=bytes)


def recover(table: Any, changes: Changes) -> None:
    """What Faust's recovery does with the changelog records: decode the key with the
    changelog topic's serializer and apply the batch to the store."""
    topic = table.changelog_topic
    events = [
        SimpleNamespace(
            key=table.app.serializers.loads_key(
                topic.key_type, key, serializer=topic.key_serializer
            ),
            value=value,
            message=SimpleNamespace(partition=partition, value=value),
        )
        for partition, records in changes.items()
        for key, value in records
    ]
    table.apply_changelog_batch(events)


def test_changes_keep_the_latest_value_per_key_on_its_partition_with_json_keys() -> None:
    state = FaustTableState(offline_table(), Count.from_bytes)
    state.put("u/1", Count(1), partition=2)
    state.put("u/2", Count(5), partition=0)
    state.put("u/1", Count(3), partition=2)
    assert state.get("u/1") == Count(3)
    assert sorted(state.keys()) == ["u/1", "u/2"]
    assert state.take_changes() == {2: [(b'"u/1"', b"3")], 0: [(b'"u/2"', b"5")]}
    assert state.take_changes() == {}  # each change ships once


def test_a_delete_ships_a_tombstone_on_the_given_partition() -> None:
    state = FaustTableState(offline_table(), Count.from_bytes)
    state.put("u/1", Count(1), partition=1)
    state.take_changes()
    state.delete("u/1", partition=1)
    state.delete("never-stored", partition=3)
    assert state.get("u/1") is None
    assert state.keys() == []
    assert state.take_changes() == {
        1: [(json.dumps("u/1").encode(), None)],
        3: [(b'"never-stored"', None)],
    }


def test_recovered_records_rebuild_the_state_decoded_on_first_read() -> None:
    written = FaustTableState(offline_table(), Count.from_bytes)
    written.put("kept", Count(7), partition=0)
    written.put("gone", Count(1), partition=1)
    first = written.take_changes()
    written.delete("gone", partition=1)
    table = offline_table()
    recover(table, first)
    recover(table, written.take_changes())
    restored = FaustTableState(table, Count.from_bytes)
    assert restored.keys() == ["kept"]
    assert restored.get("kept") == Count(7)
    assert restored.get("gone") is None


def test_the_outcome_table_writes_each_copy_on_its_own_partition() -> None:
    states = FaustOutcomeTable(offline_table())
    copy = CopyOutcomeState("c1", "u1", "p1", partition=3, first_seen=10.0)
    states.put("u1/c1", copy)
    assert states.get("u1/c1") == copy
    assert states.stored_keys() == ["u1/c1"]
    assert states.take_changes() == {3: [(b'"u1/c1"', copy.to_bytes())]}
    states.delete("u1/c1", partition=3)
    assert states.take_changes() == {3: [(b'"u1/c1"', None)]}
    assert states.stored_keys() == []
