"""Vowpal Wabbit text for a decision: the same featurization serves decisions and trains them.

A decision is one cb_explore_adf multiline example: a `shared` line with the context in three
namespaces (`user`, `product`, `where`) and one line per angle, in `ANGLES` order, holding the
angle in the `angle` namespace. Shared features alone score every angle the same, so the policy
learns per-context preferences only through the angle x context interactions that
`policy.exploration` asks VW for; their namespace letters come from here.

Numbers are scaled so no feature dwarfs another (log1p for counts and prices, known bounds for
shares and ratings); text becomes `name=value` tokens stripped of what VW's format forbids;
None, NaN and unknown entities (empty rows) add nothing.
"""

from __future__ import annotations

import fnmatch
import math
import re
from collections.abc import Mapping
from functools import lru_cache

from contracts.copies import FeatureValue
from contracts.vocabulary import Angle
from policy.context import DecisionContext
from policy.decision import ANGLES

USER_NAMESPACE = "user"
PRODUCT_NAMESPACE = "product"
WHERE_NAMESPACE = "where"
ANGLE_NAMESPACE = "angle"
CONTEXT_NAMESPACES = (USER_NAMESPACE, PRODUCT_NAMESPACE, WHERE_NAMESPACE)
"""VW names a namespace by its first letter in interactions: these four must stay distinct."""

_MAX_TOKEN_CHARS = 64
_SKIPPED_FEATURES = frozenset({"last_event_at"})  # an absolute time says nothing about taste
_BOUNDED_FEATURES = {"discount_sensitivity": 1.0, "rating": 5.0, "discount_pct": 100.0}
"""Features with a known range [0, top]: divided by the top, and also given one of
`_BUCKETS` bucket tokens, so a preference need not be linear in them. Every other number gets
a signed log1p."""
_BUCKETS = 5

_UNSAFE = re.compile(r"[\s|:]")
_ACTION_LINES = tuple(f"|{ANGLE_NAMESPACE} {angle.value}" for angle in ANGLES)


def sanitize(text: str) -> str:
    """A VW-safe token: whitespace, `|`, `:` and unprintable characters become `_`."""
    text = text[:_MAX_TOKEN_CHARS]
    if text.isprintable():  # the common case; only the ASCII space is printable whitespace
        return _UNSAFE.sub("_", text)
    return "".join("_" if ch in "|:" or ch.isspace() or not ch.isprintable() else ch for ch in text)


class FeatureFilter:
    """Which snapshot features a model sees: all but those matching `ignored` (fnmatch globs)."""

    def __init__(self, ignored: tuple[str, ...] = ()) -> None:
        self.ignored = tuple(ignored)
        self._kept: dict[str, bool] = {}

    def keeps(self, name: str) -> bool:
        kept = self._kept.get(name)
        if kept is None:
            kept = name not in _SKIPPED_FEATURES and not any(
                fnmatch.fnmatchcase(name, pattern) for pattern in self.ignored
            )
            self._kept[name] = kept
        return kept


ALL_FEATURES = FeatureFilter()


def feature_tokens(
    row: Mapping[str, FeatureValue], features: FeatureFilter = ALL_FEATURES
) -> list[str]:
    """VW features of one snapshot row, in the row's key order; missing values add nothing."""
    tokens: list[str] = []
    for raw_name, value in row.items():
        if value is None or not features.keeps(raw_name):
            continue
        name = _feature_name(raw_name)
        if not name:
            continue
        if isinstance(value, bool):  # before numbers: a bool is an int
            tokens.append(f"{name}={'yes' if value else 'no'}")
        elif isinstance(value, (int, float)):  # a tuple: faster than `int | float`
            number = float(value)
            scaled = _scaled(raw_name, number)
            if scaled is not None:
                tokens.append(f"{name}:{scaled:.6g}")
            if raw_name in _BOUNDED_FEATURES and math.isfinite(number):
                tokens.append(_bucket(name, number / _BOUNDED_FEATURES[raw_name]))
        elif isinstance(value, str):
            tokens.extend(_categorical(name, value))
        else:  # list[str], e.g. top_categories
            for item in value:
                tokens.extend(_categorical(name, str(item)))
    return tokens


def shared_line(context: DecisionContext, features: FeatureFilter = ALL_FEATURES) -> str:
    """The `shared` line: who (user), what (product), and where (channel, locale, trigger)."""
    where = [
        f"channel={sanitize(context.channel.value)}",
        f"locale={sanitize(context.locale.value)}",
        f"trigger={sanitize(context.trigger.value)}",
    ]
    parts = ["shared"]
    for namespace, tokens in (
        (USER_NAMESPACE, feature_tokens(context.user, features)),
        (PRODUCT_NAMESPACE, feature_tokens(context.product, features)),
        (WHERE_NAMESPACE, where),
    ):
        if tokens:
            parts.append(f"|{namespace} " + " ".join(tokens))
    return " ".join(parts)


def context_lines(context: DecisionContext, features: FeatureFilter = ALL_FEATURES) -> list[str]:
    """The unlabelled example VW predicts on: the shared line, then one line per angle."""
    return [shared_line(context, features), *_ACTION_LINES]


def labelled_lines(
    context: DecisionContext,
    chosen_angle: Angle,
    cost: float,
    probability: float,
    features: FeatureFilter = ALL_FEATURES,
) -> list[str]:
    """The example VW learns from: `0:cost:probability` on the chosen angle's line.

    `probability` is the logged propensity of the chosen angle (VW weighs the cost by its
    inverse); `cost` is lower-is-better, e.g. minus the reward.
    """
    cost, probability = float(cost), float(probability)  # repr of a numpy float is not VW text
    if not 0.0 < probability <= 1.0:
        raise ValueError(f"the propensity must be in (0, 1]; got {probability!r}")
    if not math.isfinite(cost):
        raise ValueError(f"the cost must be a finite number; got {cost!r}")
    chosen = ANGLES.index(Angle(chosen_angle))
    lines = context_lines(context, features)
    lines[chosen + 1] = f"0:{cost!r}:{probability!r} {lines[chosen + 1]}"
    return lines


def _scaled(name: str, value: float) -> float | None:
    if not math.isfinite(value) or value == 0.0:
        return None  # a zero feature adds nothing to a linear model; skip the parse
    top = _BOUNDED_FEATURES.get(name)
    if top is not None:
        return value / top
    return math.copysign(math.log1p(abs(value)), value)


def _bucket(name: str, share: float) -> str:
    return f"{name}=b{min(max(int(share * _BUCKETS), 0), _BUCKETS - 1)}"


@lru_cache(maxsize=1_024)
def _feature_name(raw_name: str) -> str:
    return sanitize(raw_name)


@lru_cache(maxsize=16_384)  # brands, categories, channels: a bounded vocabulary, seen often
def _categorical(name: str, value: str) -> tuple[str, ...]:
    token = sanitize(value)
    return (f"{name}={token}",) if token else ()
