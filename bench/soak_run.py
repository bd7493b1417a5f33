"""What one soak run is asked to do (`SoakPlan`) and what it measured (`SoakRun`)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from contracts.settings import Settings


@dataclass(frozen=True)
class SoakPlan:
    minutes: float = 30.0
    events_per_s: float = 20.0
    """Storefront session events (most are views); the decider asks for at most ~10 copies/s
    of them (3 asks per shopper a minute, 200 shoppers): a 2-core machine's generator keeps up."""
    http_per_s: float = 2.0
    http_timeout_s: float = 5.0
    drain_s: float = 60.0
    """After the load: longest wait for the last copies and outcome records."""
    seed: int = 7

    @property
    def duration_s(self) -> float:
        return self.minutes * 60.0

    @property
    def sample_s(self) -> float:
        """10 s for a 30-minute run, shorter for short runs so each window holds samples."""
        return min(max(self.duration_s / 180.0, 2.0), 10.0)

    @property
    def steady_window_s(self) -> tuple[float, float]:
        """Minutes 2-5 of a 30-minute run (after warm-up), scaled to the run's length."""
        return self.duration_s * 2 / 30, self.duration_s * 5 / 30

    @property
    def final_window_s(self) -> tuple[float, float]:
        """The last 20 % of the run."""
        return self.duration_s * 0.8, self.duration_s


@dataclass
class LedgerCounts:
    """What the run's topics hold, read back from their start."""

    events_by_type: dict[str, int]
    copy_requests: int
    requests_with_copy: int
    requests_without_copy: int
    requests_with_several_copies: int
    copies: int
    copies_without_request: int
    """Copies asked over HTTP (they never pass through `copy-requests`)."""
    fallbacks: int
    dead_letters: dict[str, int]


@dataclass
class SoakRun:
    """Everything one run measured; `rss` and `metrics` are per service."""

    plan: SoakPlan
    settings: Settings
    load_s: float = 0.0
    services_alive: bool = True
    rss: dict[str, list[tuple[float, float]]] = field(default_factory=dict)
    processes: dict[str, dict[str, float]] = field(default_factory=dict)
    """Each service's process tree at the last sample (MB per process)."""
    metrics: dict[str, dict[str, float]] = field(default_factory=dict)
    storefront: Counter[str] = field(default_factory=Counter)
    http: Counter[str] = field(default_factory=Counter)
    ledger: LedgerCounts | None = None
    outcome_records: int = 0
