"""The service follows the registry: a new release is loaded off the loop and swapped in at a
batch boundary, unchanged parts are reused, and a release that fails to load changes nothing."""

from __future__ import annotations

import asyncio
import copy
import gc
import threading
import weakref
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from prometheus_client import REGISTRY

from contracts.copies import CopyRequest, GeneratedCopy
from contracts.errors import ConfigurationError
from contracts.settings import PolicySettings, ServiceSettings, Settings
from features.catalog.generator import CatalogGenerator
from policy.registry import write_policy_folder
from policy.uniform import UNIFORM_VERSION
from policy.vowpal import VowpalAnglePolicy
from releases.manifest import Component, ComponentRecord, ReleaseManifest
from releases.registry import ReleaseRegistry
from releases.served import ONNX_SUBDIR, release_registry
from serving.checks import CopyChecker, FallbackCopywriter
from serving.generator import CandidateScorer, CopyJob, GeneratedText
from serving.model.manifest import ModelManifest
from serving.reward import RewardModel, read_reward_manifest
from serving.service.copy_writer import CopyWriter
from serving.service.pipeline import CopyPipeline
from serving.service.release_watcher import ReleaseLoader, ReleaseWatcher, ServedRelease
from tests.unit.serving.service.conftest import RULES
from tests.unit.serving.service.factories import make_request

CATALOG = CatalogGenerator(7, 24).generate()
PRODUCT = CATALOG[0].product_id


class FakeModel:
    """Stands in for a loaded `CopyGenerator`: its ONNX session is `session`; `gate` holds a
    batch in `write` until the test lets it finish."""

    def __init__(self, folder: Path, scorer: CandidateScorer | None, gate: threading.Event | None):
        self.model_version = ModelManifest.read(folder).model_version
        self.session = object()
        self.scorer = scorer
        self.gate = gate
        self.writing = threading.Event()

    def with_scorer(self, scorer: CandidateScorer | None) -> FakeModel:
        twin = copy.copy(self)
        twin.scorer = scorer
        return twin

    def write(self, jobs: Sequence[CopyJob]) -> list[GeneratedText]:
        self.writing.set()
        if self.gate is not None:
            assert self.gate.wait(5), "the test never let the batch finish"
        reward = self.scorer.version if self.scorer is not None else None
        return [
            GeneratedText(
                f"{job.brief.facts.brand} copy",
                job.brief.written_angle.value,
                job.brief.angle.value,
                self.model_version,
                None,
                1,
                -1.0,
                reward_model_version=reward,
            )
            for job in jobs
        ]


class FakeScorer:
    def __init__(self, version: str) -> None:
        self.version = version
        self.closed = False

    def score(self, user, product, angle, channel, locale, texts) -> list[float]:
        return [0.5 for _ in texts]

    def close(self) -> None:
        self.closed = True


class Opener:
    """Records what the loader really loads (unless `keep` is off, so that nothing here holds
    a model alive); models named in `gates` block their batches."""

    def __init__(self, keep: bool = True) -> None:
        self.keep = keep
        self.models: list[FakeModel] = []
        self.scorers: list[FakeScorer] = []
        self.gates: dict[str, threading.Event] = {}

    def model(self, folder: Path, scorer: CandidateScorer | None) -> FakeModel:
        version = ModelManifest.read(folder).model_version
        model = FakeModel(folder, scorer, self.gates.get(version))
        if self.keep:
            self.models.append(model)
        return model

    def scorer(self, folder: Path) -> FakeScorer:
        scorer = FakeScorer(read_reward_manifest(folder).version)
        self.scorers.append(scorer)
        return scorer


def _model_folder(folder: Path, version: str) -> None:
    folder.mkdir(parents=True)
    ModelManifest(
        model_version=version,
        dtype="float32",
        num_layers=1,
        num_heads=1,
        head_dim=4,
        vocab_size=8,
        max_positions=16,
        parameters=1,
        pad_token_id=0,
        end_token_id=1,
        source="test",
    ).write(folder)
    (folder / "model.onnx").write_bytes(b"")
    (folder / "tokenizer.json").write_text("{}")


