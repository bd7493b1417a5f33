"""`make demo`: the main job on local defaults, end to end, with a live view.

Starts from running Kafka/Redis (`make infra`), generates the catalog, loads it into Feast,
starts the stream worker, replays simulated shoppers and prints live feature values, then the
copy the exported model writes for a few products (checked; templates where the model failed).
"""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from contracts.logs import configure_logging
from contracts.settings import Settings

DEMO_USERS = 400
DEMO_RATE_PER_S = 1_500
DEMO_SECONDS = 20
WATCHED = 5


def main() -> None:
    settings = Settings()
    configure_logging(settings.model_copy(update={"log_json": False, "log_level": "WARNING"}))
    from features.catalog import CatalogGenerator, write_catalog_jsonl
    from features.catalog_features import CatalogFeatureLoader
    from features.online_reader import OnlineFeatureReader
    from features.store import open_feature_store
    from simulate.worker import StreamWorkerProcess, wait_until_serving

    store = open_feature_store(settings, apply=True)
    catalog = CatalogGenerator(settings.catalog.seed, settings.catalog.products).generate()
    write_catalog_jsonl(catalog, settings.catalog_file)
    CatalogFeatureLoader(store).load(catalog, settings.data_dir / "product_catalog.parquet")
    print(f"catalog: {len(catalog)} products → {settings.data_dir / 'catalog.jsonl'}")

    print(f"starting stream worker (python -m streams), log → {_worker_log(settings)}")
    worker = StreamWorkerProcess(settings, _worker_log(settings)).start()
    try:
        reader = OnlineFeatureReader(store)
        try:
            wait_until_serving(settings, reader, timeout_s=120)
        except TimeoutError as exc:
            raise SystemExit(f"{exc}; see {_worker_log(settings)}") from exc
        print("stream worker is up")
        _run_live(settings, reader, catalog)
    finally:
        worker.stop()
    print(f"worker log: {_worker_log(settings)}")


def _worker_log(settings: Settings) -> Path:
    return settings.home / "logs" / "stream-worker.log"


def _run_live(settings: Settings, reader: Any, catalog: list[Any]) -> None:
    from simulate.replay import EventReplayer
    from simulate.sessions import ShopperSessionGenerator

    shoppers = ShopperSessionGenerator(catalog, users=DEMO_USERS, seed=settings.catalog.seed)
    watched = [s.user_id for s in shoppers.shoppers[:WATCHED]]
    total = DEMO_RATE_PER_S * DEMO_SECONDS
    replayer = EventReplayer(settings)
    sender = threading.Thread(
        target=replayer.send,
        args=(shoppers.events(total, spacing_ms=1000 / DEMO_RATE_PER_S),),
        kwargs={"rate_per_s": DEMO_RATE_PER_S, "total": total, "progress": False},
    )
    replayer.send_raw(b"demo", b"{not json")  # shows the dead-letter path
    print(f"replaying {total} events from {DEMO_USERS} shoppers at {DEMO_RATE_PER_S}/s …")
    sender.start()
    while sender.is_alive():
        time.sleep(2)
        _print_users(reader, watched)
    time.sleep(2)
    _print_users(reader, watched)
    _print_products(reader, catalog[:WATCHED])
    _print_copies(settings)


def _print_copies(settings: Settings) -> None:
    """What the bootstrap model writes for the watched products (the live loop is issue 4)."""
    from serving.samples import sample_rows

    print(f"\ncopy for the watched products (model {settings.generator_model_dir})")
    rows = sample_rows(settings, products=2, seed=settings.catalog.seed)
    for row in rows:
        print(
            f"{row['product']:<8}{row['locale']:<6}{row['channel']:<6}{row['written as']:<14}"
            f"{row['source']:<9}{row['text']}"
        )


def _print_users(reader: Any, users: list[str]) -> None:
    print(f"\n{time.strftime('%H:%M:%S')}  live user features (Feast online store)")
    print(
        f"{'user':<8}{'views 10m':>10}{'carts 1h':>9}{'buys 24h':>9}  {'price aff.':>10}"
        f"{'disc. sens.':>12}  {'channel':<8}{'top categories'}"
    )
    for user in users:
        row = reader.user(user)
        if row is None:
            print(f"{user:<8}  (no events yet)")
            continue
        print(
            f"{user:<8}{row['views_10m']:>10}{row['carts_1h']:>9}{row['purchases_24h']:>9}  "
            f"{row['price_affinity']:>10.2f}{row['discount_sensitivity']:>12.2f}  "
            f"{row['last_channel']:<8}{', '.join(row['top_categories'] or [])}"
        )


def _print_products(reader: Any, products: list[Any]) -> None:
    print("\nproduct features (catalog + stream popularity)")
    for product in products:
        row = reader.product(product.product_id) or {}
        print(
            f"{product.product_id:<8}{(row.get('title_en') or '')[:38]:<40}"
            f"views 1h {row.get('views_1h') or 0:>4}  carts 24h {row.get('carts_24h') or 0:>3}"
            f"  price {row.get('price')} {row.get('currency')}"
        )


if __name__ == "__main__":
    main()
