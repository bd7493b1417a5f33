"""Releases made of small files, for registry tests that need no trained model."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from releases.manifest import Component, ComponentRecord, ReleaseManifest
from releases.registry import ReleaseRegistry

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def manifest(version: str, minute: int = 0, parents: tuple[str, ...] = ()) -> ReleaseManifest:
    return ReleaseManifest(
        version=version,
        created_at=T0 + timedelta(minutes=minute),
        parents=parents,
        components={
            Component.COPY_MODEL: ComponentRecord(version=f"lm-{version}", trained_in=version)
        },
    )


def publish(registry: ReleaseRegistry, version: str, minute: int = 0) -> Path:
    with registry.staging() as staging:
        (staging / Component.COPY_MODEL.value).mkdir()
        (staging / Component.COPY_MODEL.value / "weights.txt").write_text(version)
        parent = registry.current_version()
        release = registry.publish(
            staging,
            manifest(version, minute, (parent,) if parent else ()),
            reason=f"test publishes {version}",
        )
    return release.folder
