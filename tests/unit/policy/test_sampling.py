from collections import Counter

import pytest
from hypothesis import given
from hypothesis import strategies as st

from policy.decision import ANGLES, decide, sample_index
from policy.uniform import UNIFORM_VERSION, UniformAnglePolicy
from tests.unit.policy.synthetic import realistic_context

SKEWED = (0.3, 0.2, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.0)


def test_uniform_policy_gives_every_angle_the_same_probability():
    pmf = UniformAnglePolicy().pmf(realistic_context())
    assert len(pmf) == len(ANGLES)
    assert pmf == pytest.approx([1 / len(ANGLES)] * len(ANGLES))
    assert sum(pmf) == pytest.approx(1.0)


def test_decide_reports_the_uniform_version_and_the_chosen_angles_probability():
    decision = decide(UniformAnglePolicy(), realistic_context(), seed=42)
    assert decision.policy_version == UNIFORM_VERSION
    assert decision.propensity == decision.pmf[ANGLES.index(decision.angle)]


def test_sample_index_is_the_same_for_the_same_seed():
    assert [sample_index(SKEWED, seed) for seed in range(200)] == [
        sample_index(SKEWED, seed) for seed in range(200)
    ]


def test_sample_index_differs_across_seeds():
    assert len({sample_index(SKEWED, seed) for seed in range(200)}) > 1


def test_sample_index_never_picks_a_zero_probability_angle():
    only_two = (0.0, 0.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.5)
    assert {sample_index(only_two, seed) for seed in range(2_000)} == {1, 9}


def test_sample_index_frequencies_match_the_pmf():
    draws = 20_000
    counts = Counter(sample_index(SKEWED, seed) for seed in range(draws))
    assert counts[9] == 0
    chi_square = sum(
        (counts[i] - draws * p) ** 2 / (draws * p) for i, p in enumerate(SKEWED) if p > 0
    )
    assert chi_square < 26.12  # 8 degrees of freedom, p = 0.001


def test_sample_index_rejects_a_pmf_of_the_wrong_length_or_without_mass():
    with pytest.raises(ValueError, match="one per angle"):
        sample_index((0.5, 0.5), seed=1)
    with pytest.raises(ValueError, match="some angle a chance"):
        sample_index((0.0,) * len(ANGLES), seed=1)


@given(
    st.lists(
        st.floats(min_value=0, max_value=1, allow_nan=False),
        min_size=len(ANGLES),
        max_size=len(ANGLES),
    ).filter(lambda pmf: sum(pmf) > 0),
    st.integers(min_value=-(2**70), max_value=2**70),
)
def test_sample_index_picks_a_positive_probability_angle_deterministically(pmf, seed):
    index = sample_index(pmf, seed)
    assert 0 <= index < len(ANGLES)
    assert pmf[index] > 0
    assert sample_index(pmf, seed) == index
