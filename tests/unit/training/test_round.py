"""The round's orchestration with fakes for the outcome log and the copy-model step (the real
ones run in tests/integration/training/test_round.py)."""

import json
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner

from contracts.settings import Settings
from policy.registry import load_angle_policy
from policy.vowpal import VowpalAnglePolicy
from releases.manifest import Component
from releases.served import release_registry
from serving.model.manifest import ModelManifest
from serving.reward import RewardModel
from tests.unit.training.synthetic_outcomes import T0, synthetic_records
from training.cli import main
from training.copy_challenger import CopyModelChallenger, CopyModelSkipped
from training.report import REPORT_JSON, REPORT_PNG, REPORT_TEXT
from training.round import RetrainingRound, time_split
from training.trainer import TrainingCurves

NOW = T0 + timedelta(days=1)


class FakeOutcomes:
    def __init__(self, records):
        self.records = records
        self.asked = None

    def read(self, start, end, *, allow_missing=False):
        self.asked = (start, end, allow_missing)
        return SimpleNamespace(records=list(self.records), partitions=("2026-03-01",))


@dataclass(frozen=True)
class Metrics:
    perplexity: float
    pass_rate: float
    distinct_2: float

    def as_dict(self):
        return self.__dict__


CHAMPION_METRICS = Metrics(1.8, 0.83, 0.40)


def fake_manifest(version: str) -> ModelManifest:
    return ModelManifest(
        model_version=version,
        dtype="float32",
        num_layers=1,
        num_heads=1,
        head_dim=8,
        vocab_size=10,
        max_positions=16,
        parameters=100,
        pad_token_id=0,
        end_token_id=1,
        source="test",
    )


def write_model_folder(folder: Path, version: str) -> None:
    """A stand-in exported model: the files a manifest read checks for, and an hf/ sibling."""
    onnx, hf = folder / "onnx", folder / "hf"
    onnx.mkdir(parents=True)
    hf.mkdir(parents=True)
    (onnx / "model.onnx").write_bytes(b"onnx " + version.encode())
    (onnx / "tokenizer.json").write_text("{}")
    fake_manifest(version).write(onnx)
    (hf / "config.json").write_text(json.dumps({"version": version}))


def copy_step(metrics: Metrics, version: str):
    def step(settings, champion, train, holdout, catalog, work_dir, *, progress):
        write_model_folder(work_dir, version)
        curves = TrainingCurves([1, 2, 3], [2.0, 1.8, 1.7], [0, 3], [1.9, 1.85])
        return CopyModelChallenger(
            version,
            work_dir / "hf",
            work_dir / "onnx",
            CHAMPION_METRICS,
            metrics,
            curves,
            "lora",
            3,
            len(train),
            None,
        )

    return step


def skipped_step(*args, **kwargs):
    return CopyModelSkipped("the fake has nothing to learn")


@pytest.fixture
def settings(tmp_path):
    settings = Settings(home=tmp_path)
    write_model_folder(settings.models_dir / "bootstrap", "bootstrap-test")
    return settings


@pytest.fixture(scope="module")
def records():
    return synthetic_records(1_200, seed=5, text_lift=0.3)


def run_round(settings, records, step=skipped_step, **kwargs):
    return RetrainingRound(
        settings,
        outcomes=FakeOutcomes(records),
        copy_model_step=step,
        catalog=[],
        clock=lambda: NOW,
        progress=False,
        **kwargs,
    ).run()


def test_a_round_with_too_little_data_refuses_to_promote_and_says_why(settings, records):
    report = run_round(settings, records[:120])
    assert report.published is None
    assert release_registry(settings).current() is None
    assert "120 logged outcomes in the window, 300 needed" in report.reason
    folder = settings.reports_dir / report.round_id
    assert (folder / REPORT_PNG).stat().st_size > 0
    assert "nothing published" in (folder / REPORT_TEXT).read_text()
    saved = json.loads((folder / REPORT_JSON).read_text())
    assert saved["gate"]["promoted"] == []
    assert saved["examples"] == 120


