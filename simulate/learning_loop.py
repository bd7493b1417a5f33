"""The learning loop end to end: simulated shoppers → live copy → outcomes → retraining → reload.

`LearningLoop.run()` starts the stream worker, the outcome joiner and the generator service
on their own topics, Feast project and home (so a run never sees another's data), then repeats:
one traffic phase of the seeded storefront, the true CTR of the policy that decided it (the
simulator knows every shopper's click probability per angle), a retraining round, and the wait
until the service serves the new release. `make demo` prints it; `bench.loop` records it.
"""

from __future__ import annotations

import time
import uuid
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np

from contracts.copies import GeneratedCopy
from contracts.logs import get_logger
from contracts.outcomes import CopyOutcomeRecord
from contracts.product import Product
from contracts.settings import Settings
from contracts.vocabulary import Angle
from policy.decision import ANGLES, AnglePolicy
from simulate.storefront.click_model import ClickModel, ShownContext
from simulate.storefront.config import StorefrontConfig

log = get_logger(__name__)


@dataclass(frozen=True)
class LoopPlan:
    """How long and how hard the loop runs; the defaults are `make demo`'s."""

    rounds: int = 5
    """Retraining rounds; traffic runs once more after the last, to measure what it learned."""
    traffic_s: float = 60.0
    events_per_s: float = 60.0
    drain_s: float = 5.0
    """Reactions still arriving after the traffic stops are waited for this long."""
    shoppers: int = 300
    seed: int = 7
    attribution_window_s: float = 6.0
    """Simulated shoppers react within a second, so windows can close after a few seconds."""
    outcome_wait_s: float = 90.0
    reload_timeout_s: float = 180.0
    http_port: int = 8478


@dataclass
class TrafficResult:
    """One traffic phase, judged by the simulator."""

    round: int
    release: str | None
    policy_version: str
    copies: int
    impressions: int
    clicks: int
    observed_ctr: float
    true_ctr: float
    random_ctr: float
    oracle_ctr: float
    templates: int
    unchecked: int
    """Copies that fail the checker when re-judged here (must stay 0)."""
    decided_by_others: int
    """Copies decided by an earlier policy (requests in flight during a reload)."""
    served_by: dict[str, int] = field(default_factory=dict)
    """Copies per release that wrote them ("bootstrap" before the first release)."""
    outcomes_logged: int = 0
    """Shown copies of the round found in the outcome log before retraining started."""
    shown: frozenset[str] = field(default=frozenset(), repr=False)
    """Copy ids the round's shoppers saw (what the outcome log must catch up with)."""


@dataclass
class RetrainingResult:
    round: int
    published: str | None
    promoted: list[str]
    reasons: dict[str, str]
    round_seconds: float
    ope: dict[str, float] | None
    """For a promoted angle policy: SNIPS/IPS (and CI) against the simulator's true CTR on the
    same held-out decisions."""
    reload_seconds: float | None


@dataclass
class LoopResult:
    plan: LoopPlan
    home: Path
    traffic: list[TrafficResult] = field(default_factory=list)
    retraining: list[RetrainingResult] = field(default_factory=list)

    @property
    def ctr_by_round(self) -> list[float]:
        return [phase.true_ctr for phase in self.traffic]

    @property
    def gap_closed(self) -> float:
        last = self.traffic[-1]
        span = last.oracle_ctr - last.random_ctr
        return (last.true_ctr - last.random_ctr) / span if span > 0 else 0.0


