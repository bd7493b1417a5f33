"""The one way Copystream builds a Faust app, so every stream app commits, times out and logs
alike (the feature worker and the outcome joiner)."""

from __future__ import annotations

import faust

from contracts.logs import logging_dict_config
from contracts.settings import Settings
from streams.stall_guard import install_stall_guard


def new_faust_app(settings: Settings, app_id: str) -> faust.App:
    """Raw bytes in and out (contracts parse them), in-memory tables restored from their
    changelogs, the commit and liveness timing of `settings.streams`, and the stall guard."""
    cfg, kafka = settings.streams, settings.kafka
    datadir = settings.state_dir / "faust" / app_id
    datadir.mkdir(parents=True, exist_ok=True)
    app = faust.App(
        app_id,
        broker=f"kafka://{kafka.bootstrap_servers}",
        store="memory://",
        datadir=str(datadir),
        key_serializer="raw",
        value_serializer="raw",
        web_enabled=False,
        consumer_auto_offset_reset="earliest",
        topic_allow_declare=True,
        topic_replication_factor=1,
        broker_commit_interval=cfg.commit_interval_s,
        broker_session_timeout=cfg.session_timeout_s,
        broker_heartbeat_interval=min(3.0, cfg.session_timeout_s / 3),
        stream_buffer_maxsize=max(8_192, 2 * cfg.batch_max_events),
        producer_linger_ms=5,
        logging_config=logging_dict_config(settings),
    )
    install_stall_guard(app, cfg.stall_check_interval_s, cfg.stall_rewind_after_s)
    return app
