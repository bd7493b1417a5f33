"""Behaviour events on `user-events`: one JSON object per message, keyed by `user_id`.

Parse raw bytes with `parse_event`; it raises `InvalidEventError` with a readable reason
instead of letting pydantic's exception escape, so the caller can dead-letter the message.
Parsing is strict: the wire's types are the contract's (a price sent as the string "19.99" or
as `true`, or an epoch number as `ts`, is refused, not coerced). `EventAdmission` is the one
door of `user-events`: every consumer of the topic admits a message by the same rules, so an
event one stage accepts, every stage after it can process.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    field_validator,
)

from contracts.errors import InvalidEventError
from contracts.fields import DiscountPct, Price, Quantity, SearchQuery
from contracts.fields import ExternalId as Identifier
from contracts.settings import KafkaSettings
from contracts.vocabulary import Channel, EventType, Locale


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
    quantity: Quantity = 1
    copy_id: Identifier | None = Field(None, description="the copy that led here, if known")


class RemoveFromCartEvent(ProductEventBase):
    type: Literal[EventType.REMOVE_FROM_CART]
    quantity: Quantity = 1


class PurchaseEvent(ProductEventBase):
    type: Literal[EventType.PURCHASE]
    quantity: Quantity = 1
    order_id: Identifier | None = None
    copy_id: Identifier | None = Field(
        None, description="the copy that led here; else attributed by product and time window"
    )


class SearchEvent(EventBase):
    type: Literal[EventType.SEARCH]
    query: SearchQuery


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
    """Validate one message value strictly; raise `InvalidEventError` saying which field is
    wrong."""
    try:
        return _EVENT_ADAPTER.validate_json(raw, strict=True)
    except ValidationError as exc:
        raise InvalidEventError(_describe(exc), error_type=_error_type(exc)) from exc


@dataclass(frozen=True)
class EventAdmission:
    """The rules a `user-events` message must pass before any stage acts on it.

    Time is measured from the Kafka record's timestamp (capped at the wall clock), so a replay
    after a crash admits exactly what the first run admitted. Events from the future beyond
    `max_future_s` are refused: one such event would otherwise move a product's windows ahead
    for every shopper. Events older than the windows are admitted and counted as late.
    """

    max_bytes: int
    max_future_s: float

    @classmethod
    def of(cls, kafka: KafkaSettings) -> EventAdmission:
        return cls(kafka.max_event_bytes, kafka.max_event_future_s)

    def admit(
        self, key: bytes | None, value: bytes | None, record_timestamp: float, now: float
    ) -> BehaviourEvent:
        """The event, or `InvalidEventError` with the reason and its dead-letter error type.
        Timestamps are epoch seconds; a record without one (0) is measured from `now`."""
        if not value:
            raise InvalidEventError("message has no value", "empty")
        if len(value) > self.max_bytes:
            raise InvalidEventError(
                f"message is {len(value)} bytes; events may be at most {self.max_bytes} bytes "
                "(kafka.max_event_bytes)",
                "oversized",
            )
        event = parse_event(value)
        user_key = key.decode("utf-8", "replace") if key is not None else None
        if user_key != event.user_id:
            raise InvalidEventError(
                f"message key {user_key!r} differs from user_id {event.user_id!r}; produce "
                "events with key=user_id so each user's events stay in one partition",
                "wrong_key",
            )
        reference = min(record_timestamp, now) if record_timestamp > 0 else now
        ahead = event.ts_seconds - reference
        if ahead > self.max_future_s:
            raise InvalidEventError(
                f"ts {event.ts.isoformat()} is {ahead:.0f} s after the time the message was "
                f"produced; events may be at most {self.max_future_s:.0f} s in the future "
                "(kafka.max_event_future_s): check the sender's clock",
                "future_event",
            )
        return event


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
