"""The outcome worker (`python -m streams.outcomes`) on a real broker: copies on
`generated-copy` and shop events on `user-events` become one log record per shown copy."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from contracts.copies import GeneratedCopy
from contracts.dead_letter import DeadLetter
from contracts.events import BehaviourEvent
from contracts.outcomes import CopyOutcomeRecord
from contracts.settings import Settings
from features.outcome_log import OutcomeLogReader
from tests.integration.outcomes.conftest import (
    WINDOW_S,
    Shop,
    click,
    impression,
    make_copy,
    outcome_settings,
    purchase,
    read_log,
    wait_until_joining,
)
from tests.integration.service.kafka_io import TopicReader
from tests.polling import poll_until

pytestmark = pytest.mark.integration


def records_for(settings: Settings, copy_ids: set[str]) -> dict[str, CopyOutcomeRecord]:
    return {r.copy_id: r for r in read_log(settings) if r.copy_id in copy_ids}


def counts(record: CopyOutcomeRecord) -> tuple[int, int, int, int, float]:
    return record.impressions, record.clicks, record.add_to_carts, record.purchases, record.reward


def test_clicks_and_purchases_go_to_the_right_copy_and_not_to_others(
    infra, tmp_path, start_outcome_worker
):
    settings = outcome_settings(infra, tmp_path)
    start_outcome_worker(settings)
    shop = Shop(settings)
    dead_letters = TopicReader(settings, settings.kafka.topics.dead_letters)
    try:
        wait_until_joining(settings, shop, 180)
        kettle_a, mug_a = make_copy("u-a", "p-kettle"), make_copy("u-a", "p-mug")
        never_shown = make_copy("u-a", "p-lamp")
        kettle_b = make_copy("u-b", "p-kettle")
        shop.send_copies([kettle_a, mug_a, never_shown, kettle_b])
        shop.send_raw_copy(b"this is not a copy")
        now = datetime.now(UTC)
        twice = click(kettle_a, event_id="click-once")
        shop.send_events(
            [
                impression(kettle_a),
                impression(mug_a),
                impression(kettle_b),
                twice,
                twice,  # a duplicate: counted once
                purchase("u-a", "p-kettle"),  # names no copy: the shown kettle copy of u-a
                purchase("u-b", "p-mug"),  # u-b saw no mug copy: nobody's
                purchase("u-a", "p-mug", copy_id=mug_a.copy_id),
                click(mug_a, at=now + timedelta(seconds=WINDOW_S + 5)),  # late: after the window
            ]
        )
        wanted = {kettle_a.copy_id, mug_a.copy_id, kettle_b.copy_id}
        poll_until(
            lambda: set(records_for(settings, wanted)) == wanted, 60, "records of shown copies"
        )
        dead_letters.until(lambda values: len(values) >= 1, 30, "the invalid copy dead-lettered")
    finally:
        shop.close()
    records = records_for(settings, wanted | {never_shown.copy_id})
    assert counts(records[kettle_a.copy_id]) == (1, 1, 0, 1, 6.0)
    assert counts(records[mug_a.copy_id]) == (1, 0, 0, 1, 5.0)
    assert counts(records[kettle_b.copy_id]) == (1, 0, 0, 0, 0.0)
    assert never_shown.copy_id not in records  # no impression: not a training example
    mug = records[mug_a.copy_id]
    assert (mug.text, mug.angle, mug.propensity, mug.angle_pmf, mug.policy_version) == (
        mug_a.text,
        mug_a.angle,
        mug_a.propensity,
        mug_a.angle_pmf,
        mug_a.policy_version,
    )
    assert mug.user_features() == {"views_10m": 1}
    letter = DeadLetter.model_validate_json(dead_letters.values[0])
    assert letter.error_type == "invalid_copy"
    assert letter.source_topic == settings.kafka.topics.generated_copy
    dead_letters.close()


def test_a_worker_killed_mid_stream_loses_and_double_counts_nothing(
    infra, tmp_path, start_outcome_worker
):
    settings = outcome_settings(infra, tmp_path)
    worker = start_outcome_worker(settings, "before-crash")
    shop = Shop(settings)
    expected: dict[str, tuple[int, int, int, int, float]] = {}
    waves: list[list[tuple[GeneratedCopy, list[BehaviourEvent]]]] = []
    for wave in range(6):
        shoppers = []
        for n in range(10):
            user, product = f"shopper-{wave}-{n}", f"p-{n % 4}"
            copy = make_copy(user, product)
            clicked, bought = n % 2 == 0, n % 3 == 0
            seen = impression(copy)
            events = [seen, seen]  # a duplicate impression
            events += [click(copy)] if clicked else []
            events += [purchase(user, product)] if bought else []
            shoppers.append((copy, events))
            expected[copy.copy_id] = (1, int(clicked), 0, int(bought), clicked + 5.0 * bought)
        waves.append(shoppers)
    try:
        wait_until_joining(settings, shop, 180)
        for shoppers in waves[:3]:  # staggered: windows close one wave after another
            shop.send_copies([copy for copy, _ in shoppers])
            shop.send_events([event for _, events in shoppers for event in events])
            time.sleep(1.0)
        poll_until(lambda: records_for(settings, set(expected)), 60, "a first record written")
        # the crash lands mid-stream, after a first commit (a kill before any commit is
        # test_restart_backlog.py's case)
        poll_until(lambda: committed(settings) > 0, 60, "a first offset commit")
        written_before = len(records_for(settings, set(expected)))
        worker.kill()
        assert written_before < len(expected)
        for shoppers in waves[3:]:  # sent while no worker runs
            shop.send_copies([copy for copy, _ in shoppers])
            shop.send_events([event for _, events in shoppers for event in events])
        start_outcome_worker(settings, "after-crash")
        poll_until(
            lambda: set(records_for(settings, set(expected))) == set(expected),
            180,
            "a record for every shown copy",
            interval_s=0.5,
        )
    except AssertionError as exc:
        missing = set(expected) - set(records_for(settings, set(expected)))
        raise AssertionError(f"{exc}; {_where(settings, missing)}") from exc
    finally:
        shop.close()
    today = datetime.now(UTC).date()
    batch = OutcomeLogReader(settings.outcome_log_uri).read(today, today)
    found = {r.copy_id: counts(r) for r in batch.records if r.copy_id in expected}
    assert found == expected
    assert len([r for r in batch.records if r.copy_id in expected]) == len(expected)


def committed(settings: Settings) -> int:
    """Sum of the outcome group's committed offsets on `user-events`."""
    from kafka import KafkaConsumer, TopicPartition

    topic = settings.kafka.topics.user_events
    consumer = KafkaConsumer(
        bootstrap_servers=settings.kafka.bootstrap_servers, group_id=settings.outcomes.app_id
    )
    try:
        partitions = range(settings.kafka.user_events_partitions)
        return sum(consumer.committed(TopicPartition(topic, p)) or 0 for p in partitions)
    finally:
        consumer.close(autocommit=False)


def _where(settings: Settings, copy_ids: set[str]) -> str:
    """Where the copies without a record got to, to tell a lost copy from a lost join."""
    from kafka import KafkaConsumer

    from streams.outcomes.app import copies_topic

    found = []
    for topic in (settings.kafka.topics.generated_copy, copies_topic(settings)):
        consumer = KafkaConsumer(
            topic,
            bootstrap_servers=settings.kafka.bootstrap_servers,
            auto_offset_reset="earliest",
            consumer_timeout_ms=3_000,
        )
        for message in consumer:
            found += [
                f"{topic}[{message.partition}]@{message.offset}"
                for copy_id in copy_ids
                if copy_id.encode() in message.value
            ]
        consumer.close()
    return f"no record for {sorted(copy_ids)}; their copies are at {found}"
