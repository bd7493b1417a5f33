"""The decider swaps in a newly published angle policy without restarting; requests name the
policy that decided them, and a policy that fails to load leaves the old one deciding."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest
from prometheus_client import REGISTRY

from contracts.copies import CopyTrigger, FeatureSnapshot
from contracts.settings import PolicySettings, Settings
from contracts.vocabulary import Channel, Locale
from policy.context import DecisionContext
from policy.decision import ANGLES
from policy.registry import MODEL_FILE, load_angle_policy, write_policy_folder
from policy.requests import CopyAsk, CopyRequestBuilder
from policy.uniform import UNIFORM_VERSION, UniformAnglePolicy
from policy.vowpal import VowpalAnglePolicy
from releases.manifest import Component, ComponentRecord, ReleaseManifest
from releases.registry import ReleaseRegistry
from releases.served import release_registry
from streams.copy_agent import AnglePolicyReloader

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
ASK = CopyAsk(
    request_id="r-reload",
    user_id="u1",
    product_id="p1",
    channel=Channel.WEB,
    locale=Locale.EN,
    slot="pdp-banner",
    trigger=CopyTrigger.PRODUCT_VIEW,
)
SNAPSHOT = FeatureSnapshot(snapshot_id="s-reload", read_at=NOW)
CONTEXT = DecisionContext(
    user_id=ASK.user_id,
    product_id=ASK.product_id,
    channel=ASK.channel,
    locale=ASK.locale,
    trigger=ASK.trigger,
)


def _publish(
    registry: ReleaseRegistry, version: str, epsilon: float, *, corrupt: bool = False
) -> str:
    """A release whose angle policy explores with `epsilon`; returns the policy version."""
    with registry.staging() as staging:
        folder = staging / Component.ANGLE_POLICY.value
        with VowpalAnglePolicy(PolicySettings(epsilon=epsilon)) as policy:
            policy_version = write_policy_folder(folder, policy, trained_on=0)
        if corrupt:
            (folder / MODEL_FILE).write_bytes(b"not a vw model")
        record = ComponentRecord(version=policy_version, trained_in=version)
        manifest = ReleaseManifest(
            version=version, created_at=NOW, components={Component.ANGLE_POLICY: record}
        )
        registry.publish(staging, manifest, reason="test")
    return policy_version


def _reloads(result: str) -> float:
    labels = {"result": result}
    return REGISTRY.get_sample_value("copystream_policy_reloads_total", labels) or 0.0


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(home=tmp_path)


def _reloader(settings: Settings) -> tuple[AnglePolicyReloader, CopyRequestBuilder]:
    builder = CopyRequestBuilder(settings.decisions, UniformAnglePolicy())
    registry = release_registry(settings)
    reloader = AnglePolicyReloader(settings, builder, registry, load_angle_policy, seen=None)
    return reloader, builder


def test_a_published_policy_decides_the_next_request_with_its_exact_propensity(settings):
    reloader, builder = _reloader(settings)
    assert builder.build(ASK, SNAPSHOT, NOW).policy_version == UNIFORM_VERSION
    swapped = _reloads("swapped")

    version = _publish(release_registry(settings), "r1", epsilon=0.3)
    assert asyncio.run(reloader.check())

    request = builder.build(ASK, SNAPSHOT, NOW)
    assert request.policy_version == version
    pmf = builder.policy.pmf(CONTEXT)
    assert request.propensity == pytest.approx(pmf[ANGLES.index(request.angle)])
    assert request.angle_pmf == pmf  # the whole distribution: per-copy evaluation needs it
    assert _reloads("swapped") == swapped + 1
    assert not asyncio.run(reloader.check())  # nothing new


def test_a_policy_that_fails_to_load_leaves_the_old_one_deciding(settings):
    reloader, builder = _reloader(settings)
    registry = release_registry(settings)
    good = _publish(registry, "r1", epsilon=0.3)
    assert asyncio.run(reloader.check())
    deciding = builder.policy
    failed = _reloads("failed")

    _publish(registry, "r2", epsilon=0.2, corrupt=True)
    assert not asyncio.run(reloader.check())
    assert builder.policy is deciding
    assert builder.build(ASK, SNAPSHOT, NOW).policy_version == good
    assert _reloads("failed") == failed + 1
    assert not asyncio.run(reloader.check())  # the same broken version is not retried
    assert _reloads("failed") == failed + 1

    newer = _publish(registry, "r3", epsilon=0.2)
    assert asyncio.run(reloader.check())
    assert builder.build(ASK, SNAPSHOT, NOW).policy_version == newer
    assert deciding._closed  # the replaced VW workspace is freed


def test_a_release_with_the_same_policy_keeps_the_loaded_one(settings):
    reloader, builder = _reloader(settings)
    registry = release_registry(settings)
    _publish(registry, "r1", epsilon=0.3)
    assert asyncio.run(reloader.check())
    deciding = builder.policy
    _publish(registry, "r2", epsilon=0.3)  # e.g. only the copy model changed
    assert not asyncio.run(reloader.check())
    assert builder.policy is deciding


def test_a_pinned_policy_folder_is_never_reloaded(settings, tmp_path):
    pinned = settings.model_copy(
        update={"policy": settings.policy.model_copy(update={"model_dir": tmp_path / "pin"})}
    )
    reloader, builder = _reloader(pinned)
    _publish(release_registry(pinned), "r1", epsilon=0.3)
    assert not asyncio.run(reloader.check())
    assert builder.policy.version == UNIFORM_VERSION
