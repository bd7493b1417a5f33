import pytest
from vowpalwabbit import Workspace

from contracts.settings import PolicySettings
from policy.decision import ANGLES, decide
from policy.exploration import vw_arguments
from policy.vowpal import VowpalAnglePolicy
from policy.vw_format import context_lines
from tests.unit.policy.synthetic import realistic_context, uniform_logs

MODES = ("epsilon", "softmax", "bag")


def test_vw_arguments_per_exploration_mode():
    common = "--learning_rate 0.1 -q au -q ap -q aw --random_seed 11 --quiet"
    assert vw_arguments(PolicySettings()) == (
        f"--cb_explore_adf --cb_type mtr --epsilon 0.1 {common}"
    )
    assert vw_arguments(PolicySettings(exploration="softmax", softmax_lambda=4)) == (
        f"--cb_explore_adf --cb_type mtr --softmax --lambda 4.0 {common}"
    )
    assert vw_arguments(PolicySettings(exploration="bag", bag_size=3, epsilon=0.05)) == (
        f"--cb_explore_adf --cb_type mtr --bag 3 --epsilon 0.05 {common}"
    )


def test_the_seed_setting_reaches_vw():
    assert "--random_seed 5 " in vw_arguments(PolicySettings(seed=5))


@pytest.fixture(scope="module", params=MODES)
def trained(request, tmp_path_factory):
    """A policy of each mode after a little learning, saved so VW itself can be asked too."""
    policy = VowpalAnglePolicy(PolicySettings(exploration=request.param))
    policy.learn(uniform_logs(300, seed=3))
    path = tmp_path_factory.mktemp(request.param) / "model.vw"
    policy.save(path)
    yield policy, path
    policy.close()


def test_each_mode_gives_a_valid_pmf(trained):
    policy, _ = trained
    for seed in range(20):
        pmf = policy.pmf(realistic_context(seed))
        assert len(pmf) == len(ANGLES)
        assert sum(pmf) == pytest.approx(1.0, abs=1e-6)
        assert all(0.0 <= p <= 1.0 for p in pmf)
        if policy.settings.exploration != "softmax":  # softmax may round a far angle to 0
            assert min(pmf) >= policy.settings.epsilon / len(ANGLES) - 1e-7


def test_pmf_is_exactly_what_vw_predicts_in_angle_order(trained):
    policy, path = trained
    with Workspace(arg_list=["--quiet", "-i", str(path)]) as workspace:
        for seed in range(10):
            context = realistic_context(seed)
            assert policy.pmf(context) == tuple(workspace.predict(context_lines(context)))


def test_decide_reports_the_exact_pmf_entry_as_propensity(trained):
    policy, _ = trained
    for seed in range(50):
        context = realistic_context(seed % 5)
        decision = decide(policy, context, seed)
        index = ANGLES.index(decision.angle)
        assert decision.propensity == policy.pmf(context)[index]  # exact: the loop does IPS
        assert decision.propensity > 0
        assert decision.policy_version == policy.version


def test_a_fresh_policy_with_no_preference_spreads_evenly(trained):
    policy = VowpalAnglePolicy(trained[0].settings)
    with policy:
        assert policy.pmf(realistic_context()) == pytest.approx([0.1] * len(ANGLES), abs=1e-6)
