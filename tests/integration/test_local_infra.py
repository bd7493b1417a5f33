"""The local broker is the pinned Kafka 3.9 and all three clients work against it."""

from __future__ import annotations

import asyncio
import uuid

import pytest
from kafka import KafkaConsumer, KafkaProducer

from contracts.settings import Settings
from infra.kafka_broker import KafkaBroker
from infra.redis_server import RedisServer
from infra.topics import ensure_topics, topic_specs

pytestmark = pytest.mark.integration


def test_starting_running_services_again_is_harmless(infra: Settings) -> None:
    broker, redis = KafkaBroker(infra), RedisServer(infra)
    pid_before = broker.pid_file.read_text()
    broker.start()
    redis.start()
    assert broker.running() and redis.running()
    assert broker.pid_file.read_text() == pid_before
    assert sorted(broker.libs.glob("kafka_2.13-3.9.*.jar"))


def test_topics_are_created_once_with_their_partitions(sqlite_settings: Settings) -> None:
    from kafka import KafkaAdminClient

    assert ensure_topics(sqlite_settings.kafka) == []  # the fixture created them already
    admin = KafkaAdminClient(bootstrap_servers=sqlite_settings.kafka.bootstrap_servers)
    try:
        described = {
            t["name"]: t
            for t in admin.describe_topics(
                [spec.name for spec in topic_specs(sqlite_settings.kafka)]
            )
        }
    finally:
        admin.close()
    for spec in topic_specs(sqlite_settings.kafka):
        assert len(described[spec.name]["partitions"]) == spec.partitions


def test_kafka_python_producer_and_aiokafka_consumer_interoperate(infra: Settings) -> None:
    from aiokafka import AIOKafkaConsumer

    topic = f"compat-{uuid.uuid4().hex[:8]}"
    producer = KafkaProducer(bootstrap_servers=infra.kafka.bootstrap_servers)
    for i in range(10):
        producer.send(topic, key=b"k", value=b"%d" % i)
    producer.flush()
    producer.close()

    async def consume() -> list[bytes]:
        consumer = AIOKafkaConsumer(
            topic,
            bootstrap_servers=infra.kafka.bootstrap_servers,
            auto_offset_reset="earliest",
            group_id=f"g-{topic}",
        )
        await consumer.start()
        try:
            values: list[bytes] = []
            while len(values) < 10:
                batch = await consumer.getmany(timeout_ms=5_000)
                values += [m.value for records in batch.values() for m in records]
            return values
        finally:
            await consumer.stop()

    assert asyncio.run(consume()) == [b"%d" % i for i in range(10)]
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=infra.kafka.bootstrap_servers,
        auto_offset_reset="earliest",
        consumer_timeout_ms=5_000,
    )
    assert consumer.config["api_version"] is None or consumer.config["api_version"]
    assert len(list(consumer)) == 10
    consumer.close()


def test_kcat_is_installed_and_talks_to_the_broker_as_an_outside_client(
    sqlite_settings: Settings,
) -> None:
    """kcat (Debian's Kafka CLI, librdkafka) writes JSON that our Python client reads back."""
    import json
    import subprocess

    from infra.debian import ensure_debian_package

    kcat = ensure_debian_package("kcat", "kcat")
    broker = sqlite_settings.kafka.bootstrap_servers
    topic = sqlite_settings.kafka.topics.user_events
    payload = json.dumps({"probe": uuid.uuid4().hex})
    subprocess.run(
        [kcat, "-b", broker, "-P", "-t", topic, "-k", "kcat-probe"],
        input=payload,
        text=True,
        check=True,
        timeout=30,
    )
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=broker,
        auto_offset_reset="earliest",
        consumer_timeout_ms=10_000,
    )
    try:
        values = [message.value.decode() for message in consumer if message.key == b"kcat-probe"]
    finally:
        consumer.close()
    assert payload in values
    listing = subprocess.run(
        [kcat, "-b", broker, "-L", "-t", topic], capture_output=True, text=True, timeout=30
    )
    assert f'topic "{topic}"' in listing.stdout
