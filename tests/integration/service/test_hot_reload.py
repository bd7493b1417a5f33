"""Hot reload under load answers every request: a generator service serving release r1 picks up
r2 (new copy model version, a fresh VW policy and a reward model) while requests keep streaming
in, without restarting and without failing, losing or repeating any of them. The stream worker's
decider picks up a newly published policy the same way."""

from __future__ import annotations

import json
import shutil
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from statistics import median

import httpx
import pytest
from kafka import KafkaProducer

from contracts.copies import CopyRequest, GeneratedCopy
from contracts.product import Product
from contracts.settings import PolicySettings, Settings
from contracts.vocabulary import Locale
from features.online_reader import OnlineFeatureReader
from features.store import open_feature_store
from policy.registry import write_policy_folder
from policy.uniform import UNIFORM_VERSION
from policy.vowpal import VowpalAnglePolicy
from releases.manifest import Component, ComponentRecord, ReleaseManifest
from releases.served import ONNX_SUBDIR, release_registry
from serving.model.manifest import MANIFEST_FILE
from serving.reward import RewardModel
from simulate.replay import EventReplayer
from simulate.worker import (
    GeneratorServiceProcess,
    StreamWorkerProcess,
    wait_until_ready,
    wait_until_serving,
)
from tests.events_factory import make_event
from tests.integration.conftest import live_settings
from tests.integration.service.kafka_io import (
    TopicReader,
    answered,
    build_requests,
    copies_by_request,
    free_port,
)
from tests.polling import poll_until

pytestmark = [pytest.mark.integration, pytest.mark.slow]

CHUNKS = 60  # requests are sent in chunks, one every SEND_EVERY_S: a steady stream
CHUNK = 4
SEND_EVERY_S = 0.15
PUBLISH_AFTER = 40  # copies answered by r1 before r2 is published


def _publish(
    settings: Settings, version: str, onnx_dir: Path, model_version: str, *, learned: bool
) -> tuple[str | None, str | None]:
    """A release serving `onnx_dir` as `model_version`; `learned` adds a VW angle policy and a
    reward model. Returns their versions."""
    registry = release_registry(settings)
    records: dict[Component, ComponentRecord] = {}
    policy_version = reward_version = None
    with registry.staging() as staging:
        onnx = staging / Component.COPY_MODEL.value / ONNX_SUBDIR
        shutil.copytree(onnx_dir, onnx)
        manifest = json.loads((onnx / MANIFEST_FILE).read_text())
        manifest["model_version"] = model_version
        (onnx / MANIFEST_FILE).write_text(json.dumps(manifest))
        records[Component.COPY_MODEL] = ComponentRecord(version=model_version, trained_in=version)
        if learned:
            with VowpalAnglePolicy(PolicySettings()) as policy:
                policy_version = write_policy_folder(
                    staging / Component.ANGLE_POLICY.value, policy, trained_on=0
                )
            records[Component.ANGLE_POLICY] = ComponentRecord(
                version=policy_version, trained_in=version
            )
            reward = RewardModel.fresh(settings)
            reward_version = reward.save(staging / Component.REWARD_MODEL.value)
            reward.close()
            records[Component.REWARD_MODEL] = ComponentRecord(
                version=reward_version, trained_in=version
            )
        registry.publish(
            staging,
            ReleaseManifest(version=version, created_at=datetime.now(UTC), components=records),
            reason=f"hot reload test publishes {version}",
        )
    return policy_version, reward_version


class SteadySender(threading.Thread):
    """Sends CHUNK fresh requests every SEND_EVERY_S (each built just before it is sent, so its
    latency is the service's), remembering when each was sent."""

    def __init__(self, settings: Settings, catalog: list[Product], tag: str) -> None:
        super().__init__(daemon=True)
        self.settings, self.catalog, self.tag = settings, catalog, tag
        self.sent_at: dict[str, float] = {}
        self.error: BaseException | None = None

    def run(self) -> None:
        producer = KafkaProducer(bootstrap_servers=self.settings.kafka.bootstrap_servers)
        try:
            for chunk in range(CHUNKS):
                started = time.monotonic()
                requests = build_requests(self.settings, self.catalog, CHUNK, f"{self.tag}-{chunk}")
                for request in requests:
                    producer.send(
                        self.settings.kafka.topics.copy_requests,
                        key=request.user_id.encode(),
                        value=request.model_dump_json().encode(),
                    )
                    self.sent_at[request.request_id] = time.monotonic()
                producer.flush()
                time.sleep(max(0.0, SEND_EVERY_S - (time.monotonic() - started)))
        except BaseException as exc:  # surfaced by the test
            self.error = exc
        finally:
            producer.close()


def _version(base: str) -> dict[str, str | None]:
    return dict(httpx.get(f"{base}/version", timeout=5).json())


def _latencies(copies: list[GeneratedCopy]) -> str:
    values = sorted(copy.latency_ms for copy in copies)
    return f"n={len(values)} p50={median(values):.0f} ms max={values[-1]:.0f} ms"


