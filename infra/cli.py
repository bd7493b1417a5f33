"""`copystream-infra up|down|status`: the local stack for tests and the demo."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from contracts.settings import Settings

if TYPE_CHECKING:
    from infra.kafka_broker import KafkaBroker
    from infra.redis_server import RedisServer


@click.group()
def main() -> None:
    """Start and stop the local Kafka broker and Redis (no Docker needed)."""


@main.command()
@click.option("--redis/--no-redis", default=True, help="also start Redis (Feast online store)")
def up(redis: bool) -> None:
    """Install what is missing, start the services, create the topics. Safe to re-run."""
    from infra.debian import ensure_debian_package
    from infra.kafka_broker import KafkaBroker
    from infra.redis_server import RedisServer
    from infra.topics import ensure_topics

    settings = Settings()
    KafkaBroker(settings).start()
    click.echo(f"kafka  up on {settings.kafka.bootstrap_servers}")
    created = ensure_topics(settings.kafka)
    click.echo(f"topics created: {', '.join(created) or 'none (all existed)'}")
    if redis:
        RedisServer(settings).start()
        click.echo(f"redis  up on {settings.redis.host}:{settings.redis.port}")
    # kcat: the outside Kafka client for poking at topics (and for the live-loop tests).
    click.echo(f"kcat   at {ensure_debian_package('kcat', 'kcat')}")


@main.command()
def topics() -> None:
    """Create the topics on an existing broker (e.g. the docker-compose one)."""
    from infra.topics import ensure_topics

    created = ensure_topics(Settings().kafka)
    click.echo(f"topics created: {', '.join(created) or 'none (all existed)'}")


@main.command()
def down() -> None:
    """Stop the services (data stays under the settings' home folder)."""
    for name, service in _services(Settings()):
        click.echo(f"{name} {'stopped' if service.stop() else 'was not running'}")


@main.command()
def status() -> None:
    for name, service in _services(Settings()):
        click.echo(f"{name}: {'running' if service.running() else 'stopped'}")


def _services(settings: Settings) -> list[tuple[str, KafkaBroker | RedisServer]]:
    from infra.kafka_broker import KafkaBroker
    from infra.redis_server import RedisServer

    return [("kafka", KafkaBroker(settings)), ("redis", RedisServer(settings))]


if __name__ == "__main__":
    main()
