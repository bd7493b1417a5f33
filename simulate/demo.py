"""`make demo`: the live loop on local defaults, end to end, with a readable live view.

Starts from running Kafka/Redis (`make infra`) and the bootstrap model (`make model`): writes
the catalog and loads it into Feast, starts the stream worker (features and copy decisions) and
the generator service (Kafka consumer and HTTP API), replays simulated shoppers and prints each
copy as it lands on `generated-copy`: user, product, trigger, angle, propensity, text.
"""

from __future__ import annotations

import statistics
import threading
import time
from collections import Counter
from typing import Any

from contracts.logs import configure_logging
from contracts.settings import Settings

DEMO_USERS = 150
DEMO_RATE_PER_S = 40
DEMO_SECONDS = 40
DEMO_CART_ABANDON_S = 10.0
"""The demo's shoppers abandon carts for 10 s, not 30 min, so reminders show while you watch."""


def main() -> None:
    base = Settings()
    settings = base.model_copy(
        update={
            "decisions": base.decisions.model_copy(
                update={"cart_abandon_after_s": DEMO_CART_ABANDON_S}
            )
        }
    )
    configure_logging(settings.model_copy(update={"log_json": False, "log_level": "WARNING"}))
    from features.catalog import CatalogGenerator, write_catalog_jsonl
    from features.catalog_features import CatalogFeatureLoader
    from features.online_reader import OnlineFeatureReader
    from features.store import open_feature_store
    from simulate.worker import (
        GeneratorServiceProcess,
        StreamWorkerProcess,
        wait_until_ready,
        wait_until_serving,
    )

    store = open_feature_store(settings, apply=True)
    catalog = CatalogGenerator(settings.catalog.seed, settings.catalog.products).generate()
    write_catalog_jsonl(catalog, settings.catalog_file)
    CatalogFeatureLoader(store).load(catalog, settings.data_dir / "product_catalog.parquet")
    print(f"catalog: {len(catalog)} products → {settings.catalog_file}")
    logs = settings.home / "logs"
    print(f"starting the stream worker and the generator service; logs in {logs}")
    worker = StreamWorkerProcess(settings, logs / "stream-worker.log").start()
    service = GeneratorServiceProcess(settings, logs / "generator-service.log").start()
    try:
        try:
            wait_until_serving(settings, OnlineFeatureReader(store), timeout_s=120)
            wait_until_ready(settings, timeout_s=120)
        except TimeoutError as exc:
            raise SystemExit(f"{exc}; see the logs in {logs}") from exc
        print(f"live: stream worker and generator service (model {settings.generator_model_dir})")
        _run_live(settings, catalog)
        _ask_over_http(settings, catalog)
    finally:
        service.stop()
        worker.stop()
    print(f"logs: {logs}")


def _run_live(settings: Settings, catalog: list[Any]) -> None:
    from simulate.copy_reader import GeneratedCopyReader
    from simulate.replay import EventReplayer
    from simulate.sessions import ShopperSessionGenerator

    shoppers = ShopperSessionGenerator(catalog, users=DEMO_USERS, seed=settings.catalog.seed)
    total = DEMO_RATE_PER_S * DEMO_SECONDS
    copies = GeneratedCopyReader(settings, from_beginning=False)
    replayer = EventReplayer(settings)
    sender = threading.Thread(
        target=replayer.send,
        args=(shoppers.events(total, spacing_ms=1000 / DEMO_RATE_PER_S),),
        kwargs={"rate_per_s": DEMO_RATE_PER_S, "total": total, "progress": False},
    )
    replayer.send_raw(b"demo", b"{not json")  # shows the dead-letter path
    print(
        f"replaying {total} events from {DEMO_USERS} shoppers at {DEMO_RATE_PER_S}/s; carts "
        f"left {DEMO_CART_ABANDON_S:.0f} s get a reminder\n"
    )
    print(
        f"{'time':<9}{'user':<8}{'product':<9}{'trigger':<15}{'chan':<6}{'loc':<6}"
        f"{'angle (written)':<28}{'p':>6}{'ms':>6}  text"
    )
    seen: list[Any] = []
    sender.start()
    quiet_until = None
    while quiet_until is None or time.monotonic() < quiet_until:
        for copy, _ in copies.read(timeout_s=0.5):
            seen.append(copy)
            _print_copy(copy)
        if quiet_until is None and not sender.is_alive():
            quiet_until = time.monotonic() + DEMO_CART_ABANDON_S + 5
    replayer.close()
    copies.close()
    _print_summary(seen)


def _print_copy(copy: Any) -> None:
    angle = copy.requested_angle.value
    if copy.angle != copy.requested_angle:
        angle += f" ({copy.angle.value})"
    source = " [template]" if copy.fallback.used else ""
    print(
        f"{time.strftime('%H:%M:%S'):<9}{copy.user_id:<8}{copy.product_id:<9}"
        f"{copy.trigger.value:<15}{copy.channel.value:<6}{copy.locale.value:<6}{angle:<28}"
        f"{copy.propensity:>6.3f}{copy.latency_ms:>6.0f}  {copy.text}{source}"
    )


def _print_summary(copies: list[Any]) -> None:
    if not copies:
        print("\nno copies arrived; see the logs")
        return
    latencies = sorted(copy.latency_ms for copy in copies)
    p99 = latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))]
    triggers = Counter(copy.trigger.value for copy in copies)
    templates = sum(copy.fallback.used for copy in copies)
    print(
        f"\n{len(copies)} copies ({', '.join(f'{n} {t}' for t, n in triggers.items())}); "
        f"{templates} templates; request → copy latency p50 "
        f"{statistics.median(latencies):.0f} ms, p99 {p99:.0f} ms"
    )


def _ask_over_http(settings: Settings, catalog: list[Any]) -> None:
    """The synchronous path a live session would use."""
    import httpx

    url = f"http://{settings.service.http_host}:{settings.service.http_port}/v1/copy"
    body = {
        "user_id": "u00001",
        "product_id": catalog[0].product_id,
        "channel": "app",
        "locale": "zh-CN",
    }
    token = settings.service.api_token.get_secret_value()
    started = time.perf_counter()
    response = httpx.post(url, json=body, headers={"Authorization": f"Bearer {token}"})
    took = (time.perf_counter() - started) * 1000
    print(f"\nPOST {url} {body} → {response.status_code} in {took:.0f} ms")
    if response.is_success:
        copy = response.json()
        print(f"  angle {copy['angle']} (p={copy['propensity']:.3f}): {copy['text']}")
    else:
        print(f"  {response.text}")


if __name__ == "__main__":
    main()
