"""What `POST /v1/copy` accepts: who, which product, where it shows, in which language."""

from __future__ import annotations

import uuid
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints, ValidationError

from contracts.copies import CopyTrigger, Id
from contracts.vocabulary import Channel, Locale
from policy.requests import CopyAsk, request_id_for
from serving.errors import InvalidCopyAskError
from serving.service.messages import describe_validation_error

HTTP_SLOT = "api"


class CopyAskBody(BaseModel):
    """The JSON body; unknown fields are rejected so a typo is a 422, not a silent default."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    user_id: Id
    product_id: Id
    channel: Channel
    locale: Locale
    slot: Annotated[str, StringConstraints(min_length=1, max_length=64)] = HTTP_SLOT
    search_query: Annotated[str, StringConstraints(max_length=200)] | None = None

    @classmethod
    def parse(cls, raw: bytes) -> CopyAskBody:
        try:
            return cls.model_validate_json(raw)
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
