"""The one settings object every Copystream service is built from.

Values come from `COPYSTREAM_*` environment variables (nested sections use `__`, e.g.
`COPYSTREAM_KAFKA__BOOTSTRAP_SERVERS`), then a `.env` file, then these defaults. Build it once
at the entry point with `Settings()` and pass it down; nothing reads the environment elsewhere.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

_ROOT = Path(__file__).resolve().parent.parent


def _reveal(value: object) -> str:
    """JSON for values json cannot encode; secrets are passed on in clear to child processes."""
    if isinstance(value, SecretStr):
        return value.get_secret_value()
    return str(value)


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class TopicNames(_Section):
    user_events: str = "user-events"
    copy_requests: str = "copy-requests"
    generated_copy: str = "generated-copy"
    dead_letters: str = "dead-letters"
    product_activity: str = "product-activity"  # prefixed with the stream app id


class KafkaSettings(_Section):
    host: str = "127.0.0.1"
    port: int = 19092
    controller_port: int = 19093
    topics: TopicNames = TopicNames()
    user_events_partitions: int = Field(6, ge=1)
    partitions: int = Field(3, ge=1, description="partitions of every other topic")
    max_event_bytes: int = Field(16_384, ge=256, description="larger events are dead-lettered")
    start_timeout_s: float = 90.0
    heap: str = "-Xms256m -Xmx1g"

    @property
    def bootstrap_servers(self) -> str:
        return f"{self.host}:{self.port}"


class RedisSettings(_Section):
    host: str = "127.0.0.1"
    port: int = 16379
    db: int = 0
    password: SecretStr | None = None

    @property
    def connection_string(self) -> str:
        suffix = f",password={self.password.get_secret_value()}" if self.password else ""
        return f"{self.host}:{self.port},db={self.db}{suffix}"


class FeastSettings(_Section):
    project: str = "copystream"
    online_store: Literal["sqlite", "redis"] = "sqlite"


class StreamSettings(_Section):
    app_id: str = "copystream-features"
    batch_max_events: int = Field(2_000, ge=1)
    batch_max_delay_ms: int = Field(
        20, ge=1, description="longest wait to fill a micro-batch (bounds added latency)"
    )
    writes_in_flight: int = Field(2, ge=1, description="micro-batches written to Feast at once")
    window_seconds: tuple[int, ...] = (600, 3_600, 86_400)
    bucket_seconds: int = Field(60, ge=1, description="resolution of windows up to 1 h")
    coarse_bucket_seconds: int = Field(3_600, ge=1, description="resolution of longer windows")
    top_categories: int = Field(3, ge=1)
    dedupe_max_ids: int = Field(256, ge=1, description="event ids remembered per user, at most")
    dedupe_horizon_s: float = Field(
        3_600.0, gt=0, description="event ids are remembered this long (event time)"
    )
    price_ewma_alpha: float = Field(0.2, gt=0, le=1, description="weight of the newest price")
    category_half_life_s: float = Field(3_600.0, gt=0, description="how fast interest fades")
    max_tracked_categories: int = Field(20, ge=1)
    session_timeout_s: float = Field(
        10.0, gt=0, description="how soon a dead worker's partitions are reassigned"
    )
    commit_interval_s: float = Field(1.0, gt=0, description="how often offsets are committed")
    metrics_port: int = Field(9466, description="Prometheus /metrics of the stream worker")


class CatalogSettings(_Section):
    seed: int = 7
    products: int = Field(500, ge=1)


class Settings(BaseSettings):
    """Frozen, typed configuration; unknown keys are rejected so typos fail loudly."""

    model_config = SettingsConfigDict(
        env_prefix="COPYSTREAM_",
        env_nested_delimiter="__",
        env_file=".env",
        extra="forbid",
        frozen=True,
    )

    home: Path = Field(_ROOT / ".cache", description="installs, data and state (ignored by git)")
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_json: bool = True
    kafka: KafkaSettings = KafkaSettings()
    redis: RedisSettings = RedisSettings()
    feast: FeastSettings = FeastSettings()
    streams: StreamSettings = StreamSettings()
    catalog: CatalogSettings = CatalogSettings()

    def to_env(self) -> dict[str, str]:
        """Environment variables that rebuild these settings in a child process."""
        env = {"COPYSTREAM_HOME": str(self.home), "COPYSTREAM_LOG_LEVEL": self.log_level}
        env["COPYSTREAM_LOG_JSON"] = "true" if self.log_json else "false"
        for name in ("kafka", "redis", "feast", "streams", "catalog"):
            section: BaseModel = getattr(self, name)
            env[f"COPYSTREAM_{name.upper()}"] = json.dumps(
                section.model_dump(mode="python"), default=_reveal
            )
        return env

    @property
    def product_activity_topic(self) -> str:
        """Internal to one stream app (like Faust's own topics), so twin apps never share it."""
        return f"{self.streams.app_id}-{self.kafka.topics.product_activity}"

    @property
    def data_dir(self) -> Path:
        return self.home / "data"

    @property
    def state_dir(self) -> Path:
        return self.home / "state"
