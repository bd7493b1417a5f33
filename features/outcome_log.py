"""The outcome log: append-only Parquet files of `CopyOutcomeRecord`, partitioned by date.

Layout under the root (a local folder or any URI pyarrow opens, such as s3://bucket/outcomes):
`date=YYYY-MM-DD/part-<utc time>-<worker>-<seq>.parquet`, the date being that of `shown_at`
(UTC). Files are never rewritten; a local file appears under its final name only once complete
(temporary name, fsync, rename), an object-store file once its upload completes. The writer may
write a record twice (a crash between the write and the state that forgets the copy), so the
reader keeps the first record of each copy id and reports how many it dropped.
"""

from __future__ import annotations

import itertools
import os
import re
import socket
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import Enum
from pathlib import Path
from typing import Any, get_args, get_origin

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq
from pydantic import AwareDatetime, ValidationError

from contracts.errors import ConfigurationError
from contracts.outcomes import CopyOutcomeRecord

PARTITION_PREFIX = "date="
_ADDED_SINCE_V1 = frozenset({"angle_pmf"})
"""Columns files written before them lack; such a record reads with the field's default."""
_SAFE = re.compile(r"[^A-Za-z0-9_.-]+")


class OutcomeLogError(ConfigurationError):
    """Raised when the outcome log cannot be read as asked: a corrupt or foreign Parquet file,
    a record that breaks the contract, or a date partition missing from the requested range."""


def _arrow_type(annotation: Any) -> pa.DataType:
    if annotation is AwareDatetime or (
        isinstance(annotation, type) and issubclass(annotation, datetime)
    ):
        return pa.timestamp("us", tz="UTC")
    if isinstance(annotation, type) and issubclass(annotation, Enum | str):
        return pa.string()
    if annotation is bool:
        return pa.bool_()
    if annotation is int:
        return pa.int64()
    if annotation is float:
        return pa.float64()
    if get_origin(annotation) is tuple:  # tuple[float, ...] (angle_pmf), possibly constrained
        (item, _) = get_args(annotation)
        return pa.list_(_arrow_type(get_args(item)[0] if get_args(item) else item))
    raise TypeError(f"no Parquet type for outcome field annotation {annotation!r}")


def outcome_schema() -> pa.Schema:
    """The fixed Parquet schema, one non-null column per `CopyOutcomeRecord` field, in order."""
    return pa.schema(
        [
            pa.field(name, _arrow_type(field.annotation), nullable=False)
            for name, field in CopyOutcomeRecord.model_fields.items()
        ]
    )


def _open(uri: str) -> tuple[pafs.FileSystem, str]:
    """A filesystem and the root path inside it; plain paths are local folders."""
    if "://" not in uri:
        return pafs.LocalFileSystem(), str(Path(uri).expanduser().resolve())
    return pafs.FileSystem.from_uri(uri)


def _to_table(records: list[CopyOutcomeRecord], schema: pa.Schema) -> pa.Table:
    rows = [record.model_dump(mode="python") for record in records]
    columns = {name: [_plain(row[name]) for row in rows] for name in CopyOutcomeRecord.model_fields}
    return pa.table(columns, schema=schema)