def loop_settings(base: Settings, plan: LoopPlan, tag: str | None = None) -> Settings:
    """Settings of one loop run: its own home, topics, Feast project, groups and app ids; the
    broker and Redis of `base`; the bootstrap model linked in from `base`'s home."""
    from infra.topics import tagged_topic_names

    tag = tag or uuid.uuid4().hex[:8]
    home = base.home / "loop" / f"run-{tag}"
    bootstrap = home / "models" / "bootstrap"
    bootstrap.parent.mkdir(parents=True, exist_ok=True)
    if not bootstrap.exists():
        bootstrap.symlink_to((base.models_dir / "bootstrap").resolve())
    service = base.service.model_dump() | {"http_port": plan.http_port, "group_id": f"gen-{tag}"}
    outcomes = base.outcomes.model_dump() | {
        "app_id": f"outcomes-{tag}",
        "metrics_port": 0,
        "attribution_window_s": plan.attribution_window_s,
    }
    return Settings(
        home=home,
        log_level=base.log_level,
        log_json=base.log_json,
        kafka={**base.kafka.model_dump(), "topics": tagged_topic_names(base.kafka, f"loop-{tag}")},
        redis=base.redis.model_dump(),
        feast={"project": f"loop{tag}", "online_store": "redis"},
        streams={**base.streams.model_dump(), "app_id": f"loop-{tag}", "metrics_port": 0},
        catalog=base.catalog.model_dump(),
        generator=base.generator.model_dump(),
        decisions=base.decisions.model_dump(),
        policy=base.policy.model_dump(),
        service=service,
        training=base.training.model_dump(),
        outcomes=outcomes,
        retraining=base.retraining.model_dump(),
    )


