"""`python -m streams`: the stream worker, built from Settings here and only here."""

from __future__ import annotations

from contracts.logs import configure_logging
from contracts.settings import Settings


def main() -> None:
    settings = Settings()
    configure_logging(settings)
    import faust

    from features.store import open_feature_store
    from infra.topics import TopicSpec, ensure_topics
    from streams.app import create_app

    open_feature_store(settings, apply=True)
    # The worker's internal topic exists before Faust's assignor runs: a topic Faust declares
    # itself can miss the first assignment ("Ignoring missing topic") and stay unread.
    activity = TopicSpec(settings.product_activity_topic, settings.kafka.partitions, {})
    ensure_topics(settings.kafka, [activity])
    app = create_app(settings)
    worker = faust.Worker(app, loglevel=settings.log_level, quiet=True)
    worker.execute_from_commandline()


if __name__ == "__main__":
    main()
