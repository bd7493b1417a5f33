"""Hot reload: the service serves the registry's current release and follows it while running.

The watcher reads the registry's `current` link every `service.reload_check_interval_s`. A new
version is loaded off the event loop and off the model thread, only the parts whose version
changed (a policy-only release keeps the loaded ONNX session). The new parts are then swapped in
together: the generator at a batch boundary (`CopyWriter.use`: the batch in the model thread
finishes on the old one) and the angle policy into the HTTP path's request builder. A release
that fails to load is logged and counted, and the old one keeps serving; the watcher tries again
only when the version changes again. Old parts are closed once the batch in flight is done.

A pinned `generator.model_dir` (or `policy.model_dir`) keeps that folder whatever the registry
says; the other parts still follow releases.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from contracts.errors import ConfigurationError
from contracts.logs import get_logger
from contracts.settings import Settings
from policy.decision import AnglePolicy
from policy.registry import read_policy_folder, read_policy_manifest
from policy.requests import CopyRequestBuilder
from policy.uniform import UNIFORM_VERSION, UniformAnglePolicy
from releases.manifest import Release
from releases.registry import ReleaseRegistry
from releases.served import copy_model_dir, policy_dir, reward_model_dir
from serving.checks import CopyChecker
from serving.generator import CandidateScorer
from serving.metrics import RELEASE, RELOAD_SECONDS, RELOADS
from serving.model.manifest import ModelManifest
from serving.service.copy_writer import CopyWriter, TextGenerator

log = get_logger(__name__)
BOOTSTRAP = "bootstrap"
"""What `/version` and the release metric call the parts served before any release exists."""


class ServedGenerator(TextGenerator, Protocol):
    """`serving.generator.CopyGenerator` as releases use it (tests pass fakes)."""

    def with_scorer(self, scorer: CandidateScorer | None) -> ServedGenerator: ...


GeneratorOpener = Callable[[Path, CandidateScorer | None], ServedGenerator]
ScorerOpener = Callable[[Path], CandidateScorer]
PolicyOpener = Callable[[Path | None], AnglePolicy]
BatchBoundary = Callable[[], Awaitable[None]]
"""Returns once the batch the model thread is running (if any) has finished."""


@dataclass(frozen=True)
class ServedRelease:
    """One consistent set of served parts; replaced whole, never edited. `version` is None
    when nothing was published (the bootstrap model and the uniform policy)."""

    version: str | None
    generator: ServedGenerator
    policy: AnglePolicy
    reward_model: CandidateScorer | None

    @property
    def model_version(self) -> str:
        return self.generator.model_version

    @property
    def policy_version(self) -> str:
        return self.policy.version

    @property
    def reward_model_version(self) -> str | None:
        return self.reward_model.version if self.reward_model is not None else None

    def describe(self) -> dict[str, str | None]:
        return {
            "release": self.version,
            "model_version": self.model_version,
            "policy_version": self.policy_version,
            "reward_model_version": self.reward_model_version,
        }


class ReleaseLoader:
    """Builds the parts of a release, reusing those of `current` whose version is unchanged.

    Blocking (ONNX sessions, VW models): call it from a worker thread once serving.
    """

    def __init__(
        self,
        settings: Settings,
        open_generator: GeneratorOpener,
        *,
        open_reward: ScorerOpener | None = None,
        open_policy: PolicyOpener | None = None,
    ) -> None:
        self._settings = settings
        self._open_generator = open_generator
        self._open_reward = open_reward or _open_reward_model
        self._open_policy = open_policy or _open_policy

    @classmethod
    def for_service(cls, settings: Settings, checker: CopyChecker) -> ReleaseLoader:
        """Real parts; every copy model shares the already-loaded checker and catalog."""
        from serving.generator import CopyGenerator

        def open_generator(folder: Path, scorer: CandidateScorer | None) -> ServedGenerator:
            return CopyGenerator.from_settings(settings, checker, model_dir=folder, scorer=scorer)

        return cls(settings, open_generator)

    def load(self, release: Release | None, current: ServedRelease | None = None) -> ServedRelease:
        reward_model = self._reward_model(release, current)
        return ServedRelease(
            release.version if release is not None else None,
            self._generator(release, current, reward_model),
            self._policy(release, current),
            reward_model,
        )

    def _reward_model(
        self, release: Release | None, current: ServedRelease | None
    ) -> CandidateScorer | None:
        folder = reward_model_dir(release)
        if folder is None:
            return None
        from serving.reward import read_reward_manifest

        version = read_reward_manifest(folder).version
        if current is not None and current.reward_model_version == version:
            return current.reward_model
        return self._open_reward(folder)

    def _generator(
        self,
        release: Release | None,
        current: ServedRelease | None,
        reward_model: CandidateScorer | None,
    ) -> ServedGenerator:
        folder = copy_model_dir(self._settings, release)
        version = ModelManifest.read(folder).model_version
        if current is None or current.model_version != version:
            return self._open_generator(folder, reward_model)
        if current.reward_model is reward_model:
            return current.generator
        return current.generator.with_scorer(reward_model)  # same ONNX session, new reranker

    def _policy(self, release: Release | None, current: ServedRelease | None) -> AnglePolicy:
        folder = policy_dir(self._settings, release)
        manifest = read_policy_manifest(folder) if folder is not None else None
        version = manifest.version if manifest is not None else UNIFORM_VERSION
        if current is not None and current.policy_version == version:
            return current.policy
        return self._open_policy(folder)


class ReleaseWatcher:
    """Follows the registry's current release; `run()` polls, `check()` is one poll."""

    def __init__(
        self,
        registry: ReleaseRegistry,
        loader: ReleaseLoader,
        served: ServedRelease,
        writer: CopyWriter,
        builder: CopyRequestBuilder,
        *,
        interval_s: float,
    ) -> None:
        self._registry = registry
        self._loader = loader
        self._writer = writer
        self._builder = builder
        self._interval_s = interval_s
        self._served = served
        self._seen = served.version
        publish_release_metric(served)

    @classmethod
    def start_serving(
        cls,
        settings: Settings,
        registry: ReleaseRegistry,
        loader: ReleaseLoader,
        writer_for: Callable[[ServedRelease], CopyWriter],
    ) -> ReleaseWatcher:
        """Load the current release (blocking) and a watcher that serves it; a current
        release that cannot be loaded stops the start with what to do."""
        version = registry.current_version()
        try:
            release = registry.get(version) if version is not None else None
            served = loader.load(release)
        except Exception as exc:
            raise ConfigurationError(
                f"the current release {version!r} in {registry.root} cannot be served ({exc}); "
                "roll back to a release that loads with `python -m training rollback --to "
                "VERSION`, then start the service again"
            ) from exc
        writer = writer_for(served)
        builder = CopyRequestBuilder(settings.decisions, served.policy)
        interval = settings.service.reload_check_interval_s
        return cls(registry, loader, served, writer, builder, interval_s=interval)

    @property
    def served(self) -> ServedRelease:
        return self._served

    @property
    def writer(self) -> CopyWriter:
        return self._writer

    @property
    def builder(self) -> CopyRequestBuilder:
        return self._builder

    async def run(self, batch_boundary: BatchBoundary) -> None:
        """Poll until cancelled."""
        while True:
            await asyncio.sleep(self._interval_s)
            await self.check(batch_boundary)

    async def check(self, batch_boundary: BatchBoundary) -> bool:
        """Serve the registry's current release if it changed; True when one was swapped in."""
        try:
            version = self._registry.current_version()
        except ConfigurationError as exc:
            log.warning("release_link_unreadable", error=str(exc))
            return False
        if version == self._seen:
            return False
        self._seen = version
        if version is None:
            log.warning("release_link_missing", serving=self._served.version)
            return False
        started = time.perf_counter()
        try:
            new = await asyncio.to_thread(self._load, version)
        except Exception as exc:
            RELOADS.labels(result="failed").inc()
            log.error(
                "release_load_failed",
                release=version,
                serving=self._served.version,
                error=str(exc),
                hint="the old release keeps serving; publish a fixed release or roll back",
            )
            return False
        load_s = time.perf_counter() - started
        RELOAD_SECONDS.observe(load_s)
        old = self._swap(new)
        RELOADS.labels(result="swapped").inc()
        log.info(
            "release_swapped",
            release=new.version,
            previous=old.version,
            reused=_reused(old, new),
            load_seconds=round(load_s, 3),
            **{k: v for k, v in new.describe().items() if k != "release"},
        )
        await self._retire(old, new, batch_boundary)
        return True

    def _load(self, version: str) -> ServedRelease:
        return self._loader.load(self._registry.get(version), self._served)

    def _swap(self, new: ServedRelease) -> ServedRelease:
        """On the event loop, in one go: the next batch and the next HTTP decision use `new`."""
        old, self._served = self._served, new
        self._writer.use(new.generator, new.version)
        self._builder.use_policy(new.policy)
        publish_release_metric(new)
        return old

    async def _retire(
        self, old: ServedRelease, new: ServedRelease, batch_boundary: BatchBoundary
    ) -> None:
        """Close the old parts nothing uses any more, after the batch that may still use them;
        the old generator (and its ONNX session) is freed with its last reference."""
        with contextlib.suppress(RuntimeError):  # model thread shut down: nothing runs on them
            await batch_boundary()
        retired = []
        for name, was, now in (
            ("policy", old.policy, new.policy),
            ("reward_model", old.reward_model, new.reward_model),
        ):
            close = getattr(was, "close", None)
            if was is not None and was is not now and callable(close):
                close()
                retired.append(name)
        if old.generator is not new.generator:
            retired.append("generator")
        log.info("release_retired", release=old.version, parts=retired)


def publish_release_metric(served: ServedRelease) -> None:
    """`copystream_release_info{release,model_version,policy_version,reward_model_version}`."""
    labels = {name: version or "none" for name, version in served.describe().items()}
    RELEASE.info(labels | {"release": served.version or BOOTSTRAP})


def _reused(old: ServedRelease, new: ServedRelease) -> list[str]:
    pairs = (
        ("copy_model", old.model_version == new.model_version),
        ("angle_policy", old.policy is new.policy),
        ("reward_model", new.reward_model is not None and old.reward_model is new.reward_model),
    )
    return [name for name, same in pairs if same]


def _open_policy(folder: Path | None) -> AnglePolicy:
    """`policy.registry.load_angle_policy` for a folder already chosen (no second registry
    read, so the policy always comes from the same release as the model)."""
    published = read_policy_folder(folder) if folder is not None else None
    return published if published is not None else UniformAnglePolicy()


def _open_reward_model(folder: Path) -> CandidateScorer:
    from serving.reward import RewardModel

    return RewardModel.load(folder)
