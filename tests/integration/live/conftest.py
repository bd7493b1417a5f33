"""One live loop per module: the real broker, Feast (SQLite), stream worker and generator
service, with the tiny model; tests use their own users so they never see each other's copy."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from contracts.copies import GeneratedCopy
from contracts.product import Product
from contracts.settings import Settings
from contracts.vocabulary import Angle
from features.online_reader import OnlineFeatureReader
from features.store import open_feature_store
from serving.checks import CopyChecker
from serving.facts import ProductFacts
from serving.prompting import CopyBrief
from simulate.copy_reader import GeneratedCopyReader
from simulate.replay import EventReplayer
from simulate.worker import GeneratorServiceProcess, StreamWorkerProcess, wait_until_serving
from tests.integration.conftest import live_settings

LIVE_DECISIONS = {
    "cart_abandon_after_s": 2.0,
    "cart_check_interval_s": 0.2,
    "max_requests_per_user": 3,
    "rate_window_s": 600.0,
    # the tiny model on a busy 2-core test machine: deadlines generous enough for model copy
    "deadline_ms": {"product_view": 20_000, "cart_abandoned": 20_000, "explicit": 20_000},
}


@dataclass
class LiveLoop:
    settings: Settings
    catalog: list[Product]
    events: EventReplayer
    copies: GeneratedCopyReader
    checker: CopyChecker

    def product(self, product_id: str) -> Product:
        return next(p for p in self.catalog if p.product_id == product_id)

    def violations(self, copy: GeneratedCopy) -> list[str]:
        facts = ProductFacts.of(
            self.product(copy.product_id),
            copy.locale,
            self.settings.copy_rules.low_stock_threshold,
        )
        brief = CopyBrief(facts, copy.channel, Angle(copy.requested_angle))
        return [v.rule for v in self.checker.check(copy.text, brief).violations]


@pytest.fixture(scope="module")
def live_loop(infra, tmp_path_factory, tiny_model, tiny_catalog) -> Iterator[LiveLoop]:
    home = tmp_path_factory.mktemp("live-loop")
    settings = live_settings(
        infra, home, tiny_model.onnx_dir, tiny_catalog, decisions=LIVE_DECISIONS
    )
    worker = StreamWorkerProcess(settings, home / "stream-worker.log").start()
    service = GeneratorServiceProcess(settings, home / "generator.log").start()
    events = EventReplayer(settings, linger_ms=0)
    copies = GeneratedCopyReader(settings)
    try:
        wait_until_serving(settings, OnlineFeatureReader(open_feature_store(settings)), 120, worker)
        checker = CopyChecker.from_rules(settings.copy_rules, tiny_catalog)
        yield LiveLoop(settings, tiny_catalog, events, copies, checker)
    finally:
        events.close()
        copies.close()
        service.stop()
        worker.stop()
