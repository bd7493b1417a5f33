"""`python -m serving.samples`: copies for a few products in every locale, channel and angle.

A readable look at what the exported model writes (and where the template took over), used by
`make demo` and for the README's samples.
"""

from __future__ import annotations

import itertools

import click

from contracts.settings import Settings
from contracts.vocabulary import Angle, Channel, Locale


def sample_rows(settings: Settings, products: int, seed: int) -> list[dict[str, str]]:
    """One copy per (product, locale, channel, angle) combination, channels and angles cycled."""
    from features.catalog.files import load_catalog
    from serving.checks import CopyChecker
    from serving.facts import ProductFacts
    from serving.generator import CopyGenerator, CopyJob
    from serving.prompting import CopyBrief

    catalog = load_catalog(settings)
    generator = CopyGenerator.from_settings(
        settings, CopyChecker.from_rules(settings.copy_rules, catalog)
    )
    combos = list(itertools.product(catalog[:products], Locale, Angle))
    channels = itertools.cycle(Channel)
    jobs = []
    for index, (product, locale, angle) in enumerate(combos):
        facts = ProductFacts.of(product, locale, settings.copy_rules.low_stock_threshold)
        jobs.append(CopyJob(CopyBrief(facts, next(channels), angle), seed=seed + index))
    rows = []
    for job, copy in zip(jobs, generator.write(jobs), strict=True):
        rows.append(
            {
                "product": job.brief.facts.product_id,
                "locale": job.brief.locale.value,
                "channel": job.brief.channel.value,
                "angle": job.brief.angle.value,
                "written as": copy.angle,
                "source": "template" if copy.fallback else "model",
                "text": copy.text,
            }
        )
    return rows


@click.command()
@click.option("--products", type=click.IntRange(min=1), default=2)
@click.option("--seed", type=int, default=1)
@click.option("--markdown", is_flag=True, help="a Markdown table (for docs)")
def main(products: int, seed: int, markdown: bool) -> None:
    """Print sample copies from the exported model."""
    rows = sample_rows(Settings(), products, seed)
    if markdown:
        click.echo("| product | locale | channel | angle | written as | source | copy |")
        click.echo("|---|---|---|---|---|---|---|")
        for row in rows:
            click.echo("| " + " | ".join(row[key].replace("|", "\\|") for key in row) + " |")
        return
    for row in rows:
        click.echo(
            f"{row['product']} {row['locale']:5} {row['channel']:5} {row['angle']:13} "
            f"{row['written as']:13} {row['source']:8} {row['text']}"
        )
    model_share = sum(row["source"] == "model" for row in rows) / len(rows)
    click.echo(f"{model_share:.0%} written by the model, the rest by faithful templates")


if __name__ == "__main__":
    main()
