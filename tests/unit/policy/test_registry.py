import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from contracts.errors import PolicyLoadError
from contracts.settings import PolicySettings, Settings
from policy import registry as registry_module
from policy.registry import (
    KEEP_PUBLISHED,
    MANIFEST_FILE,
    MODEL_FILE,
    PolicyManifest,
    PolicyRegistry,
    load_angle_policy,
)
from policy.uniform import UNIFORM_VERSION, UniformAnglePolicy
from policy.vowpal import VowpalAnglePolicy
from tests.unit.policy.synthetic import realistic_context, uniform_logs

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
POLICY = PolicySettings(exploration="softmax", softmax_lambda=5.0, seed=3)


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path, policy=POLICY)


@pytest.fixture(scope="module")
def trained():
    with VowpalAnglePolicy(POLICY) as policy:
        policy.learn(uniform_logs(300, seed=1))
        yield policy


def _retrained(seed: int) -> VowpalAnglePolicy:
    policy = VowpalAnglePolicy(POLICY)
    policy.learn(uniform_logs(50, seed=seed))
    return policy


def test_nothing_published_means_the_uniform_cold_start(settings):
    policy = load_angle_policy(settings)
    assert isinstance(policy, UniformAnglePolicy)
    assert policy.version == UNIFORM_VERSION
    assert PolicyRegistry(settings).current_version() is None


def test_an_empty_policy_folder_is_still_a_cold_start(settings):
    settings.policy_dir.mkdir(parents=True)
    assert isinstance(load_angle_policy(settings), UniformAnglePolicy)


def test_publish_then_load_gives_the_same_pmfs_and_version(settings, trained):
    registry = PolicyRegistry(settings)
    version = registry.publish(trained, trained_on=300, notes={"reward": 0.12}, now=NOW)
    assert version == trained.version
    assert version.startswith("vw-")
    assert registry.current_version() == version
    loaded = load_angle_policy(settings)
    assert isinstance(loaded, VowpalAnglePolicy)
    assert loaded.version == version
    for seed in range(10):
        assert loaded.pmf(realistic_context(seed)) == trained.pmf(realistic_context(seed))
    loaded.close()


def test_the_manifest_records_how_the_policy_was_made(settings, trained):
    version = PolicyRegistry(settings).publish(trained, trained_on=300, notes={"n": 1}, now=NOW)
    manifest = PolicyManifest.model_validate_json((settings.policy_dir / MANIFEST_FILE).read_text())
    assert manifest.version == version
    assert manifest.settings == POLICY
    assert "--softmax --lambda 5.0" in manifest.vw_arguments
    assert (manifest.created_at, manifest.trained_on, manifest.notes) == (NOW, 300, {"n": 1})


def test_publishing_again_swaps_the_folder_and_leaves_the_old_one_whole(settings, trained):
    registry = PolicyRegistry(settings)
    first = registry.publish(trained, trained_on=300)
    first_folder = settings.policy_dir.resolve()
    with _retrained(seed=2) as newer:
        second = registry.publish(newer, trained_on=50)
    assert second != first
    assert registry.current_version() == second
    assert settings.policy_dir.is_symlink()
    assert settings.policy_dir.resolve() != first_folder
    # A reader that resolved the old folder before the swap still reads a complete policy.
    assert json.loads((first_folder / MANIFEST_FILE).read_text())["version"] == first
    with VowpalAnglePolicy.load(first_folder / MODEL_FILE, POLICY) as old:
        assert old.version == first
    assert not list(settings.policy_dir.parent.glob(".*"))  # no staging or link left behind


def test_a_failed_publish_leaves_the_current_policy_in_place(settings, trained, monkeypatch):
    registry = PolicyRegistry(settings)
    first = registry.publish(trained, trained_on=300)

    def crash(path: Path) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(registry_module, "_fsync", crash)
    with _retrained(seed=2) as newer, pytest.raises(OSError, match="disk full"):
        registry.publish(newer, trained_on=50)
    assert registry.current_version() == first
    assert load_angle_policy(settings).version == first
    assert not list(settings.policy_dir.parent.glob(".*"))


def test_only_the_newest_published_folders_are_kept(settings, trained):
    registry = PolicyRegistry(settings)
    for _ in range(KEEP_PUBLISHED + 2):
        registry.publish(trained, trained_on=300)
    folders = [p for p in settings.policy_dir.parent.iterdir() if not p.is_symlink()]
    assert len(folders) == KEEP_PUBLISHED
    assert settings.policy_dir.resolve() in folders


def test_a_hand_made_policy_folder_is_replaced_and_set_aside(settings, trained):
    settings.policy_dir.mkdir(parents=True)
    (settings.policy_dir / "README").write_text("copied by hand")
    version = PolicyRegistry(settings).publish(trained, trained_on=300)
    assert PolicyRegistry(settings).current_version() == version
    (aside,) = settings.policy_dir.parent.glob("current.replaced-*")
    assert (aside / "README").read_text() == "copied by hand"


@pytest.mark.parametrize(
    ("damage", "reason"),
    [
        (lambda model: model.unlink(), "No such file"),
        (lambda model: model.write_bytes(b"garbage"), "its bytes are vw-"),
        (lambda model: model.write_bytes(model.read_bytes()[:-1] + b"\x01"), "its bytes are"),
    ],
    ids=["missing", "garbage", "one-byte-changed"],
)
def test_a_damaged_model_next_to_its_manifest_raises_policy_load_error(
    settings, trained, damage, reason
):
    PolicyRegistry(settings).publish(trained, trained_on=300)
    damage(settings.policy_dir / MODEL_FILE)
    with pytest.raises(PolicyLoadError, match="publish a policy again") as raised:
        load_angle_policy(settings)
    assert reason in str(raised.value)


def test_an_unreadable_manifest_raises_policy_load_error(settings, trained):
    PolicyRegistry(settings).publish(trained, trained_on=300)
    (settings.policy_dir / MANIFEST_FILE).write_text("{not json")
    with pytest.raises(PolicyLoadError, match="manifest"):
        PolicyRegistry(settings).current_version()