def _publish(
    registry: ReleaseRegistry,
    version: str,
    *,
    model: str | None,
    epsilon: float | None = None,
    reward_clicks: float | None = None,
) -> None:
    """A release with copy model `model` (None: a folder without a manifest, which cannot
    load), a VW policy exploring with `epsilon` and a reward model weighting clicks as given."""
    records: dict[Component, ComponentRecord] = {}
    with registry.staging() as staging:
        onnx = staging / Component.COPY_MODEL.value / ONNX_SUBDIR
        if model is None:
            onnx.mkdir(parents=True)
        else:
            _model_folder(onnx, model)
        records[Component.COPY_MODEL] = ComponentRecord(version=model or "x", trained_in=version)
        if epsilon is not None:
            with VowpalAnglePolicy(PolicySettings(epsilon=epsilon)) as policy:
                folder = staging / Component.ANGLE_POLICY.value
                made = write_policy_folder(folder, policy, trained_on=0)
            records[Component.ANGLE_POLICY] = ComponentRecord(version=made, trained_in=version)
        if reward_clicks is not None:
            settings = Settings(outcomes={"reward_weights": {"click": reward_clicks}})
            reward = RewardModel.fresh(settings)
            made = reward.save(staging / Component.REWARD_MODEL.value)
            reward.close()
            records[Component.REWARD_MODEL] = ComponentRecord(version=made, trained_in=version)
        manifest = ReleaseManifest(
            version=version, created_at=datetime.now(UTC), components=records
        )
        registry.publish(staging, manifest, reason="test")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    settings = Settings(home=tmp_path, service={"reload_check_interval_s": 0.05})
    _model_folder(settings.bootstrap_model_dir, "bootstrap-lm")
    return settings


@pytest.fixture(scope="module")
def fallback() -> FallbackCopywriter:
    return FallbackCopywriter(RULES, CopyChecker.from_rules(RULES, CATALOG))


def _watcher(settings: Settings, opener: Opener, fallback: FallbackCopywriter) -> ReleaseWatcher:
    def writer_for(served: ServedRelease) -> CopyWriter:
        return CopyWriter(
            served.generator, fallback, CATALOG, RULES, release_version=served.version
        )

    loader = ReleaseLoader(settings, opener.model, open_reward=opener.scorer)
    return ReleaseWatcher.start_serving(settings, release_registry(settings), loader, writer_for)


async def _no_batch_running() -> None:
    return None


def _check(watcher: ReleaseWatcher) -> bool:
    return asyncio.run(watcher.check(_no_batch_running))


def _fresh_request(request_id: str) -> CopyRequest:
    """Due in a minute, so the model (not the deadline template) writes it."""
    return make_request(request_id, PRODUCT, created_at=datetime.now(UTC)).model_copy(
        update={"deadline": datetime.now(UTC) + timedelta(minutes=1)}
    )


def _reloads(result: str) -> float:
    return REGISTRY.get_sample_value("copystream_reloads_total", {"result": result}) or 0.0


def test_without_a_release_the_bootstrap_model_and_uniform_policy_serve(settings, fallback):
    watcher = _watcher(settings, Opener(), fallback)
    assert watcher.served.describe() == {
        "release": None,
        "model_version": "bootstrap-lm",
        "policy_version": UNIFORM_VERSION,
        "reward_model_version": None,
    }
    assert not _check(watcher)  # nothing published: nothing to do
    info = {
        "release": "bootstrap",
        "model_version": "bootstrap-lm",
        "policy_version": UNIFORM_VERSION,
        "reward_model_version": "none",
    }
    assert REGISTRY.get_sample_value("copystream_release_info", info) == 1.0


def test_a_published_release_is_swapped_in_at_the_next_batch(settings, fallback):
    registry = release_registry(settings)
    _publish(registry, "r1", model="lm-1")
    opener = Opener()
    opener.gates["lm-1"] = gate = threading.Event()
    watcher = _watcher(settings, opener, fallback)
    swapped = _reloads("swapped")

    async def scenario() -> tuple[GeneratedCopy, GeneratedCopy, bool, bool]:
        service = ServiceSettings(max_wait_ms=0, max_batch_requests=1)
        pipeline = CopyPipeline(watcher.writer, service)
        batches = asyncio.create_task(pipeline.run())
        first = pipeline.offer(_fresh_request("r-before"), "kafka")
        await asyncio.to_thread(opener.models[0].writing.wait, 5)  # r1 is mid-batch
        _publish(registry, "r2", model="lm-2")
        check = asyncio.create_task(watcher.check(pipeline.batch_boundary))
        while watcher.served.version != "r2":
            await asyncio.sleep(0.005)
        second = pipeline.offer(_fresh_request("r-after"), "kafka")
        await asyncio.sleep(0.05)
        retired_early = check.done()  # old parts must outlive the batch that uses them
        gate.set()
        copies = await first, await second
        result = await check
        pipeline.close()
        await batches
        pipeline.shutdown()
        return copies[0], copies[1], retired_early, result

    before, after, retired_early, result = asyncio.run(scenario())
    assert result and not retired_early
    assert (before.release_version, before.model_version) == ("r1", "lm-1")
    assert (after.release_version, after.model_version) == ("r2", "lm-2")
    assert _reloads("swapped") == swapped + 1
    assert [model.model_version for model in opener.models] == ["lm-1", "lm-2"]


