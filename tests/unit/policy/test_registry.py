from datetime import UTC, datetime
from pathlib import Path

import pytest

from contracts.errors import PolicyLoadError
from contracts.settings import PolicySettings, Settings
from policy.registry import (
    MANIFEST_FILE,
    MODEL_FILE,
    load_angle_policy,
    read_policy_folder,
    read_policy_manifest,
    write_policy_folder,
)
from policy.uniform import UNIFORM_VERSION, UniformAnglePolicy
from policy.vowpal import VowpalAnglePolicy
from releases.manifest import Component, ComponentRecord, ReleaseManifest
from releases.served import release_registry
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


def _publish_release(settings: Settings, policy: VowpalAnglePolicy, version: str) -> None:
    registry = release_registry(settings)
    with registry.staging() as staging:
        policy_version = write_policy_folder(
            staging / Component.ANGLE_POLICY.value, policy, trained_on=300
        )
        manifest = ReleaseManifest(
            version=version,
            created_at=NOW,
            components={
                Component.ANGLE_POLICY: ComponentRecord(version=policy_version, trained_in=version)
            },
        )
        registry.publish(staging, manifest, reason="test")


def test_nothing_published_means_the_uniform_cold_start(settings):
    policy = load_angle_policy(settings)
    assert isinstance(policy, UniformAnglePolicy)
    assert policy.version == UNIFORM_VERSION


def test_an_empty_pinned_policy_folder_is_still_a_cold_start(settings, tmp_path):
    pinned = settings.model_copy(
        update={"policy": POLICY.model_copy(update={"model_dir": tmp_path / "empty"})}
    )
    assert isinstance(load_angle_policy(pinned), UniformAnglePolicy)


def test_the_current_release_policy_loads_with_the_same_pmfs_and_version(settings, trained):
    _publish_release(settings, trained, "r1")
    loaded = load_angle_policy(settings)
    assert isinstance(loaded, VowpalAnglePolicy)
    assert loaded.version == trained.version
    for seed in range(10):
        assert loaded.pmf(realistic_context(seed)) == trained.pmf(realistic_context(seed))
    loaded.close()


def test_the_manifest_records_how_the_policy_was_made(tmp_path, trained):
    version = write_policy_folder(tmp_path / "p", trained, trained_on=300, notes={"n": 1}, now=NOW)
    manifest = read_policy_manifest(tmp_path / "p")
    assert manifest is not None
    assert manifest.version == version == trained.version
    assert manifest.settings == POLICY
    assert "--softmax --lambda 5.0" in manifest.vw_arguments
    assert (manifest.created_at, manifest.trained_on, manifest.notes) == (NOW, 300, {"n": 1})


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
    tmp_path, trained, damage, reason
):
    write_policy_folder(tmp_path / "p", trained, trained_on=300)
    damage(tmp_path / "p" / MODEL_FILE)
    with pytest.raises(PolicyLoadError, match="publish a policy again") as raised:
        read_policy_folder(tmp_path / "p")
    assert reason in str(raised.value)


def test_an_unreadable_manifest_raises_policy_load_error(tmp_path, trained):
    write_policy_folder(tmp_path / "p", trained, trained_on=300)
    (tmp_path / "p" / MANIFEST_FILE).write_text("{not json")
    with pytest.raises(PolicyLoadError, match="manifest"):
        read_policy_folder(tmp_path / "p")
