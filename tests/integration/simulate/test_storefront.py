"""The storefront on the real broker: copies written to `generated-copy` by the test (no
generator service) come back as impressions, clicks, carts and purchases on `user-events`."""

from __future__ import annotations

from dataclasses import replace

import pytest

from contracts.events import parse_event
from contracts.settings import Settings
from contracts.vocabulary import EventType
from features.catalog import CatalogGenerator
from simulate.storefront import Storefront, StorefrontConfig
from tests.integration.conftest import isolated_settings
from tests.polling import poll_until
from tests.unit.simulate.copies import make_copy

pytestmark = pytest.mark.integration

COPIES = 40


class UserEventsReader:
    """Everything on `user-events` from the beginning, parsed."""

    def __init__(self, settings: Settings) -> None:
        from kafka import KafkaConsumer, TopicPartition

        topic = settings.kafka.topics.user_events
        self._consumer = KafkaConsumer(
            bootstrap_servers=settings.kafka.bootstrap_servers, enable_auto_commit=False
        )
        partitions = [
            TopicPartition(topic, p) for p in range(settings.kafka.user_events_partitions)
        ]
        self._consumer.assign(partitions)
        self._consumer.seek_to_beginning(*partitions)
        self.events: list = []

    def read(self) -> list:
        for records in self._consumer.poll(timeout_ms=200).values():
            self.events += [parse_event(record.value) for record in records]
        return self.events

    def close(self) -> None:
        self._consumer.close()


def _send_copies(settings: Settings, copies: list) -> None:
    from kafka import KafkaProducer

    producer = KafkaProducer(bootstrap_servers=settings.kafka.bootstrap_servers)
    for copy in copies:
        producer.send(
            settings.kafka.topics.generated_copy,
            key=copy.user_id.encode(),
            value=copy.model_dump_json().encode(),
        )
    producer.flush()
    producer.close()


def test_copies_get_impressions_and_the_predicted_clicks_on_user_events(infra, tmp_path):
    settings = isolated_settings(infra, tmp_path)
    catalog = CatalogGenerator(seed=7, products=200).generate()
    config = replace(StorefrontConfig(), shoppers=20, history_intents=2)
    storefront = Storefront(settings, catalog, config).start()
    events = UserEventsReader(settings)
    try:
        model = storefront.click_model
        copies = []
        for index in range(COPIES):
            shopper = storefront.population.shoppers[index % len(storefront.population.shoppers)]
            product = next(
                p for p in catalog[index:] if p.category in shopper.segment.focus_categories
            )
            angle = model.oracle_angle(shopper, product, shopper.channel)
            copies.append(
                make_copy(
                    f"c-{index:03d}",
                    shopper.user_id,
                    product.product_id,
                    angle,
                    shopper.channel,
                    shopper.locale,
                )
            )
        stranger = make_copy("c-stranger", "not-a-shopper", catalog[0].product_id, angle)
        _send_copies(settings, [*copies, copies[0], stranger])  # one delivered twice

        stats = storefront.run(duration_s=2.0, events_per_s=20, drain_s=3.0)

        # each history intent is a cart, then a purchase or removal; some searches besides
        assert stats.history_events >= 20 * 2 * 2
        assert 30 <= stats.events_sent <= 45
        assert stats.copies_seen == COPIES
        assert stats.duplicate_copies == 1 and stats.unknown_copies == 1
        assert stats.impressions == COPIES
        expected_clicks = {
            c.copy_id
            for c in copies
            if storefront.reactions.react(c, model.shopper(c.user_id), c.created_at).clicked
        }
        assert stats.clicks == len(expected_clicks) > 5  # ~40% of 40 for the oracle angle

        def copy_events(kind: EventType) -> set[str]:
            return {
                e.copy_id for e in events.events if e.type is kind and getattr(e, "copy_id", None)
            }

        poll_until(
            lambda: (
                len(events.read()) >= stats.history_events + stats.events_sent + COPIES
                and copy_events(EventType.COPY_CLICK) == expected_clicks
            ),
            timeout_s=30,
            what="the storefront's events on user-events",
        )
        assert copy_events(EventType.COPY_IMPRESSION) == {c.copy_id for c in copies}
        assert copy_events(EventType.COPY_CLICK) == expected_clicks
        assert copy_events(EventType.ADD_TO_CART) <= expected_clicks
        by_id = {c.copy_id: c for c in copies}
        for event in events.events:
            if event.type is EventType.COPY_CLICK:
                copy = by_id[event.copy_id]
                assert (event.user_id, event.product_id) == (copy.user_id, copy.product_id)
                assert (event.channel, event.locale) == (copy.channel, copy.locale)
                assert event.session_id.startswith(copy.user_id)
        users = {shopper.user_id for shopper in storefront.population.shoppers}
        assert {e.user_id for e in events.events} == users
    finally:
        events.close()
        storefront.close()
