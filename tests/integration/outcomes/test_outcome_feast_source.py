"""The outcome log is a Feast offline source: records written by OutcomeLogWriter come back
through `get_historical_features` on the registered `copy_outcomes` view."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from contracts.outcomes import CopyOutcomeRecord
from contracts.settings import Settings
from contracts.vocabulary import Angle, Channel, Locale
from features.outcome_log import OutcomeLogWriter
from features.schema import COPY_OUTCOMES_VIEW
from features.store import open_feature_store

pytestmark = pytest.mark.integration


# scarcity (fifth in `Angle` order) drawn at its 0.125
PMF = (0.5, 0.125, 0.0625, 0.0625, 0.125, 0.0625, 0.0625, 0.0, 0.0, 0.0)


def record(copy_id: str, shown_at: datetime, clicks: int, purchases: int) -> CopyOutcomeRecord:
    return CopyOutcomeRecord(
        copy_id=copy_id,
        request_id=f"r-{copy_id}",
        user_id="u1",
        product_id="p1",
        channel=Channel.EMAIL,
        slot="cart",
        locale=Locale.EN,
        trigger="cart_abandoned",
        angle=Angle.URGENCY,
        requested_angle=Angle.SCARCITY,
        propensity=0.125,
        angle_pmf=PMF,
        policy_version="vw-3",
        model_version="m-7",
        text=f"Still thinking it over? {copy_id}",
        fallback_used=False,
        features_snapshot_id=f"s-{copy_id}",
        created_at=shown_at - timedelta(seconds=1),
        shown_at=shown_at,
        closed_at=shown_at + timedelta(minutes=30),
        impressions=1,
        clicks=clicks,
        add_to_carts=0,
        purchases=purchases,
        reward=float(clicks > 0) + 5.0 * (purchases > 0),
    )


def test_outcome_records_read_back_through_feast_historical_features(tmp_path):
    settings = Settings(home=tmp_path, feast={"project": "outcomes_feast"})
    day1 = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
    written = [
        record("c-1", day1, clicks=1, purchases=0),
        record("c-2", day1 + timedelta(hours=2), clicks=2, purchases=1),
        record("c-3", day1 + timedelta(days=1), clicks=0, purchases=0),  # another partition
    ]
    writer = OutcomeLogWriter(settings.outcome_log_uri)
    writer.write(written)
    writer.write([written[1]])  # re-emitted after a crash: same copy id and shown_at

    store = open_feature_store(settings, apply=True)
    view = store.get_feature_view(COPY_OUTCOMES_VIEW)
    assert view.batch_source.path == settings.outcome_log_uri  # the root from Settings
    assert not view.online

    entities = pd.DataFrame(
        {
            "copy_id": ["c-1", "c-2", "c-3", "c-unknown"],
            "event_timestamp": [day1 + timedelta(days=3)] * 4,
        }
    )
    features = [
        f"{COPY_OUTCOMES_VIEW}:{name}"
        for name in ("reward", "clicks", "purchases", "angle", "propensity", "angle_pmf", "text")
    ]
    frame = (
        store.get_historical_features(entity_df=entities, features=features)
        .to_df()
        .set_index("copy_id")
        .sort_index()
    )
    assert len(frame) == 4  # one row per entity row: the duplicate file adds none
    for expected in written:
        row = frame.loc[expected.copy_id]
        assert row["reward"] == expected.reward
        assert (row["clicks"], row["purchases"]) == (expected.clicks, expected.purchases)
        assert (row["angle"], row["propensity"], row["text"]) == ("urgency", 0.125, expected.text)
        assert tuple(row["angle_pmf"]) == PMF
    assert pd.isna(frame.loc["c-unknown", "reward"])


def test_point_in_time_join_sees_no_outcome_before_the_copy_was_shown(tmp_path):
    settings = Settings(home=tmp_path, feast={"project": "outcomes_pit"})
    shown = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
    OutcomeLogWriter(settings.outcome_log_uri).write([record("c-1", shown, 1, 1)])
    store = open_feature_store(settings, apply=True)
    entities = pd.DataFrame(
        {"copy_id": ["c-1", "c-1"], "event_timestamp": [shown - timedelta(hours=1), shown]}
    )
    frame = store.get_historical_features(
        entity_df=entities, features=[f"{COPY_OUTCOMES_VIEW}:reward"]
    ).to_df()
    rewards = dict(zip(frame["event_timestamp"], frame["reward"], strict=True))
    # an hour before: no value (Feast's file store drops such an entity row rather than
    # returning nulls for it)
    assert pd.isna(rewards.get(pd.Timestamp(shown - timedelta(hours=1)), float("nan")))
    assert rewards[pd.Timestamp(shown)] == 6.0
