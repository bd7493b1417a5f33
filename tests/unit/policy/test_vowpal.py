import random

import pytest

from contracts.errors import PolicyLoadError
from contracts.settings import PolicySettings
from contracts.vocabulary import Angle
from policy.decision import ANGLES
from policy.vowpal import UNSAVED_VERSION, LoggedDecision, VowpalAnglePolicy, model_version
from tests.unit.policy.synthetic import (
    best_angle,
    realistic_context,
    segment_context,
    uniform_logs,
)

EPSILON = 0.1


def _segment_contexts(discount_sensitive: bool, n: int = 25):
    rng = random.Random(99 + discount_sensitive)
    return [segment_context(rng, discount_sensitive) for _ in range(n)]


@pytest.fixture(scope="module")
def logs():
    return uniform_logs(2_000, seed=5)


@pytest.fixture(scope="module")
def greedy(logs):
    with VowpalAnglePolicy(PolicySettings(exploration="epsilon", epsilon=EPSILON)) as policy:
        policy.learn(logs)
        yield policy


@pytest.mark.parametrize("discount_sensitive", [True, False])
def test_epsilon_greedy_learns_each_segments_best_angle(greedy, discount_sensitive):
    best = ANGLES.index(best_angle(discount_sensitive))
    others = EPSILON / len(ANGLES)
    for context in _segment_contexts(discount_sensitive):
        pmf = greedy.pmf(context)
        assert pmf[best] == pytest.approx(1 - EPSILON + others)
        assert [p for i, p in enumerate(pmf) if i != best] == pytest.approx([others] * 9)


@pytest.mark.parametrize("discount_sensitive", [True, False])
def test_softmax_prefers_each_segments_best_angle(logs, discount_sensitive):
    with VowpalAnglePolicy(PolicySettings(exploration="softmax")) as policy:
        policy.learn(logs)
        best = ANGLES.index(best_angle(discount_sensitive))
        for context in _segment_contexts(discount_sensitive, n=10):
            pmf = policy.pmf(context)
            assert max(range(len(ANGLES)), key=pmf.__getitem__) == best
            assert all(0 < p < pmf[best] for i, p in enumerate(pmf) if i != best)


def test_learning_marks_the_policy_unsaved_and_saving_names_the_bytes(logs, tmp_path):
    with VowpalAnglePolicy(PolicySettings()) as policy:
        policy.learn(logs[:10])
        assert policy.version == UNSAVED_VERSION
        version = policy.save(tmp_path / "model.vw")
        assert version == policy.version == model_version((tmp_path / "model.vw").read_bytes())
        assert not list(tmp_path.glob("*.partial"))


@pytest.mark.parametrize("exploration", ["epsilon", "softmax", "bag"])
def test_save_and_load_give_identical_pmfs_and_the_same_version(logs, tmp_path, exploration):
    settings = PolicySettings(exploration=exploration)
    with VowpalAnglePolicy(settings) as policy:
        policy.learn(logs[:500])
        version = policy.save(tmp_path / "model.vw")
        with VowpalAnglePolicy.load(tmp_path / "model.vw", settings) as loaded:
            assert loaded.version == version
            for seed in range(10):
                assert loaded.pmf(realistic_context(seed)) == policy.pmf(realistic_context(seed))


def test_loading_with_other_exploration_settings_is_refused(tmp_path):
    with VowpalAnglePolicy(PolicySettings(exploration="epsilon", epsilon=0.1)) as policy:
        policy.save(tmp_path / "model.vw")
    for other in (PolicySettings(exploration="softmax"), PolicySettings(epsilon=0.2)):
        with pytest.raises(PolicyLoadError, match="settings it was trained with"):
            VowpalAnglePolicy.load(tmp_path / "model.vw", other)


def test_loading_a_corrupt_or_missing_model_raises_policy_load_error(tmp_path):
    (tmp_path / "garbage.vw").write_bytes(b"not a vw model")
    for path in (tmp_path / "garbage.vw", tmp_path / "missing.vw"):
        with pytest.raises(PolicyLoadError, match="publish a policy again"):
            VowpalAnglePolicy.load(path, PolicySettings())


def test_a_closed_policy_refuses_to_decide():
    policy = VowpalAnglePolicy(PolicySettings())
    policy.close()
    policy.close()  # idempotent
    with pytest.raises(ValueError, match="closed"):
        policy.pmf(realistic_context())


def test_logged_decisions_need_a_usable_propensity_and_cost():
    context = realistic_context()
    with pytest.raises(ValueError, match="propensity"):
        LoggedDecision(context, Angle.GIFT, propensity=1.5, cost=0.0)
    with pytest.raises(ValueError, match="cost"):
        LoggedDecision(context, Angle.GIFT, propensity=0.5, cost=float("nan"))


def test_the_policy_does_not_see_its_ignored_features():
    from dataclasses import replace

    with VowpalAnglePolicy(PolicySettings()) as policy:
        policy.learn(uniform_logs(300, seed=4))
        context = realistic_context(3)
        busier = replace(context, user={**context.user, "views_1h": 999, "events_total": 5_000})
        assert policy.pmf(busier) == policy.pmf(context)