def test_the_window_is_the_last_data_window_days_up_to_today(settings, records):
    outcomes = FakeOutcomes(records[:10])
    RetrainingRound(
        settings, outcomes=outcomes, catalog=[], clock=lambda: NOW, progress=False
    ).run()
    start, end, allow_missing = outcomes.asked
    assert end == NOW.date()
    assert (end - start).days == settings.retraining.data_window_days - 1
    assert allow_missing


def test_a_first_round_publishes_a_release_whose_files_load(settings, records):
    report = run_round(settings, records, skip_copy_model=True)
    registry = release_registry(settings)
    release = registry.current()
    assert release is not None and report.published == release.version
    assert release.version.startswith("r0001-")
    components = release.manifest.components
    assert set(report.gate["promoted"]) == {"angle_policy", "reward_model"}
    assert components[Component.COPY_MODEL].version == "bootstrap-test"
    assert components[Component.COPY_MODEL].trained_in == "bootstrap"
    assert components[Component.ANGLE_POLICY].trained_in == release.version
    policy = load_angle_policy(settings)
    assert isinstance(policy, VowpalAnglePolicy)
    assert policy.version == components[Component.ANGLE_POLICY].version
    reward = RewardModel.load(release.path(Component.REWARD_MODEL))
    assert reward.version == components[Component.REWARD_MODEL].version
    assert (release.folder / REPORT_JSON).is_file() and (release.folder / REPORT_PNG).is_file()
    assert release.manifest.data_window.examples == len(records)
    assert release.manifest.gate["verdicts"]["copy_model"]["promote"] is False
    assert "skip-copy-model" in release.manifest.gate["verdicts"]["copy_model"]["reason"]
    assert not (release.folder / ".work").exists()
    assert set(report.step_seconds) >= {"read outcomes", "angle policy", "reward model", "gate"}


def test_a_deliberately_worse_copy_model_is_rejected_with_a_reason(settings, records):
    worse = Metrics(perplexity=3.0, pass_rate=0.5, distinct_2=0.40)
    report = run_round(settings, records, step=copy_step(worse, "ft-worse"))
    verdict = report.gate["verdicts"]["copy_model"]
    assert not verdict["promote"]
    assert "perplexity 3 vs champion 1.8" in verdict["reason"]
    assert set(verdict["failed"]) == {"perplexity", "pass_rate"}
    release = release_registry(settings).current()
    assert release is not None  # the policy and reward model still went out
    assert release.manifest.components[Component.COPY_MODEL].version == "bootstrap-test"


def test_rollback_restores_the_previous_release(settings, records, monkeypatch):
    first = run_round(settings, records, skip_copy_model=True).published
    better = Metrics(perplexity=1.7, pass_rate=0.85, distinct_2=0.41)
    second = run_round(settings, records, step=copy_step(better, "ft-better"))
    registry = release_registry(settings)
    assert second.published == registry.current_version() != first
    current = registry.current()
    assert current.manifest.parents == (first,)
    assert current.manifest.components[Component.COPY_MODEL].version == "ft-better"
    carried = current.manifest.components[Component.ANGLE_POLICY]
    if "angle_policy" not in second.gate["promoted"]:
        assert carried.trained_in == first

    monkeypatch.setenv("COPYSTREAM_HOME", str(settings.home))
    result = CliRunner().invoke(main, ["rollback", "--reason", "bad copy in review"])
    assert result.exit_code == 0, result.output
    assert f"current release: {first} (was {second.published})" in result.output
    assert registry.current_version() == first
    assert registry.history()[-1].reason == "bad copy in review"
    history = CliRunner().invoke(main, ["history"])
    assert "rollback" in history.output and f"* {first}" in history.output


def test_rollback_with_nothing_published_tells_the_user(settings, monkeypatch):
    monkeypatch.setenv("COPYSTREAM_HOME", str(settings.home))
    result = CliRunner().invoke(main, ["rollback"])
    assert result.exit_code != 0
    assert "nothing is published" in result.output


def test_the_time_split_judges_on_the_newest_outcomes(records):
    shuffled = list(reversed(records))
    train, held = time_split(shuffled, 0.25)
    assert len(held) == 300 and len(train) == 900
    assert max(r.shown_at for r in train) < min(r.shown_at for r in held)
