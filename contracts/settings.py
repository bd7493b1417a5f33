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

from contracts.copies import CopyTrigger
from contracts.outcomes import OutcomeKind
from contracts.vocabulary import Channel, Locale

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
    max_event_future_s: float = Field(
        300.0,
        ge=0,
        description="events timed further ahead of their Kafka record are dead-lettered",
    )
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
    socket_timeout_s: float = Field(
        2.0, gt=0, description="a Redis call that gets no answer by then fails (no hang)"
    )
    connect_timeout_s: float = Field(1.0, gt=0, description="how long to wait for a connection")
    append_only: bool = Field(
        True, description="the local Redis keeps an append-only file, so a restart keeps the data"
    )

    @property
    def connection_string(self) -> str:
        """Feast's Redis connection string; its options are redis-py's client arguments."""
        suffix = f",password={self.password.get_secret_value()}" if self.password else ""
        return (
            f"{self.host}:{self.port},db={self.db},socket_timeout={self.socket_timeout_s},"
            f"socket_connect_timeout={self.connect_timeout_s}{suffix}"
        )


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
    stall_check_interval_s: float = Field(
        5.0, gt=0, description="how often the stall guard looks for unread backlogs"
    )
    stall_rewind_after_s: float = Field(
        30.0,
        gt=0,
        description="a partition lagging this long with nothing in flight is seeked back to "
        "its committed offset (streams/stall_guard.py)",
    )
    retry_max_wait_s: float = Field(
        5.0, gt=0, description="longest wait between retries of a failed online-store call"
    )
    crash_exit_after_s: float = Field(
        20.0,
        gt=0,
        description="a crashed worker that has not stopped by then exits hard, so a supervisor "
        "restarts it (uncommitted work is redone)",
    )
    metrics_port: int = Field(9466, description="Prometheus /metrics of the stream worker")


class CatalogSettings(_Section):
    seed: int = 7
    products: int = Field(500, ge=1)
    guard_interval_s: float = Field(
        15.0,
        gt=0,
        description="how often the stream worker checks that the online store still holds the "
        "catalog and reloads it if not (features/catalog_guard.py)",
    )
    guard_sample: int = Field(
        8, ge=1, description="catalog products read per check (the first, the last, evenly spread)"
    )


def _limits(en: int, zh: int) -> dict[Locale, int]:
    return {Locale.EN: en, Locale.ZH_CN: zh}


class CopyRuleSettings(_Section):
    """What copy may say and how long it may be; the compliance checker's whole rule book.

    Lengths count characters as the shopper sees them (a Chinese character is one). SMS follows
    the single-segment limits (160 GSM-7 / 70 UCS-2 characters).
    """

    max_chars: dict[Channel, dict[Locale, int]] = {
        Channel.WEB: _limits(90, 40),
        Channel.APP: _limits(90, 40),
        Channel.PUSH: _limits(110, 50),
        Channel.EMAIL: _limits(70, 30),
        Channel.SMS: _limits(160, 70),
    }
    banned_terms: dict[Locale, tuple[str, ...]] = {
        Locale.EN: (
            "guaranteed",
            "risk-free",
            "risk free",
            "miracle",
            "cure",
            "best in the world",
            "world's best",
            "number one",
            "#1",
            "lowest price ever",
            "click here",
            "act now or",
        ),
        # Absolute terms barred in advertising claims by PRC Advertising Law art. 9(3), plus
        # the commonest regulator-cited variants.
        Locale.ZH_CN: (
            "最",
            "第一",
            "国家级",
            "世界级",
            "顶级",
            "极品",
            "极致",
            "首个",
            "首选",
            "唯一",
            "独家",
            "全网",
            "万能",
            "100%",
            "绝对",
            "永久",
            "王牌",
            "史无前例",
        ),
    }
    sms_opt_out: dict[Locale, str] = {
        Locale.EN: "Reply STOP to opt out",
        Locale.ZH_CN: "回T退订",
    }
    low_stock_threshold: int = Field(
        10, ge=1, description="stock at or below this may be called scarce"
    )


