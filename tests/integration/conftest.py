"""Session fixtures: the real Kafka broker and Redis, started once on test ports."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from contracts.product import Product
from contracts.settings import Settings
from infra.kafka_broker import KafkaBroker
from infra.redis_server import RedisServer
from infra.topics import ensure_topics, tagged_topic_names
from simulate.worker import StreamWorkerProcess
from tests.integration.tiny_model import (  # noqa: F401  (session fixtures shared by all folders)
    tiny_catalog,
    tiny_model,
    tiny_settings_home,
)

ROOT = Path(__file__).resolve().parents[2]
# Parallel test sessions (e.g. two checkouts) each set their own base port; the default
# leaves a running demo stack (19092/16379) alone.
KAFKA_PORT = int(os.environ.get("COPYSTREAM_TEST_KAFKA_PORT", "29092"))
REDIS_PORT = 26379 + KAFKA_PORT - 29092
TEST_HOME = ROOT / ".cache" / ("test-infra" if KAFKA_PORT == 29092 else f"test-infra-{KAFKA_PORT}")


@pytest.fixture(scope="session")
def infra() -> Iterator[Settings]:
    """Kafka and Redis on their own ports, so a running demo stack is left alone."""
    settings = Settings(
        home=TEST_HOME,
        kafka={"port": KAFKA_PORT, "controller_port": KAFKA_PORT + 1},
        redis={"port": REDIS_PORT},
    )
    broker, redis = KafkaBroker(settings), RedisServer(settings)
    broker.start()
    redis.start()
    yield settings
    broker.stop()
    redis.stop()


def isolated_settings(infra: Settings, home: Path, online_store: str = "sqlite") -> Settings:
    """Fresh topics, consumer group, Feast project and state dir for one test."""
    tag = uuid.uuid4().hex[:10]
    topics = tagged_topic_names(infra.kafka, tag)
    settings = Settings(
        home=home,
        kafka={**infra.kafka.model_dump(), "topics": topics},
        redis=infra.redis.model_dump(),
        feast={"project": f"t{tag}", "online_store": online_store},
        streams={"app_id": f"features-{tag}", "metrics_port": 0, "batch_max_delay_ms": 10},
    )
    ensure_topics(settings.kafka)
    return settings


@pytest.fixture(params=["sqlite", "redis"])
def online_store(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def settings(infra: Settings, tmp_path: Path, online_store: str) -> Settings:
    return isolated_settings(infra, tmp_path, online_store)


@pytest.fixture
def sqlite_settings(infra: Settings, tmp_path: Path) -> Settings:
    return isolated_settings(infra, tmp_path, "sqlite")


@pytest.fixture
def start_worker(tmp_path: Path) -> Iterator[object]:
    """Starts stream workers for a test and stops whatever is left at the end."""
    workers: list[StreamWorkerProcess] = []

    def start(settings: Settings, name: str = "worker") -> StreamWorkerProcess:
        worker = StreamWorkerProcess(settings, tmp_path / f"{name}-{len(workers)}.log").start()
        workers.append(worker)
        return worker

    yield start
    for worker in workers:
        worker.stop()


def live_settings(
    infra: Settings, home: Path, model_dir: Path, catalog: list[Product], **sections: object
) -> Settings:
    """Isolated settings for the live loop: tiny model, its catalog in the catalog file and in
    Feast (SQLite), fast timers and no metrics ports; `sections` override whole sections."""
    base = isolated_settings(infra, home, "sqlite")
    defaults: dict[str, object] = {
        "generator": {"model_dir": model_dir, "intra_op_threads": 1},
        "catalog": {"products": len(catalog)},
        "service": {"http_port": 0, "group_id": f"generator-{base.feast.project}"},
        "decisions": {"cart_abandon_after_s": 2.0, "cart_check_interval_s": 0.2},
    }
    settings = Settings(
        **{
            **base.model_dump(exclude={"copy_rules"}),
            **defaults,
            **sections,
        }
    )
    from features.catalog import write_catalog_jsonl
    from features.catalog_features import CatalogFeatureLoader
    from features.store import open_feature_store

    write_catalog_jsonl(catalog, settings.catalog_file)
    store = open_feature_store(settings, apply=True)
    CatalogFeatureLoader(store).load(catalog, settings.data_dir / "product_catalog.parquet")
    return settings
