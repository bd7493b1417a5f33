"""One retraining round: read the outcome window, retrain each component, judge, publish.

1. Read the last `retraining.data_window_days` date partitions of the outcome log; too few
   outcomes (`gate.min_examples`) end the round here: nothing is promoted, the report says why.
2. Split by time: the newest `holdout_share` of outcomes judges, the rest trains.
3. Angle policy (`training.bandit`): the champion continues on the logged decisions; champion
   and challenger are valued off-policy (IPS, SNIPS) on the same held-out decisions.
4. Reward model (`training.reward_training`): continued and judged on held-out log loss.
5. Copy model (`training.copy_challenger`, injectable): reward-weighted fine-tune, ONNX export
   with parity, perplexity / diversity / checker rates against the champion.
6. Gate (`training.gate`), per component. Promoted components go into a new release; the rest
   are carried over from the champion (hard links: release files are never modified). No
   promotion, no release.
7. The report (JSON, text, PNG) goes into the release, or into `<home>/reports/<round id>/`.

Everything is built in the registry's staging folder, so a crashed round leaves no release.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np
from pydantic import JsonValue
from tqdm import tqdm

from contracts.errors import ConfigurationError
from contracts.logs import get_logger
from contracts.outcomes import CopyOutcomeRecord
from contracts.product import Product
from contracts.settings import Settings
from policy.decision import AnglePolicy
from policy.registry import read_policy_folder, write_policy_folder
from policy.uniform import UniformAnglePolicy
from releases.manifest import Component, ComponentRecord, DataWindow, Release, ReleaseManifest
from releases.registry import VERSIONS, ReleaseRegistry
from releases.served import HF_SUBDIR, ONNX_SUBDIR, release_registry
from serving.model.manifest import MANIFEST_FILE as MODEL_MANIFEST_FILE
from serving.model.manifest import ModelManifest
from training.bandit import PolicyUpdate, logged_decisions, update_angle_policy
from training.gate import (
    GateDecision,
    Verdict,
    decide,
    judge_angle_policy,
    judge_copy_model,
    judge_reward_model,
    not_trained,
    refuse_all,
    too_little_data,
)
from training.ope import (
    Interval,
    LoggedValue,
    PolicyValueEstimate,
    copy_known,
    estimate_policy_value,
    logged_policy_value,
    logged_probabilities,
    snips_difference,
    target_probabilities,
)
from training.report import RoundReport, json_safe
from training.reward_training import RewardModelUpdate, update_reward_model

if TYPE_CHECKING:  # torch loads only when the copy step runs
    from training.copy_challenger import CopyModelChallenger, CopyModelSkipped, CopyModelStep

log = get_logger(__name__)
BOOTSTRAP_RELEASE = "bootstrap"
"""`trained_in` of the bootstrap copy model when a first release carries it over."""
STEPS = ("read outcomes", "angle policy", "reward model", "copy model", "gate", "publish")


class OutcomeBatch(Protocol):
    """What an outcome source returns (`features.outcome_log.OutcomeBatch`)."""

    @property
    def records(self) -> list[CopyOutcomeRecord]: ...

    @property
    def partitions(self) -> tuple[str, ...]: ...


class OutcomeSource(Protocol):
    """Reads outcome records shown between two UTC dates (`features.outcome_log`)."""

    def read(self, start: date, end: date, *, allow_missing: bool = ...) -> OutcomeBatch: ...


@dataclass(frozen=True)
class PolicyStep:
    update: PolicyUpdate
    champion_version: str
    champion_value: PolicyValueEstimate
    challenger_value: PolicyValueEstimate
    logged_value: LoggedValue
    folder: Path
    difference: Interval | None = None
    """Paired bootstrap interval of challenger minus champion SNIPS."""
    weighed_per_copy: int = 0
    """Held-out decisions weighed per copy written (the rest per ask: `training.ope`)."""


@dataclass(frozen=True)
class CopyChampion:
    version: str
    hf_dir: Path
    onnx_dir: Path
    trained_in: str


class RetrainingRound:
    """One round with the given collaborators; `run()` does it and returns the report."""

    def __init__(
        self,
        settings: Settings,
        *,
        outcomes: OutcomeSource | None = None,
        copy_model_step: CopyModelStep | None = None,
        skip_copy_model: bool = False,
        catalog: Sequence[Product] | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        progress: bool = True,
    ) -> None:
        self.settings = settings
        self._outcomes = outcomes
        self._copy_model_step = copy_model_step
        self._skip_copy_model = skip_copy_model
        self._catalog = catalog
        self._clock = clock
        self._progress = progress

    def run(self) -> RoundReport:
        started_at = self._clock()
        started = time.monotonic()
        round_id = started_at.strftime("%Y%m%dT%H%M%SZ")
        registry = release_registry(self.settings)
        champion = registry.current()
        copy_champion = self._copy_champion(champion)
        timer = _StepTimer(len(STEPS), self._progress)
        log.info("retraining round started", round_id=round_id, champion=_version(champion))
        with timer.step("read outcomes"):
            records, partitions = self._read_window(started_at)
        report = RoundReport(
            round_id=round_id,
            started_at=started_at.isoformat(),
            published=None,
            champion=_version(champion),
            reason="",
            examples=len(records),
            data_window=_window(records, partitions).model_dump(mode="json"),
        )
        gate = self.settings.retraining.gate
        refusal = too_little_data(gate, len(records))
        if refusal is not None:
            decision = refuse_all(gate, len(records), tuple(Component))
            return self._keep_champion(report, decision, refusal, timer, started)
        train, holdout = time_split(records, self.settings.retraining.holdout_share)
        report.train_examples, report.holdout_examples = len(train), len(holdout)
        with registry.staging() as staging:
            work = staging / ".work"
            with timer.step("angle policy"):
                policy = self._angle_policy(champion, train, holdout, work / "angle_policy")
            with timer.step("reward model"):
                reward = self._reward_model(champion, train, holdout, work / "reward_model")
            with timer.step("copy model"):
                copy = self._copy_model(copy_champion, train, holdout, work / "copy_model")
            with timer.step("gate"):
                verdicts = (
                    judge_angle_policy(
                        gate, policy.champion_value, policy.challenger_value, policy.difference
                    ),
                    judge_reward_model(
                        gate, reward.champion_loss, reward.challenger_loss, reward.champion_label
                    ),
                    _copy_verdict(gate, copy),
                )
                decision = decide(gate, len(records), verdicts)
            report.components = {
                Component.ANGLE_POLICY.value: _policy_section(policy, self.settings),
                Component.REWARD_MODEL.value: _reward_section(reward),
                Component.COPY_MODEL.value: _copy_section(copy),
            }
            curves = getattr(copy, "curves", None)
            if not decision.promoted:
                return self._keep_champion(
                    report, decision, "no component beat its champion", timer, started, curves
                )
            report.step_seconds = timer.seconds
            with timer.step("publish"):
                release = self._publish(
                    registry, staging, champion, copy_champion, decision, report, started, curves
                )
        timer.close()
        log.info("retraining round published", round_id=round_id, release=release.version)
        return report

    # -- data ------------------------------------------------------------------------------

    def _read_window(self, now: datetime) -> tuple[list[CopyOutcomeRecord], tuple[str, ...]]:
        """The last `data_window_days` UTC days up to today, oldest outcome first."""
        end = now.astimezone(UTC).date()
        start = end - timedelta(days=self.settings.retraining.data_window_days - 1)
        batch = self._outcome_source().read(start, end, allow_missing=True)
        records = sorted(batch.records, key=lambda r: (r.shown_at, r.copy_id))
        log.info("outcome window read", start=str(start), end=str(end), records=len(records))
        return records, tuple(batch.partitions)

    def _outcome_source(self) -> OutcomeSource:
        if self._outcomes is None:
            from features.outcome_log import OutcomeLogReader

            self._outcomes = OutcomeLogReader(self.settings.outcome_log_uri)
        return self._outcomes

    def _catalog_products(self) -> Sequence[Product]:
        if self._catalog is None:
            from features.catalog.files import load_catalog

            self._catalog = load_catalog(self.settings)
        return self._catalog

    # -- components ------------------------------------------------------------------------

    def _angle_policy(
        self,
        champion: Release | None,
        train: Sequence[CopyOutcomeRecord],
        holdout: Sequence[CopyOutcomeRecord],
        folder: Path,
    ) -> PolicyStep:
        retraining = self.settings.retraining
        target = retraining.policy_reward
        train_decisions = logged_decisions(train, target)
        held_decisions = logged_decisions(
            holdout, target, low_stock_threshold=self.settings.copy_rules.low_stock_threshold
        )
        champion_folder = _component_dir(champion, Component.ANGLE_POLICY)
        served: AnglePolicy | None = (
            read_policy_folder(champion_folder) if champion_folder else None
        )
        baseline: AnglePolicy = served if served is not None else UniformAnglePolicy()
        options: dict[str, Any] = {
            "samples": retraining.bootstrap_samples,
            "seed": retraining.seed,  # one seed: both sides resample the same decisions
            "floor": retraining.propensity_floor,
            "confidence": retraining.ope_confidence,
        }
        champion_value = estimate_policy_value(baseline, held_decisions, **options)
        update = update_angle_policy(
            self.settings, champion_folder, train_decisions, progress=self._progress
        )
        write_policy_folder(  # first: saving names the version the estimate reports
            folder,
            update.policy,
            trained_on=update.trained_on,
            notes={"continued_from": update.continued_from, "reward": target},
        )
        challenger_value = estimate_policy_value(update.policy, held_decisions, **options)
        difference = snips_difference(
            target_probabilities(update.policy, held_decisions),
            target_probabilities(baseline, held_decisions),
            logged_probabilities(held_decisions),
            np.array([-d.cost for d in held_decisions], dtype=np.float64),
            **options,
        )
        logged = logged_policy_value(
            held_decisions,
            samples=retraining.bootstrap_samples,
            seed=retraining.seed,
            confidence=retraining.ope_confidence,
        )
        return PolicyStep(
            update,
            baseline.version,
            champion_value,
            challenger_value,
            logged,
            folder,
            difference,
            sum(copy_known(decision) for decision in held_decisions),
        )

    def _reward_model(
        self,
        champion: Release | None,
        train: Sequence[CopyOutcomeRecord],
        holdout: Sequence[CopyOutcomeRecord],
        folder: Path,
    ) -> RewardModelUpdate:
        champion_folder = _component_dir(champion, Component.REWARD_MODEL)
        update = update_reward_model(
            self.settings, champion_folder, train, holdout, progress=self._progress
        )
        update.model.save(folder, notes={"continued_from": update.continued_from})
        return update

    def _copy_model(
        self,
        champion: CopyChampion,
        train: Sequence[CopyOutcomeRecord],
        holdout: Sequence[CopyOutcomeRecord],
        folder: Path,
    ) -> CopyModelChallenger | CopyModelSkipped:
        from training.copy_challenger import CopyModelChampion, CopyModelSkipped

        if self._skip_copy_model:
            return CopyModelSkipped("skipped on request (--skip-copy-model)")
        if not (champion.hf_dir / "config.json").is_file():
            return CopyModelSkipped(
                f"the champion copy model {champion.version} has no checkpoint in "
                f"{champion.hf_dir} to fine-tune; rebuild it with `make model`"
            )
        step = self._copy_model_step
        if step is None:
            from training.copy_challenger import train_copy_challenger

            step = train_copy_challenger
        folder.mkdir(parents=True, exist_ok=True)
        return step(
            self.settings,
            CopyModelChampion(champion.version, champion.hf_dir, champion.onnx_dir),
            train,
            holdout,
            self._catalog_products(),
            folder,
            progress=self._progress,
        )

    def _copy_champion(self, champion: Release | None) -> CopyChampion:
        """The copy model serving now: the current release's, else the bootstrap export."""
        if champion is not None and Component.COPY_MODEL in champion.manifest.components:
            record = champion.manifest.components[Component.COPY_MODEL]
            folder = champion.path(Component.COPY_MODEL)
            return CopyChampion(
                record.version, folder / HF_SUBDIR, folder / ONNX_SUBDIR, record.trained_in
            )
        onnx_dir = self.settings.bootstrap_model_dir
        if not (onnx_dir / MODEL_MANIFEST_FILE).is_file():
            raise ConfigurationError(
                f"no copy model to start from: the registry has no release and {onnx_dir} "
                "holds no exported bootstrap model; run `make model` (or "
                "`python -m training.bootstrap`) first"
            )
        version = ModelManifest.read(onnx_dir).model_version
        return CopyChampion(version, onnx_dir.parent / HF_SUBDIR, onnx_dir, BOOTSTRAP_RELEASE)

    # -- endings ---------------------------------------------------------------------------

    def _keep_champion(
        self,
        report: RoundReport,
        decision: GateDecision,
        reason: str,
        timer: _StepTimer,
        started: float,
        curves: Any = None,
    ) -> RoundReport:
        report.reason = f"nothing published: {reason}"
        report.gate = decision.as_dict()
        report.step_seconds = timer.seconds
        report.round_seconds = time.monotonic() - started
        folder = report.write(self.settings.reports_dir / report.round_id, curves)
        timer.close()
        log.info(
            "retraining round kept the champion",
            round_id=report.round_id,
            reason=reason,
            verdicts=decision.summary,
            report=str(folder),
        )
        return report

    def _publish(
        self,
        registry: ReleaseRegistry,
        staging: Path,
        champion: Release | None,
        copy_champion: CopyChampion,
        decision: GateDecision,
        report: RoundReport,
        started: float,
        curves: Any,
    ) -> Release:
        work = staging / ".work"
        records: dict[Component, ComponentRecord] = {}
        for component in Component:
            record = self._stage_component(
                component,
                component in decision.promoted,
                staging,
                work,
                champion,
                copy_champion,
                report,
            )
            if record is not None:
                records[component] = record
        shutil.rmtree(work, ignore_errors=True)
        version = release_version(registry, records, report.round_id)
        for component in decision.promoted:  # a component trained here names this release
            records[component] = records[component].model_copy(update={"trained_in": version})
        report.published = version
        names = ", ".join(c.value for c in decision.promoted)
        report.reason = f"published {version}: promoted {names}"
        report.gate = decision.as_dict()
        report.round_seconds = time.monotonic() - started
        report.write(staging, curves, final=registry.root / VERSIONS / version)
        manifest = ReleaseManifest(
            version=version,
            created_at=self._clock(),
            parents=(champion.version,) if champion else (),
            components=records,
            data_window=DataWindow.model_validate(report.data_window),
            metrics=_json(_release_metrics(report)),
            gate=_json(report.gate),
            notes=_json({"round_id": report.round_id, "round_seconds": report.round_seconds}),
        )
        return registry.publish(staging, manifest, reason=f"round {report.round_id}: {names}")

    def _stage_component(
        self,
        component: Component,
        promoted: bool,
        staging: Path,
        work: Path,
        champion: Release | None,
        copy_champion: CopyChampion,
        report: RoundReport,
    ) -> ComponentRecord | None:
        """Put the promoted challenger or the champion's files into the release."""
        target = staging / component.value
        section = report.components.get(component.value, {})
        if promoted:
            os.rename(work / component.value, target)
            return ComponentRecord(
                version=str(section["version"]),
                trained_in="(this release)",
                metrics=_json(section.get("challenger_metrics", {})),
            )
        if champion is not None and component in champion.manifest.components:
            link_copy(champion.path(component), target)
            return champion.manifest.components[component]
        if component is Component.COPY_MODEL:  # the first release carries the bootstrap model
            link_copy(copy_champion.onnx_dir, target / ONNX_SUBDIR)
            if copy_champion.hf_dir.is_dir():
                link_copy(copy_champion.hf_dir, target / HF_SUBDIR)
            return ComponentRecord(version=copy_champion.version, trained_in=BOOTSTRAP_RELEASE)
        return None


