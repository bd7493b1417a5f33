from pathlib import Path

import pytest

from releases import registry as registry_module
from releases.manifest import Component
from releases.registry import RegistryError, ReleaseRegistry
from tests.unit.releases.factories import manifest, publish


@pytest.fixture
def registry(tmp_path: Path) -> ReleaseRegistry:
    return ReleaseRegistry(tmp_path / "registry", keep=3)


def test_an_empty_registry_has_no_current_release(registry):
    assert registry.current_version() is None
    assert registry.current() is None
    assert registry.history() == []


def test_publish_makes_the_release_current_with_its_files_and_lineage(registry):
    publish(registry, "r1")
    folder = publish(registry, "r2", minute=1)
    current = registry.current()
    assert current is not None and current.version == "r2"
    assert current.folder == folder
    assert current.manifest.parents == ("r1",)
    assert (current.path(Component.COPY_MODEL) / "weights.txt").read_text() == "r2"
    assert (registry.root / "current").is_symlink()
    assert not list(registry.root.glob(".staging-*"))
    assert not list(registry.root.glob(".link-*"))


def test_a_reader_holding_the_old_folder_still_reads_it_whole_after_a_swap(registry):
    old = publish(registry, "r1")
    publish(registry, "r2", minute=1)
    assert (old / Component.COPY_MODEL.value / "weights.txt").read_text() == "r1"


def test_rollback_restores_the_release_the_current_one_replaced(registry):
    publish(registry, "r1")
    publish(registry, "r2", minute=1)
    restored = registry.rollback(reason="r2 lost clicks")
    assert restored.version == "r1"
    assert registry.current_version() == "r1"
    last = registry.history()[-1]
    assert (last.action, last.version, last.previous, last.reason) == (
        "rollback",
        "r1",
        "r2",
        "r2 lost clicks",
    )
    assert registry.rollback(to="r2").version == "r2"


def test_rollback_without_a_predecessor_or_to_an_unknown_version_is_refused(registry):
    with pytest.raises(RegistryError, match="nothing is published"):
        registry.rollback()
    publish(registry, "r1")
    with pytest.raises(RegistryError, match="replaced no other release"):
        registry.rollback()
    with pytest.raises(RegistryError, match="not in"):
        registry.rollback(to="r9")
    assert registry.current_version() == "r1"


def test_publishing_a_version_twice_is_refused(registry):
    publish(registry, "r1")
    with pytest.raises(RegistryError, match="already exists"):
        publish(registry, "r1")


def test_a_failed_publish_leaves_the_current_release_in_place(registry, monkeypatch):
    publish(registry, "r1")

    def crash(path: Path) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(registry_module, "_fsync", crash)
    with pytest.raises(OSError, match="disk full"):
        publish(registry, "r2", minute=1)
    assert registry.current_version() == "r1"
    assert registry.version_names() == ["r1"]
    assert not list(registry.root.glob(".staging-*"))


def test_old_releases_are_pruned_but_never_the_rollback_target(registry):
    for minute in range(6):
        publish(registry, f"r{minute}", minute=minute)
    assert registry.version_names() == ["r3", "r4", "r5"]
    registry.rollback()  # back to r4
    publish(registry, "r6", minute=6)  # replaces r4: r4 must survive
    assert "r4" in registry.version_names()
    assert registry.rollback().version == "r4"


def test_a_damaged_manifest_is_a_clear_error(registry):
    folder = publish(registry, "r1")
    (folder / "release.json").write_text("{not json")
    with pytest.raises(RegistryError, match="roll back to another release"):
        registry.current()


def test_manifest_versions_must_be_path_safe():
    with pytest.raises(ValueError):
        manifest("../escape")
