"""`copystream-catalog generate|import`: make a sample catalog or bring in a shop's own.

Both write the canonical JSONL catalog (default `<home>/data/catalog.jsonl`) that the feature
writer and the copy service read. Heavy imports stay inside the commands.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from features.catalog.importer import BadRow, CatalogImport

EXIT_NO_GOOD_ROWS = 2
_OUT_PATH = click.Path(dir_okay=False, path_type=Path)


@click.group()
def main() -> None:
    """Make or import the product catalog every other service reads."""


@main.command()
@click.option("--seed", type=int, default=None, help="random seed [default: settings]")
@click.option(
    "--products", type=click.IntRange(min=1), default=None, help="how many [default: settings]"
)
@click.option("--out", type=_OUT_PATH, default=None, help=".jsonl or .csv [default: data dir]")
def generate(seed: int | None, products: int | None, out: Path | None) -> None:
    """Write a synthetic catalog; the same seed always gives the same file."""
    from tqdm import tqdm

    from contracts.errors import CatalogError
    from contracts.settings import Settings
    from features.catalog.files import write_catalog_csv, write_catalog_jsonl
    from features.catalog.generator import CatalogGenerator

    settings = Settings()
    seed = settings.catalog.seed if seed is None else seed
    count = settings.catalog.products if products is None else products
    out = settings.data_dir / "catalog.jsonl" if out is None else out
    if out.suffix.lower() not in (".jsonl", ".csv"):
        raise click.BadParameter(f"must end in .jsonl or .csv; got {out.name}", param_hint="--out")
    generator = CatalogGenerator(seed=seed, products=count)
    catalog = list(tqdm(generator.iter_products(), total=count, unit="product", desc="catalog"))
    write = write_catalog_csv if out.suffix.lower() == ".csv" else write_catalog_jsonl
    try:
        write(catalog, out)
    except CatalogError as err:
        raise click.ClickException(str(err)) from err
    click.echo(f"wrote {len(catalog)} products (seed {seed}) to {out}")


@main.command("import")
@click.argument("src", type=click.Path(path_type=Path))
@click.option("--out", type=_OUT_PATH, default=None, help="JSONL catalog [default: data dir]")
def import_catalog(src: Path, out: Path | None) -> None:
    """Validate a shop's .csv or .jsonl catalog and save its good rows.

    Bad rows are listed (line, product id, reason) and skipped. Exits 0 when at least one row was
    imported, 2 when none was (nothing is written then), 1 when the file cannot be read.
    """
    from contracts.errors import CatalogError
    from contracts.settings import Settings
    from features.catalog.files import write_catalog_jsonl
    from features.catalog.importer import CatalogImporter

    out = Settings().data_dir / "catalog.jsonl" if out is None else out
    try:
        result = CatalogImporter().load(src)
        if result.products:
            write_catalog_jsonl(result.products, out)
    except CatalogError as err:
        raise click.ClickException(str(err)) from err
    click.echo(_import_report(src, out, result))
    if not result.products:
        raise click.exceptions.Exit(EXIT_NO_GOOD_ROWS)


def _import_report(src: Path, out: Path, result: CatalogImport) -> str:
    """Bad rows as an aligned table, notes on unused columns, then a one-line summary."""
    lines: list[str] = []
    if result.bad_rows:
        lines += [f"{len(result.bad_rows)} bad row(s) skipped:", *_bad_row_table(result.bad_rows)]
    if result.ignored_columns:
        lines.append(f"columns not used: {', '.join(result.ignored_columns)}")
    total = len(result.products) + len(result.bad_rows)
    if result.products:
        lines.append(f"imported {len(result.products)} of {total} rows from {src} into {out}")
    else:
        lines.append(f"no valid rows among {total} in {src}; nothing written to {out}")
    return "\n".join(lines)


def _bad_row_table(bad_rows: list[BadRow]) -> list[str]:
    ids = [row.product_id or "-" for row in bad_rows]
    line_width = max(len("line"), *(len(str(row.line)) for row in bad_rows))
    id_width = max(len("product_id"), *(len(product_id) for product_id in ids))
    header = f"  {'line':>{line_width}}  {'product_id':<{id_width}}  reason"
    return [header] + [
        f"  {row.line:>{line_width}}  {product_id:<{id_width}}  {row.reason}"
        for row, product_id in zip(bad_rows, ids, strict=True)
    ]


if __name__ == "__main__":
    main()
