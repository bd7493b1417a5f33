"""What `POST /v1/copy` accepts: who, which product, where it shows, in which language."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, ConfigDict, ValidationError

from contracts.copies import CopyTrigger
from contracts.fields import ExternalId, SearchQuery
from contracts.vocabulary import Channel, Locale
from policy.requests import CopyAsk, request_id_for
from serving.errors import InvalidCopyAskError
from serving.service.messages import describe_validation_error

HTTP_SLOT = "api"


class CopyAskBody(BaseModel):
    """The JSON body; unknown fields are rejected so a typo is a 422, not a silent default."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    user_id: ExternalId
    product_id: ExternalId
    channel: Channel
    locale: Locale
    slot: ExternalId = HTTP_SLOT
    search_query: SearchQuery | None = None

    @classmethod
    def parse(cls, raw: bytes) -> CopyAskBody:
        try:
            return cls.model_validate_json(raw, strict=True)
        except ValidationError as exc:
            raise InvalidCopyAskError(
                "invalid copy request: " + describe_validation_error(exc, whole="body")
            ) from exc

    def ask(self) -> CopyAsk:
        """An explicit ask with a fresh request id (every HTTP call is a new request)."""
        return CopyAsk(
            request_id=request_id_for("http", uuid.uuid4().hex),
            user_id=self.user_id,
            product_id=self.product_id,
            channel=self.channel,
            locale=self.locale,
            slot=self.slot,
            trigger=CopyTrigger.EXPLICIT,
            search_query=self.search_query,
        )