class GeneratorSettings(_Section):
    model_dir: Path | None = Field(
        None, description="exported model folder; default <home>/models/bootstrap/onnx"
    )
    provider: Literal["auto", "cuda", "cpu"] = "auto"
    intra_op_threads: int = Field(0, ge=0, description="0 lets onnxruntime choose")
    max_new_tokens: int = Field(48, ge=1, le=256)
    candidates: int = Field(3, ge=1, le=16, description="copies sampled per request")
    max_tries: int = Field(2, ge=1, description="sampling rounds before the template is used")
    temperature: float = Field(0.8, gt=0)
    top_k: int = Field(40, ge=0, description="0 disables top-k")
    top_p: float = Field(0.95, gt=0, le=1)
    repetition_penalty: float = Field(1.15, ge=1)
    max_batch_rows: int = Field(64, ge=1, description="prompt x candidate rows decoded at once")


class DecisionSettings(_Section):
    """When the stream worker asks for copy (streams/), and how often it may for one user."""

    enabled: bool = True
    view_channels: tuple[Channel, ...] = (Channel.WEB, Channel.APP)
    cart_abandon_after_s: float = Field(
        1_800.0, gt=0, description="a cart untouched this long gets push/email copy"
    )
    cart_check_interval_s: float = Field(1.0, gt=0, description="how often carts are checked")
    cart_rescan_interval_s: float = Field(
        30.0, gt=0, description="how often the open-cart index is rebuilt from the table"
    )
    max_requests_per_user: int = Field(3, ge=1, description="copy requests per user per window")
    rate_window_s: float = Field(60.0, gt=0)
    deadline_ms: dict[CopyTrigger, int] = {
        CopyTrigger.PRODUCT_VIEW: 1_000,
        CopyTrigger.CART_ABANDONED: 30_000,
        CopyTrigger.EXPLICIT: 1_000,
    }
    remember_events: int = Field(
        64, ge=1, description="event ids remembered per user to tell replays from new events"
    )
    policy_reload_interval_s: float = Field(
        2.0, gt=0, description="how often the decider checks the registry for a new policy"
    )


class PolicySettings(_Section):
    """The angle policy: a Vowpal Wabbit contextual bandit (cb_explore_adf) over the angles."""

    model_dir: Path | None = Field(
        None, description="published policy folder; default <home>/models/policy/current"
    )
    exploration: Literal["epsilon", "softmax", "bag"] = "epsilon"
    epsilon: float = Field(0.1, ge=0, le=1)
    softmax_lambda: float = Field(10.0, gt=0, description="higher is greedier")
    bag_size: int = Field(5, ge=2)
    seed: int = 11
    ignored_features: tuple[str, ...] = Field(
        ("*_10m", "*_1h", "*_24h", "events_total"),
        description="snapshot features the policy does not see (fnmatch globs): windowed "
        "activity counts say how busy a shopper or product is, not which angle appeals, and "
        "crossed with every angle they let a small log overfit (in the simulator, the first "
        "retrained policy's CTR went from 0.18 with them to 0.27 without)",
    )


class ServiceSettings(_Section):
    """The generator service (serving/): Kafka consumer, dynamic batcher and HTTP API."""

    group_id: str = "copystream-generator"
    max_batch_requests: int = Field(8, ge=1, description="requests decoded together, at most")
    max_wait_ms: float = Field(
        4.0, ge=0, description="longest a request waits for batch-mates (bounds added latency)"
    )
    max_queue: int = Field(2_048, ge=1, description="requests waiting for the model, at most")
    max_poll_records: int = Field(256, ge=1)
    http_host: str = "127.0.0.1"
    http_port: int = Field(8466, ge=0, description="HTTP API and /metrics; 0 disables HTTP")
    reload_check_interval_s: float = Field(
        2.0, gt=0, description="how often the model registry is checked for a new release"
    )
    api_token: SecretStr = Field(
        SecretStr("copystream-local-token"),
        description="bearer token of POST /v1/copy; set your own outside a laptop",
    )
    max_body_bytes: int = Field(4_096, ge=256, description="larger HTTP bodies get 413")
    body_read_timeout_ms: float = Field(
        5_000.0,
        gt=0,
        description="an HTTP body not fully arrived by then gets 408 (a stalled client cannot "
        "hold a connection open)",
    )
    feature_read_timeout_ms: float = Field(
        1_000.0,
        gt=0,
        description="an HTTP ask whose features are not read by then gets 503 with Retry-After "
        "(an online store that hangs cannot hang the API); the explicit trigger's deadline: a "
        "later read would only buy a late template",
    )
    publish_timeout_ms: float = Field(
        2_000,
        gt=0,
        description="an HTTP ask waits this long for Kafka to acknowledge its copy, then gets "
        "503 (the copy is still delivered once the broker answers)",
    )
    publish_retry_s: float = Field(
        300.0,
        gt=0,
        description="a copy Kafka does not acknowledge is retried this long (a broker outage) "
        "before the service stops and leaves its offsets uncommitted",
    )