def _plain(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return value


class OutcomeLogWriter:
    """Appends records to the log, one new file per date partition and call."""

    def __init__(self, uri: str, worker: str | None = None, max_records_per_file: int = 5_000):
        self.uri = uri
        self._fs, self._root = _open(uri)
        self._local = isinstance(self._fs, pafs.LocalFileSystem)
        name = worker or f"{socket.gethostname()}-{os.getpid()}"
        self._worker = _SAFE.sub("_", name)[:64] or "worker"
        self._max_records = max_records_per_file
        self._seq = itertools.count()
        self._schema = outcome_schema()

    def write(self, records: list[CopyOutcomeRecord]) -> list[str]:
        """Write `records` durably; returns the paths of the files written (none for no records).

        Raises whatever the filesystem raises: the caller keeps its state and retries later.
        """
        by_date: dict[str, list[CopyOutcomeRecord]] = {}
        for record in records:
            by_date.setdefault(record.date, []).append(record)
        written = []
        for day, rows in sorted(by_date.items()):
            for start in range(0, len(rows), self._max_records):
                written.append(self._write_file(day, rows[start : start + self._max_records]))
        return written

    def _write_file(self, day: str, records: list[CopyOutcomeRecord]) -> str:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        name = f"part-{stamp}-{self._worker}-{next(self._seq):06d}.parquet"
        folder = f"{self._root}/{PARTITION_PREFIX}{day}"
        path = f"{folder}/{name}"
        table = _to_table(records, self._schema)
        if not self._local:  # an object appears whole once its upload completes
            self._fs.create_dir(folder, recursive=True)
            pq.write_table(table, path, filesystem=self._fs)
            return path
        Path(folder).mkdir(parents=True, exist_ok=True)
        temporary = f"{folder}/.{name}.tmp"  # readers skip names starting with "."
        with open(temporary, "wb") as sink:
            pq.write_table(table, sink)
            sink.flush()
            os.fsync(sink.fileno())
        os.replace(temporary, path)
        descriptor = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(descriptor)  # the rename itself survives a power cut
        finally:
            os.close(descriptor)
        return path


@dataclass(frozen=True)
class OutcomeBatch:
    """What one read returned: records in write order (first of each copy id), the date
    partitions read and those missing (ISO dates), the files read, and duplicates dropped."""

    records: list[CopyOutcomeRecord]
    partitions: tuple[str, ...]
    missing: tuple[str, ...]
    files: tuple[str, ...]
    duplicates_dropped: int


class OutcomeLogReader:
    """Reads date ranges of the log back into validated records; never skips a file silently."""

    def __init__(self, uri: str) -> None:
        self.uri = uri
        self._fs, self._root = _open(uri)
        self._schema = outcome_schema()

    def read(self, start: date, end: date, *, allow_missing: bool = False) -> OutcomeBatch:
        """Records shown from `start` to `end` (UTC dates, both included).

        A date in the range without a partition raises `OutcomeLogError` unless `allow_missing`,
        in which case it is listed in `missing`. An empty or absent log is thus an error by
        default and an empty batch (every date missing) with `allow_missing=True`. A corrupt
        file, or a row that breaks the record contract, always raises, naming the file.
        """
        if end < start:
            raise ValueError(f"end {end} is before start {start}")
        days = [(start + timedelta(days=n)).isoformat() for n in range((end - start).days + 1)]
        present = self._partitions()
        missing = tuple(day for day in days if day not in present)
        if missing and not allow_missing:
            raise OutcomeLogError(
                f"outcome log {self.uri} has no partition for {', '.join(missing)} "
                f"(range {start}..{end}); restore the missing date=... folders, narrow the "
                "range, or read with allow_missing=True to train without those days"
            )
        records: list[CopyOutcomeRecord] = []
        files: list[str] = []
        seen: set[str] = set()
        duplicates = 0
        read = tuple(day for day in days if day in present)
        for day in read:
            for path in self._files(day):
                files.append(path)
                for record in self._read_file(path):
                    if record.copy_id in seen:
                        duplicates += 1
                        continue
                    seen.add(record.copy_id)
                    records.append(record)
        return OutcomeBatch(records, read, missing, tuple(files), duplicates)

    def _partitions(self) -> set[str]:
        selector = pafs.FileSelector(self._root, allow_not_found=True)
        return {
            info.base_name.removeprefix(PARTITION_PREFIX)
            for info in self._fs.get_file_info(selector)
            if info.type == pafs.FileType.Directory and info.base_name.startswith(PARTITION_PREFIX)
        }

    def _files(self, day: str) -> list[str]:
        """Complete files of one partition in write order (names start with a UTC time)."""
        selector = pafs.FileSelector(f"{self._root}/{PARTITION_PREFIX}{day}")
        infos = self._fs.get_file_info(selector)
        return sorted(
            info.path
            for info in infos
            if info.type == pafs.FileType.File
            and info.base_name.endswith(".parquet")
            and not info.base_name.startswith((".", "_"))
        )

    def _read_file(self, path: str) -> list[CopyOutcomeRecord]:
        try:
            table = pq.read_table(path, filesystem=self._fs)
        except (pa.ArrowException, OSError) as exc:
            raise OutcomeLogError(
                f"outcome log file {path} is not readable Parquet ({exc}); restore it from "
                "a backup, or move it out of the log folder to read without its records"
            ) from exc
        absent = [name for name in self._schema.names if name not in table.column_names]
        if required := [name for name in absent if name not in _ADDED_SINCE_V1]:
            raise OutcomeLogError(
                f"outcome log file {path} lacks columns {required}; it was not written by "
                "OutcomeLogWriter for this schema version: move it out of the log"
            )
        rows = table.select([n for n in self._schema.names if n not in absent]).to_pylist()
        records = []
        for index, row in enumerate(rows):
            try:
                records.append(CopyOutcomeRecord.model_validate(row))
            except ValidationError as exc:
                raise OutcomeLogError(
                    f"outcome log file {path}, row {index}: {_first_error(exc)}; the file "
                    "does not hold valid outcome records: move it out of the log"
                ) from exc
        return records


def _first_error(exc: ValidationError) -> str:
    err = exc.errors(include_url=False)[0]
    return f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}"


__all__ = [
    "OutcomeBatch",
    "OutcomeLogError",
    "OutcomeLogReader",
    "OutcomeLogWriter",
    "outcome_schema",
]
