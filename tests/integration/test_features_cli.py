"""`copystream-features load|check` and the catalog guard against the real Redis and SQLite
online stores: a catalog lost from the store is seen by `check` and put back by the guard.

Each test has its own Feast project, so deleting its catalog rows leaves other tests' data alone.
"""

from __future__ import annotations

import sqlite3

import pytest
from click.testing import CliRunner, Result

from contracts.product import Product
from contracts.settings import Settings
from features.catalog import CatalogGenerator, write_catalog_jsonl
from features.catalog_guard import CatalogGuard
from features.cli import EXIT_CATALOG_INCOMPLETE, main
from features.schema import PRODUCT_CATALOG_VIEW
from features.store import feast_home

pytestmark = pytest.mark.integration

PRODUCTS = 30


@pytest.fixture(scope="module")
def catalog() -> list[Product]:
    return CatalogGenerator(seed=5, products=PRODUCTS).generate()


def run(settings: Settings, *args: str) -> Result:
    return CliRunner().invoke(main, list(args), env=settings.to_env())


def lose_catalog(settings: Settings) -> int:
    """Delete this test's catalog rows from the online store, as a Redis restart without
    persistence would; returns how many entities went."""
    project = settings.feast.project
    if settings.feast.online_store == "redis":
        import redis

        client = redis.Redis(
            host=settings.redis.host, port=settings.redis.port, db=settings.redis.db
        )
        keys = list(client.scan_iter(match=b"*" + project.encode(), count=1_000))
        return int(client.delete(*keys)) if keys else 0
    with sqlite3.connect(feast_home(settings) / "online.db") as db:
        table = f'"{project}_{PRODUCT_CATALOG_VIEW}"'
        lost = db.execute(f"SELECT COUNT(DISTINCT entity_key) FROM {table}").fetchone()[0]
        db.execute(f"DELETE FROM {table}")
    return int(lost)


def test_check_fails_until_load_and_the_guard_restores_a_lost_catalog(
    settings: Settings, catalog: list[Product]
) -> None:
    write_catalog_jsonl(catalog, settings.catalog_file)
    never_loaded = run(settings, "check")
    assert never_loaded.exit_code == 1
    assert "copystream-features load" in never_loaded.output

    loaded = run(settings, "load")
    assert loaded.exit_code == 0, loaded.output
    assert f"wrote {PRODUCTS} products" in loaded.output
    assert f"the {settings.feast.online_store} online store" in loaded.output
    complete = run(settings, "check")
    assert complete.exit_code == 0, complete.output
    assert f"{PRODUCTS} of {PRODUCTS} catalog products" in complete.output

    assert lose_catalog(settings) == PRODUCTS
    lost = run(settings, "check")
    assert lost.exit_code == EXIT_CATALOG_INCOMPLETE, lost.output
    assert f"0 of {PRODUCTS} catalog products" in lost.output

    guard = CatalogGuard(settings)
    report = guard.check_and_restore()
    assert report.reloaded
    assert report.missing == report.sampled == settings.catalog.guard_sample
    assert report.written == PRODUCTS
    restored = run(settings, "check")
    assert restored.exit_code == 0, restored.output
    assert f"{PRODUCTS} of {PRODUCTS} catalog products" in restored.output
    assert not guard.check_and_restore().reloaded


def test_load_names_the_missing_catalog_file_and_what_to_run(sqlite_settings: Settings) -> None:
    result = run(sqlite_settings, "load")
    assert result.exit_code == 1
    assert str(sqlite_settings.catalog_file) in result.output
    assert "copystream-catalog generate" in result.output


def test_load_reads_the_catalog_named_on_the_command_line(
    sqlite_settings: Settings, catalog: list[Product], tmp_path_factory: pytest.TempPathFactory
) -> None:
    elsewhere = tmp_path_factory.mktemp("shop") / "catalog.jsonl"
    write_catalog_jsonl(catalog[:7], elsewhere)
    loaded = run(sqlite_settings, "load", "--catalog", str(elsewhere))
    assert loaded.exit_code == 0, loaded.output
    assert f"wrote 7 products from {elsewhere}" in loaded.output
    checked = run(sqlite_settings, "check", "--catalog", str(elsewhere))
    assert checked.exit_code == 0, checked.output
