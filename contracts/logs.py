"""Structured logging for every service: one JSON (or key=value) event per line.

The same dictConfig is handed to Faust/mode, which otherwise install their own plain-text
handlers when a worker starts; stdlib loggers (Faust, aiokafka, Feast) are rendered alike.
"""

from __future__ import annotations

import logging.config
from typing import Any

import structlog

from contracts.settings import Settings

_SHARED: list[Any] = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def logging_dict_config(settings: Settings) -> dict[str, Any]:
    renderer = (
        structlog.processors.JSONRenderer()
        if settings.log_json
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "structured": {
                "()": structlog.stdlib.ProcessorFormatter,
                "processors": [
                    structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    structlog.processors.format_exc_info,
                    renderer,
                ],
                "foreign_pre_chain": _SHARED,
            }
        },
        "handlers": {
            "default": {
                "class": "logging.StreamHandler",
                "formatter": "structured",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"level": settings.log_level, "handlers": ["default"]},
    }


def configure_logging(settings: Settings) -> None:
    """Call once at a service's entry point."""
    structlog.configure(
        processors=[*_SHARED, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        cache_logger_on_first_use=True,
    )
    logging.config.dictConfig(logging_dict_config(settings))


def get_logger(name: str) -> Any:
    return structlog.stdlib.get_logger(name)
