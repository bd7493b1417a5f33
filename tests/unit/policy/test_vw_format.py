import math

import pytest
from vowpalwabbit import Workspace

from contracts.copies import CopyTrigger
from contracts.settings import PolicySettings
from contracts.vocabulary import Angle, Channel, Locale
from policy.context import DecisionContext
from policy.decision import ANGLES
from policy.exploration import vw_arguments
from policy.vw_format import (
    FeatureFilter,
    context_lines,
    feature_tokens,
    labelled_lines,
    sanitize,
)
from tests.unit.policy.synthetic import realistic_context

HOSTILE = "Acme | Co: 5\u00a0star\tbrand\nnew\x00\u3000end"


def _context(user=None, product=None) -> DecisionContext:
    where = (Channel.SMS, Locale.ZH_CN, CopyTrigger.CART_ABANDONED)
    return DecisionContext("u-1", "p-1", *where, user or {}, product or {})


def _names(tokens: list[str]) -> set[str]:
    return {token.split(":")[0].split("=")[0] for token in tokens}


def test_sanitize_replaces_whitespace_pipes_colons_and_control_characters():
    cleaned = sanitize(HOSTILE)
    assert not any(ch in cleaned for ch in "|: \t\n\x00\u00a0\u3000")
    assert cleaned == "Acme___Co__5_star_brand_new__end"


def test_sanitize_keeps_chinese_and_caps_the_length():
    assert sanitize("运动鞋") == "运动鞋"
    assert len(sanitize("x" * 500)) == 64


def test_hostile_strings_become_single_tokens_in_their_namespace():
    product = {"brand": HOSTILE, "category": "a|b", "weird name": "x"}
    shared = context_lines(_context(user={"top_categories": ["a b", "c:d"]}, product=product))[0]
    assert shared.count("|") == 3  # user, product and where; nothing else opens a namespace
    assert "brand=Acme___Co__5_star_brand_new__end" in shared.split()
    assert "top_categories=a_b" in shared.split()
    assert "top_categories=c_d" in shared.split()
    assert "weird_name=x" in shared.split()


def test_missing_values_and_unknown_entities_add_no_features():
    tokens = feature_tokens({"price": None, "brand": None, "views_1h": 0, "rating": math.nan})
    assert tokens == []
    shared = context_lines(_context())[0]
    assert shared == "shared |where channel=sms locale=zh-CN trigger=cart_abandoned"


def test_numbers_are_scaled_and_categoricals_are_tokens():
    tokens = feature_tokens(
        {"views_1h": 9, "price": 99.0, "rating": 4.5, "is_new": True, "currency": "USD"}
    )
    values = dict(token.split(":") for token in tokens if ":" in token)
    assert float(values["views_1h"]) == pytest.approx(math.log1p(9), rel=1e-5)
    assert float(values["price"]) == pytest.approx(math.log1p(99.0), rel=1e-5)
    assert float(values["rating"]) == pytest.approx(0.9)
    assert {"rating=b4", "is_new=yes", "currency=USD"} <= set(tokens)


def test_absolute_timestamps_are_not_features():
    assert feature_tokens({"last_event_at": 1_760_000_000_000}) == []


def test_every_angle_has_one_action_line_in_angle_order():
    lines = context_lines(realistic_context())
    assert lines[0].startswith("shared |user ")
    assert lines[1:] == [f"|angle {angle.value}" for angle in ANGLES]


def test_the_label_goes_on_the_chosen_angles_line_only():
    lines = labelled_lines(realistic_context(), Angle.URGENCY, cost=-1.0, probability=0.25)
    labelled = [line for line in lines if not line.startswith(("shared", "|"))]
    assert labelled == ["0:-1.0:0.25 |angle urgency"]
    assert lines[1 + ANGLES.index(Angle.URGENCY)] == labelled[0]


def test_labels_need_a_propensity_in_the_unit_interval_and_a_finite_cost():
    with pytest.raises(ValueError, match="propensity"):
        labelled_lines(realistic_context(), Angle.GIFT, cost=0.0, probability=0.0)
    with pytest.raises(ValueError, match="cost"):
        labelled_lines(realistic_context(), Angle.GIFT, cost=math.inf, probability=0.5)


def test_vw_reads_a_hostile_example_as_one_multiline_example():
    context = _context(user={"top_categories": [HOSTILE]}, product={"brand": HOSTILE})
    with Workspace(vw_arguments(PolicySettings())) as workspace:
        workspace.learn(labelled_lines(context, Angle.VALUE, cost=-1.0, probability=0.1))
        pmf = workspace.predict(context_lines(context))
    assert len(pmf) == len(ANGLES)
    assert sum(pmf) == pytest.approx(1.0, abs=1e-6)


def test_a_feature_filter_drops_the_ignored_features_by_glob():
    ignoring = FeatureFilter(("*_1h", "events_total"))
    row = {"views_1h": 3, "events_total": 9, "price_affinity": 20.0, "last_event_at": 5}
    assert feature_tokens(row, ignoring) == [f"price_affinity:{math.log1p(20.0):.6g}"]
    assert "views_1h:" in " ".join(feature_tokens(row))  # the default keeps them
