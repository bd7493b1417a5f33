"""Feast objects for Copystream. `feast apply` imports this file: keep it free of side effects."""

from datetime import timedelta

from feast import Entity, FeatureView, Field, FileSource, PushSource, ValueType

from features.schema import (
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

ALL_OBJECTS = [user, product, user_activity, product_popularity, product_catalog]
