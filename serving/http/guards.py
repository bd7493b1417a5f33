"""What a caller must get right before any work is done: the bearer token and the body size."""

from __future__ import annotations

import hmac

from fastapi import Request
from pydantic import SecretStr

from serving.errors import (
    InvalidCopyAskError,
    MissingTokenError,
    RequestTooLargeError,
    WrongTokenError,
)


class BearerToken:
    """Checks `Authorization: Bearer <token>` against `service.api_token` in constant time."""

    def __init__(self, token: SecretStr) -> None:
        self._expected = token.get_secret_value().encode()

    def check(self, authorization: str | None) -> None:
        scheme, _, token = (authorization or "").strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise MissingTokenError(
                "send `Authorization: Bearer <token>` (the token is service.api_token, "
                "COPYSTREAM_SERVICE__API_TOKEN)"
            )
        if not hmac.compare_digest(token.strip().encode(), self._expected):
            raise WrongTokenError(
                "the bearer token is not this service's service.api_token; check the token"
            )


async def read_limited_body(request: Request, max_bytes: int) -> bytes:
    """The body, refused with `RequestTooLargeError` once it passes `max_bytes` — by its
    Content-Length before reading, and by what actually arrives while reading."""
    declared = request.headers.get("content-length")
    if declared is not None:
        try:
            length = int(declared)
        except ValueError:
            raise InvalidCopyAskError(f"Content-Length {declared!r} is not a number") from None
        if length > max_bytes:
            raise RequestTooLargeError(_too_large(length, max_bytes))
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > max_bytes:
            raise RequestTooLargeError(_too_large(len(body), max_bytes, at_least=True))
    return bytes(body)


def _too_large(size: int, limit: int, at_least: bool = False) -> str:
    amount = f"at least {size}" if at_least else str(size)
    return f"the body has {amount} bytes; this API takes at most {limit} (service.max_body_bytes)"
