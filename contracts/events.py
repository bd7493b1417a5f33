"""Behaviour events on `user-events`: one JSON object per message, keyed by `user_id`.

Parse raw bytes with `parse_event`; it raises `InvalidEventError` with a readable reason
instead of letting pydantic's exception escape, so the caller can dead-letter the message.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    field_validator,
)

from contracts.errors import InvalidEventError
from contracts.vocabulary import Channel, EventType, Locale

Identifier = Annotated[str, StringConstraints(min_length=1, max_length=128, strip_whitespace=True)]
Price = Annotated[float, Field(ge=0, le=1_000_000)]
DiscountPct = Annotated[int, Field(ge=0, le=95)]


class EventBase(BaseModel):
    """Fields every behaviour event carries; `ts` is normalised to UTC."""

    model_config = ConfigDict(extra="ignore", frozen=True, use_enum_values=False)

    type: EventType
    event_id: Identifier
    schema_version: Literal[1] = 1
    user_id: Identifier
    session_id: Identifier
    ts: AwareDatetime
    channel: Channel
    locale: Locale

    @field_validator("ts")
    @classmethod
    def _to_utc(cls, value: datetime) -> datetime:
        return value.astimezone(UTC)

    @property
    def ts_seconds(self) -> float:
        return self.ts.timestamp()


class ProductEventBase(EventBase):
    """Events about one product carry the facts the shop showed (as GA4 ecommerce items do)."""

    product_id: Identifier
    category: Identifier
    price: Price
    discount_pct: DiscountPct = 0


class ViewEvent(ProductEventBase):
    type: Literal[EventType.VIEW]


class AddToCartEvent(ProductEventBase):
    type: Literal[EventType.ADD_TO_CART]
    quantity: Annotated[int, Field(ge=1, le=1000)] = 1
    copy_id: Identifier | None = Field(None, description="the copy that led here, if known")


class RemoveFromCartEvent(ProductEventBase):
    type: Literal[EventType.REMOVE_FROM_CART]
    quantity: Annotated[int, Field(ge=1, le=1000)] = 1


class PurchaseEvent(ProductEventBase):
    type: Literal[EventType.PURCHASE]
    quantity: Annotated[int, Field(ge=1, le=1000)] = 1
    order_id: Identifier | None = None
    copy_id: Identifier | None = Field(
        None, description="the copy that led here; else attributed by product and time window"
    )


class SearchEvent(EventBase):
    type: Literal[EventType.SEARCH]
    query: Annotated[str, StringConstraints(min_length=1, max_length=256)]


class CopyImpressionEvent(EventBase):
    type: Literal[EventType.COPY_IMPRESSION]
    copy_id: Identifier
    product_id: Identifier
    slot: Identifier = "default"


class CopyClickEvent(EventBase):
    type: Literal[EventType.COPY_CLICK]
    copy_id: Identifier
    product_id: Identifier
    slot: Identifier = "default"


class CopyRequestEvent(EventBase):
    """An explicit ask from a downstream service for copy in a channel and slot."""

    type: Literal[EventType.COPY_REQUEST]
    product_id: Identifier
    slot: Identifier = "default"


BehaviourEvent = Annotated[
    ViewEvent
    | AddToCartEvent
    | RemoveFromCartEvent
    | PurchaseEvent
    | SearchEvent
    | CopyImpressionEvent
    | CopyClickEvent
    | CopyRequestEvent,
    Field(discriminator="type"),
]

_EVENT_ADAPTER: TypeAdapter[BehaviourEvent] = TypeAdapter(BehaviourEvent)


def parse_event(raw: bytes | str) -> BehaviourEvent:
    """Validate one message value; raise `InvalidEventError` saying which field is wrong."""
    try:
        return _EVENT_ADAPTER.validate_json(raw)
    except ValidationError as exc:
        raise InvalidEventError(_describe(exc), error_type=_error_type(exc)) from exc


def event_to_json(event: EventBase) -> bytes:
    return event.model_dump_json(exclude_none=True).encode()


def _error_type(exc: ValidationError) -> str:
    kinds = {err["type"] for err in exc.errors()}
    if kinds & {"json_invalid", "json_type"}:
        return "not_json"
    if kinds & {"union_tag_not_found", "union_tag_invalid", "model_type"}:
        return "unknown_type"
    if "missing" in kinds:
        return "missing_field"
    return "invalid_field"


def _describe(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors(include_url=False)[:5]:
        where = ".".join(str(p) for p in err["loc"]) or "<message>"
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)
