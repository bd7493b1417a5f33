"""The one place Copystream touches Faust's private or undocumented attributes.

The stream workers need a few things faust-streaming has no public API for: the offsets a
consumer committed, the aiokafka producer under Faust's producer (record batches), whether
table recovery is done, and the dicts of the in-memory table store (the table bypass of
`streams.state_store`). Each helper names the attribute it reads and was checked against
faust-streaming 0.15.3 (constraints.txt); `tests/unit/streams/test_faust_internals.py` runs
the same checks on a real `faust.App`, so an upgrade that moves one fails there first. At run
time a missing attribute raises `FaustInternalsError`, never a bare `AttributeError` deep in
an agent.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from typing import TYPE_CHECKING, Any

from contracts.errors import ConfigurationError

if TYPE_CHECKING:
    from aiokafka import AIOKafkaProducer
    from faust.types import TP, AppT, TableT

CHECKED_FAUST_VERSION = "0.15.3"
_MISSING = object()


class FaustInternalsError(ConfigurationError):
    """Raised when an object from Faust lacks a private attribute Copystream relies on: the
    installed faust-streaming is not the version `streams/faust_internals.py` was checked
    against (or a table does not use the memory store)."""

    def __init__(self, owner: object, attribute: str) -> None:
        kind = type(owner)
        self.owner = f"{kind.__module__}.{kind.__qualname__}"
        self.attribute = attribute
        super().__init__(
            f"{self.owner} has no attribute {attribute!r}, which Copystream reads as a Faust "
            f"internal; expected with faust-streaming {CHECKED_FAUST_VERSION}, got "
            f"faust-streaming {_installed_faust()}. Faust was upgraded (or the table is not "
            "on store='memory://'): update streams/faust_internals.py to the new Faust and "
            "run `pytest tests/unit/streams/test_faust_internals.py`."
        )


def committed_offset(app: AppT, tp: TP) -> int | None:
    """The offset the worker committed for `tp`, or found committed when it seeked; None when
    the group never committed it. Reads `app.consumer._committed_offset` (a defaultdict of
    TP -> offset; checked against faust-streaming 0.15.3)."""
    offsets: MutableMapping[Any, int | None] = _attribute(app.consumer, "_committed_offset")
    return offsets.get(tp)  # `get`, not `[]`: the defaultdict must not grow an entry


def consumer_flow_active(app: AppT) -> bool:
    """False while the consumer's flow is stopped (rebalancing, recovery). Reads
    `app.consumer.flow_active`, set by `stop_flow`/`resume_flow` and not part of `ConsumerT`
    (checked against faust-streaming 0.15.3)."""
    return bool(_attribute(app.consumer, "flow_active"))


def recovery_completed(app: AppT) -> bool:
    """True once table recovery finished and stream partitions were seeked; flow control alone
    resumes earlier. Reads `app.tables.recovery.completed` (an asyncio.Event; `recovery` is
    not part of `TableManagerT`; checked against faust-streaming 0.15.3)."""
    recovery = _attribute(app.tables, "recovery")
    return bool(_attribute(recovery, "completed").is_set())


def flow_control_active(app: AppT) -> bool:
    """False while Faust has suspended stream processing (rebalancing or recovering), so
    table state may be incomplete. Calls `app.flow_control.is_active()` (mode's
    FlowControlEvent; checked against faust-streaming 0.15.3 with mode-streaming 0.7.1)."""
    flow_control = _attribute(app, "flow_control")
    return bool(_attribute(flow_control, "is_active")())


def aiokafka_producer(app: AppT) -> AIOKafkaProducer:
    """The started aiokafka producer under Faust's producer, the one Faust flushes before every
    commit (record batches sent through it are durable before those offsets). Calls
    `app.producer._ensure_producer()`, which raises faust's `NotReady` before the producer
    started (checked against faust-streaming 0.15.3)."""
    producer: AIOKafkaProducer = _attribute(app.producer, "_ensure_producer")()
    return producer


def table_values(table: TableT) -> MutableMapping[Any, Any]:
    """The dict a memory-store table keeps its values in: writing it changes the table without
    sending a changelog message. Reads `table.data.data` (the table's store, not part of
    `TableT`, and `faust.stores.memory.Store.data`; checked against faust-streaming 0.15.3)."""
    values: MutableMapping[Any, Any] = _attribute(_attribute(table, "data"), "data")
    return values


def table_key_partitions(table: TableT) -> MutableMapping[Any, int]:
    """The changelog partition of each key of a memory-store table; after recovery Faust drops
    the keys of partitions no longer held, so a key written around `table[key]` must be
    recorded here too. Reads `table.data._key_partition` (`faust.stores.memory.Store`;
    checked against faust-streaming 0.15.3)."""
    partitions: MutableMapping[Any, int] = _attribute(_attribute(table, "data"), "_key_partition")
    return partitions


def _attribute(owner: object, name: str) -> Any:
    value = getattr(owner, name, _MISSING)
    if value is _MISSING:
        raise FaustInternalsError(owner, name)
    return value


def _installed_faust() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("faust-streaming")
    except PackageNotFoundError:
        return "(not installed)"
