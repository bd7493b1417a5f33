"""The one door to Feast: builds the repo config from Settings and registers the definitions."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from contracts.settings import Settings

if TYPE_CHECKING:
    from feast import FeatureStore
    from feast.repo_config import RepoConfig

REPO_DIR = Path(__file__).resolve().parent / "repo"


def feast_home(settings: Settings) -> Path:
    """Registry and SQLite files live per online-store type, so both can be used side by side."""
    return settings.home / "feast" / settings.feast.online_store


def repo_config(settings: Settings) -> RepoConfig:
    from feast.repo_config import RepoConfig

    home = feast_home(settings)
    online: dict[str, object]
    if settings.feast.online_store == "redis":
        online = {"type": "redis", "connection_string": settings.redis.connection_string}
    else:
        online = {"type": "sqlite", "path": str(home / "online.db")}
    return RepoConfig(
        project=settings.feast.project,
        provider="local",
        registry=str(home / "registry.db"),
        online_store=online,
        offline_store={"type": "file"},
        entity_key_serialization_version=3,
        repo_path=REPO_DIR,
    )


def open_feature_store(settings: Settings, apply: bool = False) -> FeatureStore:
    """A FeatureStore for the configured online store; `apply=True` registers the definitions."""
    from feast import FeatureStore

    feast_home(settings).mkdir(parents=True, exist_ok=True)
    store = FeatureStore(config=repo_config(settings))
    if apply:
        from features.repo.definitions import feast_objects

        store.apply(feast_objects(settings.outcome_log_uri))  # type: ignore[arg-type]
    return store