def time_split(
    records: Sequence[CopyOutcomeRecord], holdout_share: float
) -> tuple[list[CopyOutcomeRecord], list[CopyOutcomeRecord]]:
    """Oldest (1 - share) for training, newest share for judging; both keep time order.

    Judging on the newest outcomes is what the next days will look like; a random split would
    leak a user's later behaviour into training.
    """
    ordered = sorted(records, key=lambda r: (r.shown_at, r.copy_id))
    held = max(1, round(len(ordered) * holdout_share)) if ordered else 0
    cut = len(ordered) - held
    return ordered[:cut], ordered[cut:]


def release_version(
    registry: ReleaseRegistry, components: dict[Component, ComponentRecord], round_id: str
) -> str:
    """`r<n>-<hash>`: n counts releases ever promoted; the hash names the component versions."""
    number = len({e.version for e in registry.history() if e.action == "promote"}) + 1
    named = {c.value: record.version for c, record in sorted(components.items())}
    digest = hashlib.blake2b(json.dumps([named, round_id]).encode(), digest_size=3).hexdigest()
    return f"r{number:04d}-{digest}"


def link_copy(source: Path, target: Path) -> None:
    """Copy a folder by hard links where the filesystem allows (release files never change)."""
    shutil.copytree(source, target, copy_function=_link_or_copy, symlinks=False)


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


