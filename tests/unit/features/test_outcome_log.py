"""The outcome log's Parquet files: round trip, dedupe, and loud errors for bad or missing data."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from contracts.outcomes import CopyOutcomeRecord
from contracts.vocabulary import Angle, Channel, Locale
from features.outcome_log import (
    OutcomeLogError,
    OutcomeLogReader,
    OutcomeLogWriter,
    outcome_schema,
)

DAY1, DAY2, DAY3 = date(2026, 11, 3), date(2026, 11, 4), date(2026, 11, 5)


def record(copy_id: str, day: date, **fields: Any) -> CopyOutcomeRecord:
    shown = datetime(day.year, day.month, day.day, 9, 30, tzinfo=UTC)
    doc: dict[str, Any] = {
        "copy_id": copy_id,
        "request_id": f"r-{copy_id}",
        "user_id": "u1",
        "product_id": "p1",
        "channel": Channel.PUSH,
        "slot": "cart",
        "locale": Locale.ZH_CN,
        "trigger": "cart_abandoned",
        "angle": Angle.GIFT,
        "requested_angle": Angle.NEW_ARRIVAL,
        "propensity": 0.1,
        "policy_version": "uniform-v1",
        "model_version": "m-2",
        "text": "送礼好物 保温杯",
        "fallback_used": True,
        "features_snapshot_id": f"s-{copy_id}",
        "user_features_json": '{"views_10m": 2}',
        "product_features_json": '{"price": 9.5}',
        "created_at": shown - timedelta(seconds=2),
        "shown_at": shown,
        "closed_at": shown + timedelta(minutes=30),
        "impressions": 2,
        "clicks": 1,
        "add_to_carts": 0,
        "purchases": 1,
        "reward": 6.0,
    }
    return CopyOutcomeRecord(**{**doc, **fields})


# new_arrival (sixth in `Angle` order) was drawn with its propensity 0.1
PMF = (0.5, 0.05, 0.05, 0.1, 0.05, 0.1, 0.05, 0.05, 0.025, 0.025)


def test_records_round_trip_through_date_partitions(tmp_path: Path) -> None:
    written = [
        record("c1", DAY1, angle_pmf=PMF),
        record("c2", DAY2, reward=0.0, clicks=0),
        record("c3", DAY1),
    ]
    paths = OutcomeLogWriter(str(tmp_path), worker="w/1").write(written)
    assert len(paths) == 2
    assert sorted(p.split("/")[-2] for p in paths) == ["date=2026-11-03", "date=2026-11-04"]
    assert all(Path(p).name.startswith("part-") and "-w_1-" in p for p in paths)
    batch = OutcomeLogReader(str(tmp_path)).read(DAY1, DAY2)
    assert batch.records == [written[0], written[2], written[1]]  # by date, then write order
    assert batch.partitions == ("2026-11-03", "2026-11-04")
    assert (batch.missing, batch.duplicates_dropped) == ((), 0)
    assert pq.read_schema(paths[0]).remove_metadata() == outcome_schema()


def test_the_schema_has_one_column_per_record_field() -> None:
    schema = outcome_schema()
    assert schema.names == list(CopyOutcomeRecord.model_fields)
    assert schema.field("shown_at").type == pa.timestamp("us", tz="UTC")
    assert schema.field("reward").type == pa.float64()
    assert schema.field("angle").type == pa.string()
    assert schema.field("angle_pmf").type == pa.list_(pa.float64())


def test_a_file_written_before_angle_pmf_existed_reads_with_no_distribution(
    tmp_path: Path,
) -> None:
    path = OutcomeLogWriter(str(tmp_path)).write([record("c1", DAY1, angle_pmf=PMF)])[0]
    pq.write_table(pq.read_table(path).drop_columns(["angle_pmf"]), path)  # a v1 file
    (read,) = OutcomeLogReader(str(tmp_path)).read(DAY1, DAY1).records
    assert read == record("c1", DAY1)
    assert read.angle_pmf == ()


def test_a_record_written_twice_is_read_once_keeping_the_first(tmp_path: Path) -> None:
    writer = OutcomeLogWriter(str(tmp_path))
    writer.write([record("c1", DAY1), record("c2", DAY1)])
    writer.write([record("c1", DAY1, reward=99.0)])  # a re-emission after a crash
    batch = OutcomeLogReader(str(tmp_path)).read(DAY1, DAY1)
    assert [(r.copy_id, r.reward) for r in batch.records] == [("c1", 6.0), ("c2", 6.0)]
    assert batch.duplicates_dropped == 1 and len(batch.files) == 2


def test_a_corrupt_file_raises_naming_the_file(tmp_path: Path) -> None:
    OutcomeLogWriter(str(tmp_path)).write([record("c1", DAY1)])
    corrupt = tmp_path / "date=2026-11-03" / "part-20261103T000000000000Z-x-000000.parquet"
    corrupt.write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(OutcomeLogError, match="not readable Parquet") as caught:
        OutcomeLogReader(str(tmp_path)).read(DAY1, DAY1, allow_missing=True)
    assert str(corrupt) in str(caught.value)
    assert "move it out of the log folder" in str(caught.value)


def test_a_foreign_parquet_file_raises_naming_the_file_and_the_columns(tmp_path: Path) -> None:
    folder = tmp_path / "date=2026-11-03"
    folder.mkdir()
    pq.write_table(pa.table({"copy_id": ["c1"]}), folder / "part-foreign.parquet")
    with pytest.raises(OutcomeLogError, match=r"part-foreign\.parquet lacks columns"):
        OutcomeLogReader(str(tmp_path)).read(DAY1, DAY1)


def test_a_row_breaking_the_contract_raises_naming_file_and_row(tmp_path: Path) -> None:
    path = OutcomeLogWriter(str(tmp_path)).write([record("c1", DAY1), record("c2", DAY1)])[0]
    table = pq.read_table(path)
    index = table.schema.get_field_index("propensity")
    broken = table.set_column(index, "propensity", pa.array([0.1, 0.0]))
    pq.write_table(broken, path)
    with pytest.raises(OutcomeLogError, match=r"row 1: propensity") as caught:
        OutcomeLogReader(str(tmp_path)).read(DAY1, DAY1)
    assert path in str(caught.value)


def test_a_missing_partition_raises_unless_allowed_and_is_then_reported(tmp_path: Path) -> None:
    OutcomeLogWriter(str(tmp_path)).write([record("c1", DAY1), record("c3", DAY3)])
    reader = OutcomeLogReader(str(tmp_path))
    with pytest.raises(OutcomeLogError, match="no partition for 2026-11-04") as caught:
        reader.read(DAY1, DAY3)
    assert "allow_missing=True" in str(caught.value)
    batch = reader.read(DAY1, DAY3, allow_missing=True)
    assert [r.copy_id for r in batch.records] == ["c1", "c3"]
    assert batch.partitions == ("2026-11-03", "2026-11-05")
    assert batch.missing == ("2026-11-04",)


def test_an_absent_log_raises_or_reads_as_empty_with_every_day_missing(tmp_path: Path) -> None:
    reader = OutcomeLogReader(str(tmp_path / "never-written"))
    with pytest.raises(OutcomeLogError, match="never-written has no partition"):
        reader.read(DAY1, DAY2)
    batch = reader.read(DAY1, DAY2, allow_missing=True)
    assert (batch.records, batch.partitions) == ([], ())
    assert batch.missing == ("2026-11-03", "2026-11-04")


def test_unfinished_temporary_files_are_not_read(tmp_path: Path) -> None:
    OutcomeLogWriter(str(tmp_path)).write([record("c1", DAY1)])
    folder = tmp_path / "date=2026-11-03"
    (folder / ".part-crashed.parquet.tmp").write_bytes(b"half a file")
    assert [r.copy_id for r in OutcomeLogReader(str(tmp_path)).read(DAY1, DAY1).records] == ["c1"]


def test_large_writes_split_into_files_and_uris_work(tmp_path: Path) -> None:
    writer = OutcomeLogWriter(f"file://{tmp_path}", max_records_per_file=2)
    paths = writer.write([record(f"c{n}", DAY1) for n in range(5)])
    assert len(paths) == 3 and len(set(paths)) == 3
    batch = OutcomeLogReader(f"file://{tmp_path}").read(DAY1, DAY1)
    assert [r.copy_id for r in batch.records] == [f"c{n}" for n in range(5)]


def test_reading_a_reversed_range_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="before start"):
        OutcomeLogReader(str(tmp_path)).read(DAY2, DAY1)
