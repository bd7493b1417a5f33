"""Creates Copystream's topics explicitly, with their settings (Faust creates its own)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from contracts.settings import KafkaSettings

DAY_MS = 24 * 3600 * 1000


@dataclass(frozen=True)
class TopicSpec:
    name: str
    partitions: int
    configs: dict[str, str]


def topic_specs(kafka: KafkaSettings) -> list[TopicSpec]:
    """`user-events` is keyed by user id with several partitions; dead letters keep 14 days."""
    t = kafka.topics
    events = {"retention.ms": str(7 * DAY_MS), "max.message.bytes": str(1024 * 1024)}
    return [
        TopicSpec(t.user_events, kafka.user_events_partitions, events),
        TopicSpec(t.copy_requests, kafka.partitions, {"retention.ms": str(DAY_MS)}),
        TopicSpec(t.generated_copy, kafka.partitions, {"retention.ms": str(7 * DAY_MS)}),
        TopicSpec(t.dead_letters, 1, {"retention.ms": str(14 * DAY_MS)}),
    ]


def ensure_topics(kafka: KafkaSettings, extra: Sequence[TopicSpec] = ()) -> list[str]:
    """Create missing topics (ours plus `extra`); returns the names created (existing ones are
    left as they are)."""
    from kafka import KafkaAdminClient

    admin = KafkaAdminClient(bootstrap_servers=kafka.bootstrap_servers)
    try:
        existing = set(admin.list_topics())
        wanted = {
            spec.name: {
                "num_partitions": spec.partitions,
                "replication_factor": 1,
                "configs": spec.configs,
            }
            for spec in [*topic_specs(kafka), *extra]
            if spec.name not in existing
        }
        if wanted:
            admin.create_topics(wanted, wait_for_metadata=True)
        return sorted(wanted)
    finally:
        admin.close()


def tagged_topic_names(kafka: KafkaSettings, tag: str) -> dict[str, str]:
    """Every topic name with a suffix, for runs that must not see each other's messages."""
    return {name: f"{value}-{tag}" for name, value in kafka.topics.model_dump().items()}