class _StepTimer:
    """Times each step and moves the round's progress bar."""

    def __init__(self, total: int, progress: bool) -> None:
        self.seconds: dict[str, float] = {}
        self._bar = tqdm(total=total, desc="retraining round", unit="step", disable=not progress)

    @contextlib.contextmanager
    def step(self, name: str) -> Iterator[None]:
        self._bar.set_postfix_str(name)
        began = time.monotonic()
        try:
            yield
        finally:
            self.seconds[name] = round(time.monotonic() - began, 3)
            self._bar.update(1)
            log.info("round step done", step=name, seconds=self.seconds[name])

    def close(self) -> None:
        self._bar.close()


def _copy_verdict(gate: Any, copy: Any) -> Verdict:
    from training.copy_challenger import CopyModelSkipped

    if isinstance(copy, CopyModelSkipped):
        return not_trained(Component.COPY_MODEL, copy.reason)
    return judge_copy_model(gate, copy.champion_metrics, copy.metrics)


def _policy_section(step: PolicyStep, settings: Settings) -> dict[str, Any]:
    update = step.update
    return {
        "version": update.policy.version,
        "reward": settings.retraining.policy_reward,
        "continued_from": update.continued_from,
        "learned": update.learned,
        "trained_on": update.trained_on,
        "champion_version": step.champion_version,
        "champion_value": step.champion_value.as_dict(),
        "challenger_value": step.challenger_value.as_dict(),
        "snips_difference": step.difference.__dict__ if step.difference else None,
        "weighed_per_copy": step.weighed_per_copy,
        "logged_value": {
            "examples": step.logged_value.examples,
            "mean": step.logged_value.mean,
            "interval": step.logged_value.interval.__dict__,
        },
        "challenger_metrics": {
            "snips": step.challenger_value.snips,
            "ips": step.challenger_value.ips,
            "snips_low": step.challenger_value.snips_interval.low,
            "snips_high": step.challenger_value.snips_interval.high,
            "effective_sample_size": step.challenger_value.effective_sample_size,
            "trained_on": update.trained_on,
        },
    }