def test_hot_reload_under_load_answers_every_request(infra, tmp_path, tiny_model, tiny_catalog):
    port = free_port()
    settings = live_settings(
        infra,
        tmp_path,
        tiny_model.onnx_dir,
        tiny_catalog,
        generator={"intra_op_threads": 1},  # no pinned model_dir: the registry decides
        service={
            "http_port": port,
            "group_id": f"generator-{uuid.uuid4().hex[:8]}",
            "max_batch_requests": 4,
            "reload_check_interval_s": 0.2,
        },
    )
    base = f"http://127.0.0.1:{port}"
    first_model = tiny_model.manifest.model_version
    second_model = f"{first_model}-r2"
    _publish(settings, "r1", tiny_model.onnx_dir, first_model, learned=False)

    service = GeneratorServiceProcess(settings, tmp_path / "generator.log").start()
    copies = TopicReader(settings, settings.kafka.topics.generated_copy)
    dead_letters = TopicReader(settings, settings.kafka.topics.dead_letters)
    sender = SteadySender(settings, tiny_catalog, tmp_path.name)
    try:
        wait_until_ready(settings, 180)
        assert _version(base)["release"] == "r1"
        sender.start()
        copies.until(lambda v: len(v) >= PUBLISH_AFTER or not service.alive(), 120, "r1 copies")
        assert service.alive(), service.log_tail()
        published_at = time.monotonic()
        policy_version, reward_version = _publish(
            settings, "r2", tiny_model.onnx_dir, second_model, learned=True
        )
        poll_until(lambda: _version(base)["release"] == "r2", 60, "/version to name r2")
        swapped_at = time.monotonic()
        sender.join(120)
        assert not sender.is_alive() and sender.error is None, sender.error
        ids = set(sender.sent_at)
        everything = answered(ids)
        copies.until(lambda v: everything(v) or not service.alive(), 120, "every copy")
        assert service.alive(), service.log_tail()

        ask = {"user_id": "u-http", "product_id": tiny_catalog[0].product_id}
        token = settings.service.api_token.get_secret_value()
        response = httpx.post(
            f"{base}/v1/copy",
            json={**ask, "channel": "app", "locale": "en"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
        assert response.status_code == 200, response.text
        on_demand = GeneratedCopy.model_validate_json(response.content)
        metrics = httpx.get(f"{base}/metrics", timeout=5).text
        time.sleep(1.0)  # a dead letter would have been produced with its request
        letters = dead_letters.read()
        by_request = copies_by_request(copies.read())
    finally:
        service.stop()
        copies.close()
        dead_letters.close()
    log = service.log_path.read_text()

    assert set(by_request) >= ids
    assert all(len(by_request[i]) == 1 for i in ids), "every request answered exactly once"
    assert letters == []
    assert log.count('"service_started"') == 1, "the service never restarted"

    served = [by_request[i][0] for i in ids]
    assert {(c.release_version, c.model_version) for c in served} == {
        ("r1", first_model),
        ("r2", second_model),
    }
    old = [c for c in served if c.release_version == "r1"]
    new = [c for c in served if c.release_version == "r2"]
    # One model thread writes batch after batch: every r1 copy is written before any r2 copy.
    assert max(c.created_at for c in old) <= min(c.created_at for c in new)
    late = [i for i in ids if sender.sent_at[i] > swapped_at]
    assert late and all(by_request[i][0].release_version == "r2" for i in late)
    assert all(c.reward_model_version is None for c in old)
    assert all(c.reward_model_version == reward_version for c in new if not c.fallback.used)

    assert (on_demand.release_version, on_demand.policy_version) == ("r2", policy_version)
    assert 'copystream_reloads_total{result="swapped"} 1.0' in metrics
    assert f'release="r2",reward_model_version="{reward_version}"' in metrics

    swap = next(json.loads(line) for line in log.splitlines() if '"release_swapped"' in line)
    around = [
        by_request[i][0] for i in ids if published_at - 1 <= sender.sent_at[i] <= swapped_at + 1
    ]
    print(
        f"\nr2 loaded in {swap['load_seconds']} s, /version named it "
        f"{swapped_at - published_at:.2f} s after publishing; latency r1 {_latencies(old)}; "
        f"r2 {_latencies(new)}; around the swap {_latencies(around)}"
    )


def test_the_decider_decides_with_a_newly_published_policy_without_restarting(
    infra, tmp_path, tiny_model, tiny_catalog
):
    settings = live_settings(
        infra,
        tmp_path,
        tiny_model.onnx_dir,
        tiny_catalog,
        decisions={"policy_reload_interval_s": 0.2},
    )
    worker = StreamWorkerProcess(settings, tmp_path / "stream-worker.log").start()
    events = EventReplayer(settings, linger_ms=0)
    requests = TopicReader(settings, settings.kafka.topics.copy_requests)
    product = tiny_catalog[0]
    price = product.localized(Locale.EN).price
    viewers = iter(range(10_000))

    def view() -> None:
        """A product view from a new shopper: one copy request, decided by the policy now."""
        event = make_event(
            "view",
            f"viewer-{next(viewers)}",
            datetime.now(UTC),
            product_id=product.product_id,
            category=product.category,
            price=price,
        )
        events.send([event], progress=False)

    def policies() -> list[str]:
        return [CopyRequest.model_validate_json(v).policy_version for v in requests.read()]

    try:
        wait_until_serving(settings, OnlineFeatureReader(open_feature_store(settings)), 180, worker)
        view()
        requests.until(lambda values: len(values) >= 1, 60, "a request under the cold start")
        assert set(policies()) == {UNIFORM_VERSION}  # the readiness probe may ask too
        policy_version, _ = _publish(
            settings, "r1", tiny_model.onnx_dir, tiny_model.manifest.model_version, learned=True
        )

        def decided_by_new_policy() -> bool:
            view()
            return policy_version in policies()

        poll_until(decided_by_new_policy, 60, "a request decided by the published policy")
        assert worker.alive(), worker.log_tail()
        decided = policies()
    finally:
        events.close()
        requests.close()
        worker.stop()
    switched = decided.index(str(policy_version))
    assert set(decided[:switched]) == {UNIFORM_VERSION}
    assert set(decided[switched:]) == {policy_version}, "once swapped, the new policy decides"
    log = worker.log_path.read_text()
    assert log.count('"angle_policy_swapped"') == 1
