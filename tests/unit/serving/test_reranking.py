"""Among candidates that passed the checker, the reward model picks; without one, fluency does."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pytest
from prometheus_client import REGISTRY

from contracts.copies import FeatureValue
from contracts.vocabulary import Angle, Channel, Locale
from features.catalog.generator import CatalogGenerator
from serving.facts import ProductFacts
from serving.generator import Candidate, CopyJob, choose_candidate
from serving.prompting import CopyBrief

FLUENT = Candidate("Smooth and fluent copy", mean_logprob=-0.2, violations=())
CLUMSY = Candidate("Clumsy copy shoppers click", mean_logprob=-1.5, violations=())
MIDDLING = Candidate("Middling copy", mean_logprob=-0.9, violations=())


class FakeScorer:
    """Scores texts from a table and remembers what it was asked."""

    version = "rm-test"

    def __init__(self, scores: Mapping[str, float], broken: bool = False) -> None:
        self.scores = scores
        self.broken = broken
        self.calls: list[tuple[object, ...]] = []

    def score(
        self,
        user: Mapping[str, FeatureValue],
        product: Mapping[str, FeatureValue],
        angle: str,
        channel: str,
        locale: str,
        texts: Sequence[str],
    ) -> list[float]:
        self.calls.append((dict(user), dict(product), angle, channel, locale, list(texts)))
        if self.broken:
            raise RuntimeError("reward model workspace is gone")
        return [self.scores[text] for text in texts]


@pytest.fixture(scope="module")
def job() -> CopyJob:
    product = CatalogGenerator(7, 24).generate()[0]
    facts = ProductFacts.of(product, Locale.ZH_CN, 10)
    brief = CopyBrief(facts, Channel.APP, Angle.QUALITY)
    return CopyJob(brief, 5, user={"views_10m": 4}, product={"category": "audio"})


def _sample(name: str) -> float:
    return REGISTRY.get_sample_value(name) or 0.0


def test_reward_model_picks_a_less_fluent_candidate_it_scores_higher(job):
    scorer = FakeScorer({FLUENT.text: 0.02, CLUMSY.text: 0.31, MIDDLING.text: 0.10})
    observed = _sample("copystream_reward_score_count")
    best, score = choose_candidate(job, [FLUENT, CLUMSY, MIDDLING], scorer)
    assert best is CLUMSY
    assert score == pytest.approx(0.31)
    assert _sample("copystream_reward_score_count") == observed + 1


def test_without_a_reward_model_the_most_fluent_candidate_wins(job):
    best, score = choose_candidate(job, [CLUMSY, FLUENT, MIDDLING], None)
    assert best is FLUENT
    assert score is None


def test_scorer_sees_the_requests_features_and_the_angle_written(job):
    scorer = FakeScorer({FLUENT.text: 0.1, CLUMSY.text: 0.2})
    choose_candidate(job, [FLUENT, CLUMSY], scorer)
    [(user, product, angle, channel, locale, texts)] = scorer.calls
    assert (user, product) == ({"views_10m": 4}, {"category": "audio"})
    assert (angle, channel, locale) == (job.brief.written_angle.value, "app", "zh-CN")
    assert texts == [FLUENT.text, CLUMSY.text]


def test_equal_scores_go_to_the_more_fluent_candidate(job):
    scorer = FakeScorer({FLUENT.text: 0.2, CLUMSY.text: 0.2})
    best, _ = choose_candidate(job, [CLUMSY, FLUENT], scorer)
    assert best is FLUENT


def test_a_failing_reward_model_falls_back_to_fluency_and_is_counted(job):
    failures = _sample("copystream_rerank_failures_total")
    best, score = choose_candidate(job, [CLUMSY, FLUENT], FakeScorer({}, broken=True))
    assert (best, score) == (FLUENT, None)
    assert _sample("copystream_rerank_failures_total") == failures + 1
