"""Closed vocabularies that appear on the wire."""

from enum import StrEnum


class EventType(StrEnum):
    VIEW = "view"
    SEARCH = "search"
    ADD_TO_CART = "add_to_cart"
    REMOVE_FROM_CART = "remove_from_cart"
    PURCHASE = "purchase"
    COPY_IMPRESSION = "copy_impression"
    COPY_CLICK = "copy_click"
    COPY_REQUEST = "copy_request"


class Channel(StrEnum):
    WEB = "web"
    APP = "app"
    PUSH = "push"
    EMAIL = "email"
    SMS = "sms"


class Locale(StrEnum):
    EN = "en"
    ZH_CN = "zh-CN"


class Angle(StrEnum):
    """Marketing angle a copy is written from (chosen per user and product by the policy)."""

    DISCOUNT = "discount"
    QUALITY = "quality"
    SOCIAL_PROOF = "social_proof"
    URGENCY = "urgency"
    SCARCITY = "scarcity"
    NEW_ARRIVAL = "new_arrival"
    FREE_SHIPPING = "free_shipping"
    BRAND_STORY = "brand_story"
    GIFT = "gift"
    VALUE = "value"