class LearningLoop:
    def __init__(
        self,
        settings: Settings,
        catalog: Sequence[Product],
        plan: LoopPlan,
        storefront: StorefrontConfig | None = None,
    ) -> None:
        """`storefront` overrides the default shoppers (seed and size come from `plan`)."""
        from dataclasses import replace

        from simulate.storefront.storefront import Storefront

        self.settings = settings
        self.catalog = list(catalog)
        self.plan = plan
        config = replace(storefront or StorefrontConfig(), seed=plan.seed, shoppers=plan.shoppers)
        self.storefront = Storefront(settings, self.catalog, config)
        self.click_model: ClickModel = self.storefront.click_model
        from serving.checks import CopyChecker

        self._checker = CopyChecker.from_rules(settings.copy_rules, self.catalog)
        self._products = {product.product_id: product for product in self.catalog}

    def run(
        self,
        on_traffic: Callable[[TrafficResult], None] = lambda _: None,
        on_retraining: Callable[[RetrainingResult], None] = lambda _: None,
        on_copy: Callable[[GeneratedCopy], None] | None = None,
        on_finish: Callable[[Settings], None] | None = None,
    ) -> LoopResult:
        """Everything: start the services, run the rounds, stop the services."""
        from simulate.worker import (
            GeneratorServiceProcess,
            OutcomeWorkerProcess,
            StreamWorkerProcess,
        )

        settings = self.settings
        prepare_run(settings, self.catalog)
        logs = settings.home / "logs"
        processes = [
            StreamWorkerProcess(settings, logs / "stream-worker.log").start(),
            OutcomeWorkerProcess(settings, logs / "outcome-worker.log").start(),
            GeneratorServiceProcess(settings, logs / "generator-service.log").start(),
        ]
        result = LoopResult(self.plan, settings.home)
        try:
            wait_for_services(settings)
            for round_number in range(self.plan.rounds + 1):
                traffic = self.traffic_phase(round_number, on_copy)
                result.traffic.append(traffic)
                on_traffic(traffic)
                if round_number == self.plan.rounds:
                    break
                traffic.outcomes_logged = self.wait_for_outcomes(traffic)
                retraining = self.retrain(round_number + 1)
                result.retraining.append(retraining)
                on_retraining(retraining)
            if on_finish is not None:
                on_finish(settings)
        finally:
            self.storefront.close()
            for process in reversed(processes):
                process.stop()
        return result

    # -- traffic ---------------------------------------------------------------------------

    def traffic_phase(
        self, round_number: int, on_copy: Callable[[GeneratedCopy], None] | None
    ) -> TrafficResult:
        from policy.registry import load_angle_policy
        from releases.served import release_registry

        release = release_registry(self.settings).current_version()
        policy = load_angle_policy(self.settings)
        plan = self.plan
        stats = self.storefront.run(plan.traffic_s, plan.events_per_s, plan.drain_s)
        copies = stats.copies
        if on_copy is not None:
            for copy in copies:
                on_copy(copy)
        decided = [copy for copy in copies if copy.policy_version == policy.version]
        contexts = [ShownContext.of_copy(copy) for copy in decided]
        model = self.click_model
        return TrafficResult(
            round=round_number,
            release=release,
            policy_version=policy.version,
            copies=len(copies),
            impressions=stats.impressions,
            clicks=stats.clicks,
            observed_ctr=round(stats.observed_ctr, 4),
            true_ctr=round(model.policy_ctr(contexts, policy_pmf(policy)), 4),
            random_ctr=round(model.random_ctr(contexts), 4),
            oracle_ctr=round(model.oracle_ctr(contexts), 4),
            templates=sum(copy.fallback.used for copy in copies),
            unchecked=sum(not self._passes(copy) for copy in copies),
            decided_by_others=len(copies) - len(decided),
            served_by=dict(Counter(copy.release_version or "bootstrap" for copy in copies)),
            shown=frozenset(copy.copy_id for copy in copies),
        )

    def _passes(self, copy: GeneratedCopy) -> bool:
        """Re-judges a copy as it reached the shopper: faithful and compliant."""
        from serving.prompting import CopyBrief

        brief = CopyBrief.of(
            self._products[copy.product_id],
            copy.locale,
            copy.channel,
            copy.requested_angle,
            self.settings.copy_rules.low_stock_threshold,
        )
        return self._checker.check(copy.text, brief).ok

    def wait_for_outcomes(self, traffic: TrafficResult) -> int:
        """Until the joiner has logged (nearly) every shown copy of the round, or the wait ends."""
        from features.outcome_log import OutcomeLogReader

        reader = OutcomeLogReader(self.settings.outcome_log_uri)
        deadline = time.monotonic() + self.plan.outcome_wait_s
        logged = 0
        while time.monotonic() < deadline:
            today = datetime.now(UTC).date()
            try:
                batch = reader.read(today - timedelta(days=1), today, allow_missing=True)
            except Exception as exc:  # a file being written is retried, not fatal
                log.warning("outcome log not readable yet", error=str(exc))
                time.sleep(1)
                continue
            logged = sum(record.copy_id in traffic.shown for record in batch.records)
            if logged >= 0.99 * traffic.impressions:
                break
            time.sleep(1.0)
        log.info("outcomes logged", round=traffic.round, logged=logged, shown=traffic.impressions)
        return logged

    # -- retraining ------------------------------------------------------------------------

    def retrain(self, round_number: int) -> RetrainingResult:
        from training.round import RetrainingRound

        started = time.monotonic()
        report = RetrainingRound(self.settings, catalog=self.catalog).run()
        round_seconds = time.monotonic() - started
        published = report.published
        verdicts = report.gate.get("verdicts", {})
        reload_seconds = None
        ope = None
        if published is not None:
            reload_started = time.monotonic()
            wait_for_release(self.settings, published, self.plan.reload_timeout_s)
            reload_seconds = round(time.monotonic() - reload_started, 2)
            ope = self.ope_against_truth(report)
        return RetrainingResult(
            round=round_number,
            published=published,
            promoted=[name for name, verdict in verdicts.items() if verdict["promote"]],
            reasons={name: str(verdict["reason"]) for name, verdict in verdicts.items()},
            round_seconds=round(round_seconds, 1),
            ope=ope,
            reload_seconds=reload_seconds,
        )

    def ope_against_truth(self, report: Any) -> dict[str, float] | None:
        """The round's off-policy estimate of its new policy next to the simulator's truth on
        the same held-out decisions.

        `snips_expected_clicks` is the same estimator with each logged click replaced by its
        true probability: near the truth, it says the estimator is unbiased and what remains
        is click noise on `effective_sample_size` decisions."""
        from features.outcome_log import OutcomeLogReader
        from policy.registry import load_angle_policy
        from releases.manifest import Component
        from training.round import time_split

        if not report.gate.get("verdicts", {}).get(Component.ANGLE_POLICY.value, {}).get("promote"):
            return None
        section = report.components[Component.ANGLE_POLICY.value]
        estimate = section["challenger_metrics"]
        window = report.data_window
        start = datetime.fromisoformat(window["start"]).date()
        end = datetime.fromisoformat(window["end"]).date()
        records = OutcomeLogReader(self.settings.outcome_log_uri).read(start, end).records
        _, holdout = time_split(records, self.settings.retraining.holdout_share)
        policy = load_angle_policy(self.settings)
        contexts = [ShownContext.of_record(record) for record in holdout]
        true = self.click_model.policy_ctr(contexts, policy_pmf(policy))
        snips = float(estimate["snips"])
        return {
            "snips": round(snips, 4),
            "ips": round(float(estimate["ips"]), 4),
            "ci_low": round(float(estimate["snips_low"]), 4),
            "ci_high": round(float(estimate["snips_high"]), 4),
            "held_out": len(holdout),
            "weighed_per_copy": int(section.get("weighed_per_copy", 0)),
            "effective_sample_size": round(float(estimate.get("effective_sample_size", 0.0)), 1),
            "snips_expected_clicks": round(self._snips_of_click_chances(holdout, policy), 4),
            "true": round(true, 4),
            "relative_error": round(abs(snips - true) / true, 4) if true else 0.0,
        }

    def _snips_of_click_chances(
        self, holdout: Sequence[CopyOutcomeRecord], policy: AnglePolicy
    ) -> float:
        """SNIPS of `policy` on `holdout`, weighed as the round weighs it, with every click
        replaced by P(click | logged angle): the estimate without the clicks' own noise."""
        from training.bandit import logged_decisions
        from training.ope import logged_probabilities, snips_value, target_probabilities

        threshold = self.settings.copy_rules.low_stock_threshold
        decisions = logged_decisions(holdout, "click", low_stock_threshold=threshold)
        chances = [
            self.click_model.click_probabilities(ShownContext.of_record(record))[
                ANGLES.index(Angle(record.requested_angle))
            ]
            for record in holdout
        ]
        return snips_value(
            target_probabilities(policy, decisions),
            logged_probabilities(decisions),
            np.array(chances),
            self.settings.retraining.propensity_floor,
        )