class TrainingSettings(_Section):
    seed: int = 13
    copies_per_angle: int = Field(2, ge=1, description="reference copies per product/angle/...")
    vocab_size: int = Field(4_000, ge=300)
    n_layer: int = Field(4, ge=1)
    n_head: int = Field(4, ge=1)
    n_embd: int = Field(128, ge=16)
    max_sequence: int = Field(160, ge=32, description="prompt + copy tokens")
    batch_size: int = Field(32, ge=1)
    learning_rate: float = Field(3e-3, gt=0)
    max_steps: int = Field(1_000, ge=1)
    max_minutes: float = Field(8.5, gt=0, description="training stops early at this budget")
    eval_every: int = Field(100, ge=1)
    holdout_share: float = Field(0.05, gt=0, lt=1)
    torch_threads: int = Field(2, ge=1)


class OutcomeSettings(_Section):
    """The outcome joiner (streams/): copies joined to what shoppers did, written to the log."""

    enabled: bool = True
    app_id: str = "copystream-outcomes"
    attribution_window_s: float = Field(
        1_800.0,
        gt=0,
        description="clicks, carts and purchases count this long after the copy was shown",
    )
    unshown_ttl_s: float = Field(
        3_600.0, gt=0, description="a copy never shown is forgotten after this (no example)"
    )
    reward_weights: dict[OutcomeKind, float] = {
        OutcomeKind.CLICK: 1.0,
        OutcomeKind.ADD_TO_CART: 0.0,
        OutcomeKind.PURCHASE: 5.0,
    }
    log_uri: str | None = Field(
        None,
        description="outcome log root: a folder or a pyarrow/fsspec URI such as s3://bucket/x; "
        "default <home>/data/outcomes",
    )
    close_check_interval_s: float = Field(1.0, gt=0, description="how often windows are closed")
    close_grace_s: float = Field(
        10.0, ge=0, description="a window is closed this long after it ends, for events in transit"
    )
    flush_max_records: int = Field(5_000, ge=1, description="records per Parquet file, at most")
    metrics_port: int = Field(9467, description="Prometheus /metrics of the outcome joiner")


class GateSettings(_Section):
    """What a retrained component must show before it replaces the champion."""

    min_examples: int = Field(300, ge=1, description="fewer logged outcomes: nothing promoted")
    max_perplexity_increase: float = Field(
        0.05, ge=0, description="relative held-out perplexity increase allowed"
    )
    max_pass_rate_drop: float = Field(
        0.03,
        ge=0,
        description="absolute drop in the share of sampled copies passing checks (noise: "
        "about 3 points at the default 240 samples)",
    )
    max_distinct_drop: float = Field(0.05, ge=0, description="absolute drop in distinct-2")
    max_policy_value_drop: float = Field(
        0.02,
        ge=0,
        description="relative drop in the SNIPS estimate vs the champion allowed (noise)",
    )
    max_reward_model_loss_increase: float = Field(
        0.0, ge=0, description="relative held-out log-loss increase allowed"
    )


class FineTuneSettings(_Section):
    """Reward-weighted fine-tuning of the copy model on copies that earned reward."""

    method: Literal["lora", "full"] = "lora"
    lora_rank: int = Field(8, ge=1)
    lora_alpha: float = Field(16.0, gt=0)
    lora_dropout: float = Field(0.05, ge=0, lt=1)
    steps: int = Field(120, ge=1)
    batch_size: int = Field(16, ge=1)
    learning_rate: float = Field(1e-3, gt=0, description="LoRA adapter learning rate")
    full_learning_rate: float = Field(
        3e-4, gt=0, description="learning rate when method is full (every weight moves)"
    )
    max_minutes: float = Field(3.0, gt=0, description="fine-tuning stops early at this budget")
    reference_share: float = Field(
        0.5, ge=0, lt=1, description="share of each batch from the reference corpus (anti-drift)"
    )


