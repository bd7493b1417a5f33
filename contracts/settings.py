"""The one settings object every Copystream service is built from.

Values come from `COPYSTREAM_*` environment variables (nested sections use `__`, e.g.
`COPYSTREAM_KAFKA__BOOTSTRAP_SERVERS`), then a `.env` file, then these defaults. Build it once
at the entry point with `Settings()` and pass it down; nothing reads the environment elsewhere.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, computed_field
from pydantic_settings import BaseSettings, SettingsConfigDict

_ROOT = Path(__file__).resolve().parent.parent


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class TopicNames(_Section):
    user_events: str = "user-events"
    copy_requests: str = "copy-requests"
    generated_copy: str = "generated-copy"
    dead_letters: str = "dead-letters"
    product_activity: str = "product-activity"


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

    @computed_field  # type: ignore[prop-decorator]
    @property
    def bootstrap_servers(self) -> str:
        return f"{self.host}:{self.port}"


class RedisSettings(_Section):
    host: str = "127.0.0.1"
    port: int = 16379
    db: int = 0
    password: SecretStr | None = None

    @computed_field  # type: ignore[prop-decorator]
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
    batch_max_delay_ms: int = Field(20, ge=1)
    writes_in_flight: int = Field(2, ge=1, description="micro-batches written to Feast at once")
    window_seconds: tuple[int, ...] = (600, 3_600, 86_400)
    bucket_seconds: int = Field(60, ge=1)
    top_categories: int = Field(3, ge=1)
    dedupe_max_ids: int = Field(512, ge=1, description="event ids remembered per user")
    web_port: int = 16066
    table_partitions: int | None = None


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

    @property
    def data_dir(self) -> Path:
        return self.home / "data"

    @property
    def state_dir(self) -> Path:
        return self.home / "state"