def test_a_release_that_fails_to_load_changes_nothing_until_the_next_version(settings, fallback):
    registry = release_registry(settings)
    _publish(registry, "r1", model="lm-1", epsilon=0.1)
    opener = Opener()
    watcher = _watcher(settings, opener, fallback)
    serving = watcher.served
    failed = _reloads("failed")

    _publish(registry, "r2", model=None, epsilon=0.2)  # copy model folder without a manifest
    assert not _check(watcher)
    assert watcher.served is serving
    assert watcher.writer.generator is serving.generator
    assert watcher.writer.release_version == "r1"
    assert watcher.builder.policy is serving.policy
    assert _reloads("failed") == failed + 1

    assert not _check(watcher)  # the same broken version is not retried
    assert _reloads("failed") == failed + 1

    _publish(registry, "r3", model="lm-3", epsilon=0.1)
    assert _check(watcher)
    assert watcher.served.describe()["release"] == "r3"
    assert watcher.writer.model_version == "lm-3"


def test_only_the_parts_whose_version_changed_are_loaded(settings, fallback):
    registry = release_registry(settings)
    _publish(registry, "r1", model="lm-1", epsilon=0.1, reward_clicks=1.0)
    opener = Opener()
    watcher = _watcher(settings, opener, fallback)
    first = watcher.served
    assert first.reward_model_version is not None

    _publish(registry, "r2", model="lm-1", epsilon=0.2, reward_clicks=1.0)  # a new policy only
    assert _check(watcher)
    second = watcher.served
    assert len(opener.models) == 1 and len(opener.scorers) == 1
    assert second.generator is first.generator and second.reward_model is first.reward_model
    assert second.policy_version != first.policy_version
    assert watcher.builder.policy is second.policy
    assert first.policy._closed  # the old VW workspace is freed

    _publish(registry, "r3", model="lm-1", epsilon=0.2, reward_clicks=2.0)  # a new reranker
    assert _check(watcher)
    third = watcher.served
    assert len(opener.models) == 1 and len(opener.scorers) == 2
    assert third.generator is not second.generator
    assert third.generator.session is first.generator.session
    assert third.generator.scorer is third.reward_model
    assert third.policy is second.policy
    assert opener.scorers[0].closed


def test_the_old_generator_is_released_after_the_swap(settings, fallback):
    registry = release_registry(settings)
    _publish(registry, "r1", model="lm-1")
    watcher = _watcher(settings, Opener(keep=False), fallback)
    old = weakref.ref(watcher.served.generator)
    _publish(registry, "r2", model="lm-2")
    assert _check(watcher)
    gc.collect()
    assert old() is None


def test_a_pinned_model_folder_is_kept_while_the_policy_follows_releases(
    settings, fallback, tmp_path
):
    pinned = tmp_path / "pinned"
    _model_folder(pinned, "pinned-lm")
    settings = settings.model_copy(
        update={"generator": settings.generator.model_copy(update={"model_dir": pinned})}
    )
    registry = release_registry(settings)
    _publish(registry, "r1", model="lm-1")
    opener = Opener()
    watcher = _watcher(settings, opener, fallback)
    _publish(registry, "r2", model="lm-2", epsilon=0.1)
    assert _check(watcher)
    assert watcher.served.model_version == "pinned-lm"
    assert watcher.served.policy_version.startswith("vw-")
    assert len(opener.models) == 1


def test_a_current_release_that_cannot_load_stops_the_start_with_what_to_do(settings, fallback):
    _publish(release_registry(settings), "r1", model=None)
    with pytest.raises(ConfigurationError, match=r"'r1'.*roll back"):
        _watcher(settings, Opener(), fallback)