class RetrainingSettings(_Section):
    """One retraining round (training/): data window, what is trained, how it is judged."""

    data_window_days: int = Field(7, ge=1, description="outcome partitions read per round")
    holdout_share: float = Field(
        0.3, gt=0, lt=1, description="newest share of the window kept for evaluation"
    )
    bootstrap_samples: int = Field(200, ge=10, description="resamples for the OPE interval")
    bandit_passes: int = Field(2, ge=1)
    bandit_refit: bool = Field(
        True,
        description="fit a fresh policy on the whole window each round (logged data is learned "
        "once per policy); False continues the champion on the window",
    )
    bandit_propensity_floor: float = Field(
        0.1,
        gt=0,
        le=1,
        description="propensities are raised to this when the policy learns (importance "
        "weights at most 1/floor): rare exploration picks then cannot swamp the rest",
    )
    reward_model_passes: int = Field(1, ge=1)
    policy_reward: Literal["click", "reward"] = Field(
        "click",
        description="what the angle policy maximises: clicks (cost -1 per clicked copy) or the "
        "weighted reward of settings.outcomes.reward_weights",
    )
    propensity_floor: float = Field(
        1e-3, gt=0, le=1, description="logged propensities are clipped up to this in OPE"
    )
    ope_confidence: float = Field(0.95, gt=0, lt=1, description="level of the OPE interval")
    eval_briefs: int = Field(60, ge=1, description="briefs sampled to judge copy quality")
    eval_samples_per_brief: int = Field(
        4, ge=1, description="copies sampled per brief (240 samples: pass rate +-3 points)"
    )
    keep_versions: int = Field(5, ge=2, description="registry versions kept on disk")
    seed: int = 17
    gate: GateSettings = GateSettings()
    finetune: FineTuneSettings = FineTuneSettings()


_SECTIONS = (
    "kafka",
    "redis",
    "feast",
    "streams",
    "catalog",
    "copy_rules",
    "generator",
    "decisions",
    "policy",
    "service",
    "training",
    "outcomes",
    "retraining",
)


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
    copy_rules: CopyRuleSettings = CopyRuleSettings()
    generator: GeneratorSettings = GeneratorSettings()
    decisions: DecisionSettings = DecisionSettings()
    policy: PolicySettings = PolicySettings()
    service: ServiceSettings = ServiceSettings()
    training: TrainingSettings = TrainingSettings()
    outcomes: OutcomeSettings = OutcomeSettings()
    retraining: RetrainingSettings = RetrainingSettings()

    def to_env(self) -> dict[str, str]:
        """Environment variables that rebuild these settings in a child process."""
        env = {"COPYSTREAM_HOME": str(self.home), "COPYSTREAM_LOG_LEVEL": self.log_level}
        env["COPYSTREAM_LOG_JSON"] = "true" if self.log_json else "false"
        for name in _SECTIONS:
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
    def models_dir(self) -> Path:
        return self.home / "models"

    @property
    def bootstrap_model_dir(self) -> Path:
        """The bootstrap export (`make model`): served until the registry holds a release."""
        return self.models_dir / "bootstrap" / "onnx"

    @property
    def generator_model_dir(self) -> Path:
        """The exported (ONNX) model folder served when no release is published (or pinned)."""
        return self.generator.model_dir or self.bootstrap_model_dir

    @property
    def registry_dir(self) -> Path:
        """The model registry: versioned releases (copy model, angle policy, reward model)."""
        return self.models_dir / "registry"

    @property
    def outcome_log_uri(self) -> str:
        """Root of the outcome log (Parquet, partitioned by date)."""
        return self.outcomes.log_uri or str(self.data_dir / "outcomes")

    @property
    def data_dir(self) -> Path:
        return self.home / "data"

    @property
    def catalog_file(self) -> Path:
        """The canonical catalog (JSONL) every service reads product facts from."""
        return self.data_dir / "catalog.jsonl"

    @property
    def reports_dir(self) -> Path:
        """Reports of retraining rounds that published nothing (a release holds its own)."""
        return self.home / "reports"

    @property
    def state_dir(self) -> Path:
        return self.home / "state"
