"""`python -m streams.outcomes`: the outcome joiner, built from Settings here and only here."""

from __future__ import annotations

from contracts.logs import configure_logging
from contracts.settings import Settings


def main() -> None:
    settings = Settings()
    configure_logging(settings)
    import faust

    from infra.topics import TopicSpec, ensure_topics
    from streams.outcomes.app import copies_topic, create_outcome_app

    # The re-keyed copies topic exists before Faust's assignor runs: a topic Faust declares
    # itself can miss the first assignment and stay unread (see streams/__main__.py).
    copies = TopicSpec(copies_topic(settings), settings.kafka.user_events_partitions, {})
    ensure_topics(settings.kafka, [copies])
    app = create_outcome_app(settings)
    worker = faust.Worker(app, loglevel=settings.log_level, quiet=True)
    worker.execute_from_commandline()


if __name__ == "__main__":
    main()
