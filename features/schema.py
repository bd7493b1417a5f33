"""Names and Feast types of every online feature; the Feast repo and the writers share them."""

from __future__ import annotations

from feast.types import Array, Bool, FeastType, Float64, Int64, String

# Windowed counts are named `<kind>_<window>`; windows come from settings but the Feast schema
# is static, so the supported windows are fixed here and settings may only choose among them.
WINDOW_NAMES: dict[int, str] = {600: "10m", 3_600: "1h", 86_400: "24h"}
USER_COUNT_KINDS = ("views", "searches", "carts", "purchases", "copy_impressions", "copy_clicks")
PRODUCT_COUNT_KINDS = ("views", "carts", "purchases")

USER_ACTIVITY_VIEW = "user_activity"
PRODUCT_CATALOG_VIEW = "product_catalog"
PRODUCT_POPULARITY_VIEW = "product_popularity"
ENTITY_KEY_OF_VIEW = {
    USER_ACTIVITY_VIEW: "user_id",
    PRODUCT_CATALOG_VIEW: "product_id",
    PRODUCT_POPULARITY_VIEW: "product_id",
}


def windowed(kinds: tuple[str, ...]) -> list[str]:
    return [f"{kind}_{name}" for kind in kinds for name in WINDOW_NAMES.values()]


USER_ACTIVITY_FIELDS = {
    **dict.fromkeys(windowed(USER_COUNT_KINDS), Int64),
    "top_categories": Array(String),
    "price_affinity": Float64,
    "discount_sensitivity": Float64,
    "last_channel": String,
    "last_locale": String,
    "last_event_at": Int64,
    "events_total": Int64,
}

PRODUCT_POPULARITY_FIELDS = dict.fromkeys(windowed(PRODUCT_COUNT_KINDS), Int64)

PRODUCT_CATALOG_FIELDS = {
    "brand": String,
    "category": String,
    "price": Float64,
    "list_price": Float64,
    "currency": String,
    "discount_pct": Int64,
    "rating": Float64,
    "review_count": Int64,
    "stock": Int64,
    "is_new": Bool,
    "free_shipping": Bool,
    "title_en": String,
    "description_en": String,
    "title_zh_cn": String,
    "description_zh_cn": String,
    "price_zh_cn": Float64,
    "list_price_zh_cn": Float64,
    "attributes_json": String,
}

# The outcome log (features/outcome_log.py) as an offline-only view keyed by copy id: what each
# shown copy was (decision, text, where) and what it earned. Timestamp column: `shown_at`.
COPY_OUTCOMES_VIEW = "copy_outcomes"
COPY_OUTCOME_FIELDS: dict[str, FeastType] = {
    "user_id": String,
    "product_id": String,
    "channel": String,
    "slot": String,
    "locale": String,
    "trigger": String,
    "angle": String,
    "requested_angle": String,
    "propensity": Float64,
    "angle_pmf": Array(Float64),
    "policy_version": String,
    "model_version": String,
    "text": String,
    "fallback_used": Bool,
    "features_snapshot_id": String,
    "user_features_json": String,
    "product_features_json": String,
    "impressions": Int64,
    "clicks": Int64,
    "add_to_carts": Int64,
    "purchases": Int64,
    "reward": Float64,
}