def policy_pmf(policy: AnglePolicy) -> Callable[[ShownContext], Sequence[float]]:
    return lambda context: policy.pmf(context.decision_context())


def prepare_run(settings: Settings, catalog: Sequence[Product]) -> None:
    """Topics, the catalog file and the catalog features of one run (the features loaded from
    the file, as `copystream-features load` does)."""
    from features.catalog import write_catalog_jsonl
    from features.catalog_features import load_catalog_file
    from infra.topics import ensure_topics

    settings.home.mkdir(parents=True, exist_ok=True)
    ensure_topics(settings.kafka)
    write_catalog_jsonl(list(catalog), settings.catalog_file)
    load_catalog_file(settings, settings.catalog_file)


def wait_for_services(settings: Settings, timeout_s: float = 180.0) -> None:
    from features.online_reader import OnlineFeatureReader
    from features.store import open_feature_store
    from simulate.worker import wait_until_ready, wait_until_serving

    wait_until_serving(settings, OnlineFeatureReader(open_feature_store(settings)), timeout_s)
    wait_until_ready(settings, timeout_s)


def wait_for_release(settings: Settings, version: str, timeout_s: float) -> None:
    """Until the generator service says it serves `version`, plus one policy-reload period so
    the stream worker's decider has picked it up too."""
    import httpx

    url = f"http://{settings.service.http_host}:{settings.service.http_port}/version"
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=2.0).json().get("release") == version:
                time.sleep(2 * settings.decisions.policy_reload_interval_s)
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise TimeoutError(f"the generator service did not serve release {version} in {timeout_s} s")
