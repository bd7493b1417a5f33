"""Contract tests: the Faust internals `streams.faust_internals` reads exist and mean what it
assumes, on a real `faust.App` (no broker: consumers, producers and stores are built lazily
and connect only when started). A faust-streaming upgrade that moves one fails here, with the
attribute named, before a worker fails at run time."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any, cast, get_type_hints

import aiokafka
import faust
import pytest
from faust.exceptions import NotReady
from faust.transport.consumer import Consumer
from faust.types import TP

from contracts.errors import ConfigurationError
from streams.faust_internals import (
    CHECKED_FAUST_VERSION,
    FaustInternalsError,
    aiokafka_producer,
    committed_offset,
    consumer_flow_active,
    flow_control_active,
    recovery_completed,
    table_key_partitions,
    table_values,
)

UPGRADE_HINT = "update streams/faust_internals.py for the installed faust-streaming"


def offline_app() -> faust.App:
    return faust.App("contract", broker="kafka://127.0.0.1:1", store="memory://")


def offline_table(app: faust.App) -> Any:
    return app.Table("state", partitions=2, key_type=str, value_type=bytes)


def test_the_checked_version_is_the_pinned_one() -> None:
    installed = faust.__version__
    assert installed == CHECKED_FAUST_VERSION, (
        f"faust-streaming {installed} is installed, streams/faust_internals.py was checked "
        f"against {CHECKED_FAUST_VERSION}: re-check each helper against the new Faust source, "
        "then update CHECKED_FAUST_VERSION and constraints.txt"
    )


def test_committed_offset_is_none_for_a_partition_never_committed() -> None:
    app = offline_app()
    assert committed_offset(app, TP("events", 0)) is None
    assert committed_offset(app, TP("events", 0)) is None  # reading adds no entry


def test_faust_records_commits_and_seeks_in_the_committed_offset_map() -> None:
    """The stall guard trusts the map to follow commits and the seek after a rebalance."""
    for method in (Consumer._commit_offsets, Consumer.perform_seek):
        source = inspect.getsource(method)
        assert "self._committed_offset.update(" in source, (
            f"faust {method.__qualname__} no longer updates Consumer._committed_offset; "
            f"{UPGRADE_HINT} (committed_offset)"
        )


def test_consumer_flow_follows_stop_and_resume() -> None:
    app = offline_app()
    assert consumer_flow_active(app) is True
    app.consumer.stop_flow()
    assert consumer_flow_active(app) is False
    app.consumer.resume_flow()
    assert consumer_flow_active(app) is True


def test_recovery_is_incomplete_until_its_event_is_set() -> None:
    app = offline_app()
    completed = cast(Any, app.tables).recovery.completed
    assert isinstance(completed, asyncio.Event), (
        f"app.tables.recovery.completed is a {type(completed).__name__}, not an asyncio.Event; "
        f"{UPGRADE_HINT} (recovery_completed)"
    )
    assert recovery_completed(app) is False
    completed.set()
    assert recovery_completed(app) is True


def test_flow_control_is_inactive_until_faust_resumes_it() -> None:
    app = offline_app()
    assert flow_control_active(app) is False
    app.flow_control.resume()
    assert flow_control_active(app) is True
    app.flow_control.suspend()
    assert flow_control_active(app) is False


def test_the_producer_hands_out_its_aiokafka_producer_once_started() -> None:
    app = offline_app()
    with pytest.raises(NotReady):  # the method exists; it refuses before the producer started
        aiokafka_producer(app)
    ensure = cast(Any, type(app.producer))._ensure_producer
    returned = get_type_hints(ensure).get("return")
    assert returned is aiokafka.AIOKafkaProducer, (
        f"{type(app.producer).__qualname__}._ensure_producer returns {returned!r}, not "
        f"aiokafka.AIOKafkaProducer; {UPGRADE_HINT} (aiokafka_producer)"
    )
    for method in ("create_batch", "send_batch"):  # what RecordBatchSender calls on it
        assert callable(getattr(aiokafka.AIOKafkaProducer, method, None)), (
            f"aiokafka.AIOKafkaProducer has no {method}; update streams/record_batches.py"
        )


def test_table_values_are_the_tables_own_values() -> None:
    table = offline_table(offline_app())
    table_values(table)["u1"] = b"state"
    assert table.get("u1") == b"state"
    assert list(table) == ["u1"]
    del table_values(table)["u1"]
    assert "u1" not in table


def test_recovery_drops_keys_whose_pinned_partition_is_not_held() -> None:
    """Why the table bypass pins each key's partition: the memory store forgets by that map."""
    table = offline_table(offline_app())
    for key, partition in (("kept", 0), ("revoked", 1)):
        table_values(table)[key] = b"state"
        table_key_partitions(table)[key] = partition
    held = {TP(table.changelog_topic.get_topic_name(), 0)}
    asyncio.run(table.on_recovery_completed(held, set()))
    assert list(table) == ["kept"]
    assert dict(table_key_partitions(table)) == {"kept": 0}


class _NoStore:
    """A table whose store is not Faust's memory store (or a Faust that renamed its dicts)."""

    data = SimpleNamespace()


def _app_without(part: str) -> Any:
    """An app-shaped object whose consumer, producer and recovery lack every internal."""
    if part == "recovery":
        return SimpleNamespace(tables=SimpleNamespace())
    return SimpleNamespace(
        consumer=SimpleNamespace(),
        producer=SimpleNamespace(),
        tables=SimpleNamespace(recovery=SimpleNamespace()),
    )


NO_STORE: Any = _NoStore()
NO_TABLE_DATA: Any = SimpleNamespace()
TP0 = TP("t", 0)
MISSING: list[tuple[str, Callable[[], object], str]] = [
    ("committed_offset", lambda: committed_offset(_app_without(""), TP0), "_committed_offset"),
    ("consumer_flow_active", lambda: consumer_flow_active(_app_without("")), "flow_active"),
    ("recovery_completed", lambda: recovery_completed(_app_without("recovery")), "recovery"),
    ("recovery_event", lambda: recovery_completed(_app_without("")), "completed"),
    ("flow_control_active", lambda: flow_control_active(_app_without("")), "flow_control"),
    ("aiokafka_producer", lambda: aiokafka_producer(_app_without("")), "_ensure_producer"),
    ("table_store", lambda: table_values(NO_TABLE_DATA), "data"),
    ("table_values", lambda: table_values(NO_STORE), "data"),
    ("table_key_partitions", lambda: table_key_partitions(NO_STORE), "_key_partition"),
]


@pytest.mark.parametrize(("helper", "call", "attribute"), MISSING, ids=[m[0] for m in MISSING])
def test_a_missing_faust_attribute_raises_an_error_naming_it(
    helper: str, call: Callable[[], object], attribute: str
) -> None:
    with pytest.raises(FaustInternalsError) as raised:
        call()
    message = str(raised.value)
    assert raised.value.attribute == attribute
    assert f"has no attribute {attribute!r}" in message
    assert "types.SimpleNamespace" in message or "_NoStore" in message  # which object
    assert f"faust-streaming {CHECKED_FAUST_VERSION}" in message
    assert "upgraded" in message and "streams/faust_internals.py" in message
    assert isinstance(raised.value, ConfigurationError)
