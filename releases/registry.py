"""`ReleaseRegistry`: versioned release folders and one `current` pointer, swapped atomically.

Layout under `settings.registry_dir`:

    versions/<version>/        complete, never modified after publishing
    current -> versions/<v>    a relative symlink, replaced with one rename
    history.jsonl              every promotion and rollback, append-only

Publishing fills a hidden staging folder, fsyncs it, renames it into `versions/`, then swaps
the link, so a reader resolves the old release or the new one, never a half-written folder.
Readers resolve the link once and read everything from that folder. Old versions beyond
`keep` are pruned, never the current one or the one it replaced (the rollback target).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, ValidationError

from contracts.errors import ConfigurationError
from releases.manifest import RELEASE_FILE, Release, ReleaseManifest

CURRENT = "current"
VERSIONS = "versions"
HISTORY = "history.jsonl"


class RegistryError(ConfigurationError):
    """The registry cannot do what was asked; the message says what to do instead."""


class HistoryEntry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    at: AwareDatetime
    action: Literal["promote", "rollback"]
    version: str
    previous: str | None
    reason: str


class ReleaseRegistry:
    def __init__(self, root: Path, keep: int = 5) -> None:
        self.root = Path(root)
        self.keep = keep
        self._versions = self.root / VERSIONS
        self._current = self.root / CURRENT

    # -- reading -------------------------------------------------------------------------

    def current_version(self) -> str | None:
        """The current version from the link alone (cheap enough to poll every second)."""
        try:
            return Path(os.readlink(self._current)).name
        except (FileNotFoundError, NotADirectoryError):
            return None
        except OSError as error:
            raise RegistryError(f"{self._current} is not a release link ({error})") from error

    def current(self) -> Release | None:
        """The current release, or None before anything was published."""
        version = self.current_version()
        return None if version is None else self.get(version)

    def get(self, version: str) -> Release:
        folder = self._versions / version
        file = folder / RELEASE_FILE
        if not file.is_file():
            raise RegistryError(
                f"release {version!r} is not in {self._versions} (known: "
                f"{', '.join(self.version_names()) or 'none'})"
            )
        try:
            manifest = ReleaseManifest.model_validate_json(file.read_bytes())
        except (OSError, ValidationError) as error:
            raise RegistryError(
                f"the release manifest {file} cannot be read ({error}); roll back to another "
                "release with `python -m training rollback --to VERSION`"
            ) from error
        return Release(folder=folder.resolve(), manifest=manifest)

    def version_names(self) -> list[str]:
        if not self._versions.is_dir():
            return []
        return sorted(p.name for p in self._versions.iterdir() if (p / RELEASE_FILE).is_file())

    def releases(self) -> list[Release]:
        """Every release on disk, oldest first."""
        found = [self.get(name) for name in self.version_names()]
        return sorted(found, key=lambda release: release.manifest.created_at)

    def history(self) -> list[HistoryEntry]:
        file = self.root / HISTORY
        if not file.is_file():
            return []
        return [
            HistoryEntry.model_validate_json(line)
            for line in file.read_text().splitlines()
            if line.strip()
        ]

    # -- writing -------------------------------------------------------------------------

    @contextlib.contextmanager
    def staging(self) -> Iterator[Path]:
        """An empty folder to build a release in; removed unless it was published."""
        self.root.mkdir(parents=True, exist_ok=True)
        folder = self.root / f".staging-{secrets.token_hex(4)}"
        folder.mkdir()
        try:
            yield folder
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def publish(self, staging: Path, manifest: ReleaseManifest, *, reason: str) -> Release:
        """Write `manifest` into `staging`, move it into `versions/` and make it current."""
        with self._locked():
            target = self._versions / manifest.version
            if target.exists():
                raise RegistryError(f"release {manifest.version!r} already exists in {target}")
            (staging / RELEASE_FILE).write_text(manifest.model_dump_json(indent=2) + "\n")
            _fsync_tree(staging)
            self._versions.mkdir(parents=True, exist_ok=True)
            os.rename(staging, target)
            _fsync(self._versions)
            previous = self.current_version()
            self._point_at(manifest.version)
            self._record("promote", manifest.version, previous, reason)
            self._prune()
            return self.get(manifest.version)

    def rollback(self, to: str | None = None, *, reason: str = "rollback") -> Release:
        """Make `to` (default: the release the current one replaced) current again."""
        with self._locked():
            current = self.current_version()
            if current is None:
                raise RegistryError(f"nothing is published in {self.root}; nothing to roll back")
            target = to or self._replaced_by(current)
            if target is None:
                raise RegistryError(
                    f"release {current!r} replaced no other release; name one with --to "
                    f"(known: {', '.join(self.version_names())})"
                )
            release = self.get(target)
            self._point_at(target)
            self._record("rollback", target, current, reason)
            return release

    def _replaced_by(self, version: str) -> str | None:
        """The release that was current just before `version` last became current."""
        for entry in reversed(self.history()):
            if entry.version == version:
                return entry.previous
        return None

    def _point_at(self, version: str) -> None:
        link = self.root / f".link-{secrets.token_hex(4)}"
        os.symlink(f"{VERSIONS}/{version}", link)  # relative: the folder may be mounted elsewhere
        os.replace(link, self._current)
        _fsync(self.root)

    def _record(
        self,
        action: Literal["promote", "rollback"],
        version: str,
        previous: str | None,
        reason: str,
    ) -> None:
        entry = HistoryEntry(
            at=datetime.now(UTC),
            action=action,
            version=version,
            previous=previous,
            reason=reason,
        )
        with (self.root / HISTORY).open("a") as file:
            file.write(entry.model_dump_json() + "\n")
            file.flush()
            os.fsync(file.fileno())

    def _prune(self) -> None:
        """Keep the newest `keep` releases, the current one and the one it replaced."""
        current = self.current_version()
        protected = {current, self._replaced_by(current) if current else None}
        releases = self.releases()
        for release in releases[: max(len(releases) - self.keep, 0)]:
            if release.version not in protected:
                shutil.rmtree(release.folder, ignore_errors=True)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """One writer at a time (a periodic round and a manual rollback may overlap)."""
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / ".lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)


def _fsync_tree(folder: Path) -> None:
    for path in sorted(folder.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if path.is_file() and not path.is_symlink():
            _fsync(path)
    for path in sorted(folder.rglob("*"), key=lambda p: len(p.parts), reverse=True):
        if path.is_dir() and not path.is_symlink():
            _fsync(path)
    _fsync(folder)


def _fsync(path: Path) -> None:
    """Flush a file or folder to disk, so a crash cannot leave a published folder empty."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
