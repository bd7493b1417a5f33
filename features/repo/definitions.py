"""Feast objects for Copystream. `feast apply` imports this file: keep it free of side effects."""

from datetime import timedelta

from feast import Entity, FeatureView, Field, FileSource, PushSource, ValueType
from feast.data_format import ParquetFormat

from features.schema import (
    COPY_OUTCOME_FIELDS,
    COPY_OUTCOMES_VIEW,
    PRODUCT_CATALOG_FIELDS,
    PRODUCT_CATALOG_VIEW,
    PRODUCT_POPULARITY_FIELDS,
    PRODUCT_POPULARITY_VIEW,
    USER_ACTIVITY_FIELDS,
    USER_ACTIVITY_VIEW,
)

user = Entity(name="user", join_keys=["user_id"], value_type=ValueType.STRING)
product = Entity(name="product", join_keys=["product_id"], value_type=ValueType.STRING)


def _push_source(name: str) -> PushSource:
    """Streams write through push sources; the file source is where the offline copy lives."""
    offline = FileSource(
        name=f"{name}_offline",
        path=f"data/{name}.parquet",
        timestamp_field="event_timestamp",
    )
    return PushSource(name=f"{name}_push", batch_source=offline)


def _view(name: str, entity: Entity, fields: dict, ttl: timedelta) -> FeatureView:
    return FeatureView(
        name=name,
        entities=[entity],
        ttl=ttl,
        schema=[Field(name=key, dtype=dtype) for key, dtype in fields.items()],
        source=_push_source(name),
        online=True,
    )


user_activity = _view(USER_ACTIVITY_VIEW, user, USER_ACTIVITY_FIELDS, timedelta(days=2))
product_popularity = _view(
    PRODUCT_POPULARITY_VIEW, product, PRODUCT_POPULARITY_FIELDS, timedelta(days=2)
)
product_catalog = _view(PRODUCT_CATALOG_VIEW, product, PRODUCT_CATALOG_FIELDS, timedelta(days=3650))

copy_entity = Entity(name="copy", join_keys=["copy_id"], value_type=ValueType.STRING)


def copy_outcomes_view(log_uri: str) -> FeatureView:
    """The outcome log as an offline-only view: a FileSource on the log root (a folder of
    `date=YYYY-MM-DD` partitions, read as one hive-partitioned dataset; Feast's file offline
    store reads it with dask). Records re-written after a crash share copy id and `shown_at`,
    so a point-in-time join returns one of two identical rows."""
    source = FileSource(
        name=f"{COPY_OUTCOMES_VIEW}_log",
        path=log_uri,
        timestamp_field="shown_at",
        created_timestamp_column="closed_at",
        file_format=ParquetFormat(),
    )
    return FeatureView(
        name=COPY_OUTCOMES_VIEW,
        entities=[copy_entity],
        ttl=timedelta(days=3650),
        schema=[Field(name=key, dtype=dtype) for key, dtype in COPY_OUTCOME_FIELDS.items()],
        source=source,
        online=False,
    )


# `feast apply` from this folder reads ./data/outcomes; services register the log root from
# Settings instead (`feast_objects`, called by features/store.py).
copy_outcomes = copy_outcomes_view("data/outcomes")

ALL_OBJECTS = [
    user,
    product,
    user_activity,
    product_popularity,
    product_catalog,
    copy_entity,
    copy_outcomes,
]


def feast_objects(outcome_log_uri: str) -> list[object]:
    """Every object to register, with the copy outcomes read from `outcome_log_uri`."""
    return [
        *(o for o in ALL_OBJECTS if o is not copy_outcomes),
        copy_outcomes_view(outcome_log_uri),
    ]
