"""End to end on the real broker: behaviour events in, checked copy out on `generated-copy`."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest

from contracts.copies import CopyRequest, CopyTrigger
from contracts.product import Product
from contracts.vocabulary import Channel, Locale
from policy.requests import request_id_for
from policy.uniform import UNIFORM_VERSION
from streams.record_batches import RecordBatchSender
from tests.events_factory import make_event

pytestmark = pytest.mark.integration
WAIT_S = 180


def _product_fields(product: Product) -> dict[str, object]:
    price = product.localized(Locale.EN).price
    return {"product_id": product.product_id, "category": product.category, "price": price}


def test_product_views_become_faithful_copy_for_that_user_and_product(live_loop):
    now = datetime.now(UTC)
    cases = [
        ("view-a", live_loop.catalog[0], Channel.WEB, Locale.EN),
        ("view-b", live_loop.catalog[1], Channel.APP, Locale.ZH_CN),
        ("view-c", live_loop.catalog[2], Channel.WEB, Locale.ZH_CN),
    ]
    events = [
        make_event(
            "view", user, now, channel=channel.value, locale=locale.value, **_product_fields(p)
        )
        for user, p, channel, locale in cases
    ]
    live_loop.events.send(events, progress=False)
    wanted = {(e.user_id, e.product_id) for e in events}
    copies = live_loop.copies.read_until(
        lambda cs: wanted <= {(c.user_id, c.product_id) for c in cs}, WAIT_S
    )
    mine = {(c.user_id, c.product_id): c for c in copies if (c.user_id, c.product_id) in wanted}
    for event, (_, product, channel, locale) in zip(events, cases, strict=True):
        copy = mine[(event.user_id, event.product_id)]
        assert copy.request_id == request_id_for("view", event.event_id)
        assert (copy.channel, copy.locale, copy.trigger) == (
            channel,
            locale,
            CopyTrigger.PRODUCT_VIEW,
        )
        assert live_loop.violations(copy) == []
        assert copy.propensity == pytest.approx(0.1)  # cold start: uniform over 10 angles
        assert copy.angle_pmf == pytest.approx((0.1,) * 10)
        assert copy.policy_version == UNIFORM_VERSION
        assert copy.features is not None and copy.features.product["brand"] == product.brand
        assert copy.features_snapshot_id == copy.features.snapshot_id
        assert copy.latency_ms >= 0 and copy.text


def test_an_abandoned_cart_gets_reminder_copy_and_a_bought_one_does_not(live_loop):
    now = datetime.now(UTC)
    kept, bought = live_loop.catalog[3], live_loop.catalog[4]
    events = [
        make_event("add_to_cart", "cart-a", now, channel="app", **_product_fields(kept)),
        make_event("add_to_cart", "cart-a", now, channel="app", **_product_fields(bought)),
        make_event("purchase", "cart-a", now, channel="app", **_product_fields(bought)),
    ]
    live_loop.events.send(events, progress=False)
    copies = live_loop.copies.read_until(lambda cs: any(c.user_id == "cart-a" for c in cs), WAIT_S)
    [reminder] = [c for c in copies if c.user_id == "cart-a"]
    assert (reminder.product_id, reminder.trigger, reminder.channel) == (
        kept.product_id,
        CopyTrigger.CART_ABANDONED,
        Channel.PUSH,
    )
    assert live_loop.violations(reminder) == []


def test_rate_limit_caps_requests_per_user(live_loop):
    """10 views in a row from one user give 3 requests (the limit); a later view from a user on
    the same partition marks that all 10 were decided."""
    from kafka import KafkaConsumer, TopicPartition

    settings = live_loop.settings
    partitions = settings.kafka.user_events_partitions
    same_partition = RecordBatchSender.partition_for(b"busy-1", partitions)
    marker = next(
        f"marker-{n}"
        for n in range(1_000)
        if RecordBatchSender.partition_for(f"marker-{n}".encode(), partitions) == same_partition
    )
    now = datetime.now(UTC)
    views = [
        make_event("view", "busy-1", now, **_product_fields(p)) for p in live_loop.catalog[:10]
    ]
    views.append(make_event("view", marker, now, **_product_fields(live_loop.catalog[0])))
    live_loop.events.send(views, progress=False)

    topic = settings.kafka.topics.copy_requests
    consumer = KafkaConsumer(bootstrap_servers=settings.kafka.bootstrap_servers)
    assigned = [TopicPartition(topic, p) for p in range(settings.kafka.partitions)]
    consumer.assign(assigned)
    consumer.seek_to_beginning(*assigned)
    requests: list[CopyRequest] = []
    deadline = time.monotonic() + WAIT_S
    try:
        while not any(r.user_id == marker for r in requests):
            assert time.monotonic() < deadline, "the marker's request never came"
            batches = consumer.poll(timeout_ms=500)
            requests += [
                CopyRequest.model_validate_json(m.value) for ms in batches.values() for m in ms
            ]
    finally:
        consumer.close()
    busy = [r for r in requests if r.user_id == "busy-1"]
    assert [r.product_id for r in busy] == [p.product_id for p in live_loop.catalog[:3]]
    live_loop.copies.read_until(
        lambda cs: len({c.request_id for c in cs if c.user_id == "busy-1"}) == 3, WAIT_S
    )