def _reward_section(update: RewardModelUpdate) -> dict[str, Any]:
    return {
        "version": update.model.version,
        "continued_from": update.continued_from,
        "champion_label": update.champion_label,
        "champion_loss": update.champion_loss,
        "challenger_loss": update.challenger_loss,
        "reward_weights": {k.value: w for k, w in update.model.reward_weights.items()},
        "challenger_metrics": {f"{k}_log_loss": v for k, v in update.challenger_loss.items()},
    }


def _copy_section(copy: Any) -> dict[str, Any]:
    from training.copy_challenger import CopyModelSkipped

    if isinstance(copy, CopyModelSkipped):
        return {"skipped": copy.reason}
    return {
        "version": copy.version,
        "method": copy.method,
        "steps": copy.steps,
        "rewarded_examples": copy.examples,
        "parity": copy.parity.model_dump() if copy.parity is not None else None,
        "champion_metrics": copy.champion_metrics.as_dict(),
        "challenger_metrics": copy.metrics.as_dict(),
    }


def _release_metrics(report: RoundReport) -> dict[str, Any]:
    flat: dict[str, Any] = {"examples": report.examples}
    for component, section in report.components.items():
        for name, value in section.get("challenger_metrics", {}).items():
            flat[f"{component}.{name}"] = value
    return flat


def _component_dir(release: Release | None, component: Component) -> Path | None:
    if release is None or component not in release.manifest.components:
        return None
    return release.path(component)


def _window(records: Sequence[CopyOutcomeRecord], partitions: tuple[str, ...]) -> DataWindow:
    return DataWindow(
        start=records[0].shown_at if records else None,
        end=records[-1].shown_at if records else None,
        partitions=partitions,
        examples=len(records),
    )


def _version(release: Release | None) -> str | None:
    return release.version if release else None


def _json(value: Any) -> dict[str, JsonValue]:
    """A JSON-safe copy (NaN → null) for the release manifest."""
    cleaned: dict[str, JsonValue] = json_safe(value)
    return cleaned
