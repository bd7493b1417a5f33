"""`copystream-features load|check`: put the catalog file into the Feast online store, or see
whether it is there.

The stream worker needs the catalog's features to ask for copy (without them every view is
skipped as `unknown_product`), so after Redis lost its data run `load`, or let the worker's
catalog guard do it. Heavy imports (Feast) stay inside the commands.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from contracts.settings import Settings

EXIT_CATALOG_INCOMPLETE = 3
"""`check`'s exit status when some catalog products are not in the online store."""
_SHOWN_MISSING = 10

_catalog_option = click.option(
    "--catalog",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="JSONL catalog [default: <home>/data/catalog.jsonl]",
)


@click.group()
def main() -> None:
    """Load the product catalog into the Feast online store and check that it is there."""


@main.command()
@_catalog_option
def load(catalog: Path | None) -> None:
    """Register the Feast repo and write every catalog product to the online store."""
    from contracts.settings import Settings
    from features.catalog_features import load_catalog_file

    settings = Settings()
    path = settings.catalog_file if catalog is None else catalog
    with _readable_errors(settings):
        written = load_catalog_file(settings, path)
    click.echo(f"wrote {written} products from {path} to {describe_online_store(settings)}")


@main.command()
@_catalog_option
def check(catalog: Path | None) -> None:
    """Count the catalog's products the online store holds.

    Exits 0 when it holds all of them, 3 when some are missing, 1 when it cannot tell.
    """
    from contracts.settings import Settings
    from features.catalog_features import catalog_product_ids, missing_catalog_products
    from features.store import open_feature_store

    settings = Settings()
    path = settings.catalog_file if catalog is None else catalog
    with _readable_errors(settings):
        ids = catalog_product_ids(path)
        missing = missing_catalog_products(open_feature_store(settings), ids)
    where = describe_online_store(settings)
    click.echo(f"{len(ids) - len(missing)} of {len(ids)} catalog products from {path} in {where}")
    if missing:
        shown = ", ".join(missing[:_SHOWN_MISSING])
        more = f" and {len(missing) - _SHOWN_MISSING} more" if len(missing) > _SHOWN_MISSING else ""
        click.echo(f"missing: {shown}{more}; run `copystream-features load`")
        raise click.exceptions.Exit(EXIT_CATALOG_INCOMPLETE)


def describe_online_store(settings: Settings) -> str:
    """Which online store and Feast project, in words (no password)."""
    project = f"(Feast project {settings.feast.project})"
    if settings.feast.online_store == "redis":
        redis = settings.redis
        return f"the redis online store at {redis.host}:{redis.port} db {redis.db} {project}"
    from features.store import feast_home

    return f"the sqlite online store at {feast_home(settings) / 'online.db'} {project}"


@contextmanager
def _readable_errors(settings: Settings) -> Iterator[None]:
    """Known failures as one-line messages saying what to run; anything else as it is."""
    from contracts.errors import CatalogError

    try:
        yield
    except CatalogError as err:
        raise click.ClickException(str(err)) from err
    except Exception as err:
        message = _store_error_message(err, settings)
        if message is None:
            raise
        raise click.ClickException(message) from err


def _store_error_message(err: Exception, settings: Settings) -> str | None:
    """What to do about an online-store or registry error; None for any other error. Feast and
    redis are imported only here, so a missing catalog file is reported without them."""
    from feast.errors import FeastObjectNotFoundException, ProjectNotFoundException
    from redis.exceptions import ConnectionError as RedisConnectionError
    from redis.exceptions import TimeoutError as RedisTimeoutError

    if isinstance(err, RedisConnectionError | RedisTimeoutError):
        where = f"{settings.redis.host}:{settings.redis.port}"
        return f"cannot reach Redis at {where} ({err}); start it with `copystream-infra up`"
    if isinstance(err, FeastObjectNotFoundException | ProjectNotFoundException):
        return (
            f"the Feast registry does not know the catalog ({err}); run `copystream-features load`"
        )
    return None


if __name__ == "__main__":
    main()
