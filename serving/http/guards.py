"""What a caller must get right before any work is done: the bearer token, the body size and
sending the whole body in time."""

from __future__ import annotations

import asyncio
import hmac

from fastapi import Request
from pydantic import SecretStr
from starlette.requests import ClientDisconnect

from contracts.logs import get_logger
from serving.errors import (
    BodyReadTimeoutError,
    ClientDisconnectedError,
    InvalidCopyAskError,
    MissingTokenError,
    RequestTooLargeError,
    WrongTokenError,
)

log = get_logger(__name__)


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


async def read_limited_body(request: Request, max_bytes: int, timeout_s: float) -> bytes:
    """The body, refused with `RequestTooLargeError` once it passes `max_bytes` — by its
    Content-Length before reading, and by what actually arrives while reading.

    A body not whole within `timeout_s` raises `BodyReadTimeoutError`; a client that goes away
    before sending all of it raises `ClientDisconnectedError` (logged here, once, as a warning).
    """
    declared = request.headers.get("content-length")
    length: int | None = None
    if declared is not None:
        try:
            length = int(declared)
        except ValueError:
            raise InvalidCopyAskError(f"Content-Length {declared!r} is not a number") from None
        if length > max_bytes:
            raise RequestTooLargeError(_too_large(length, max_bytes))
    body = bytearray()
    try:
        async with asyncio.timeout(timeout_s):
            async for chunk in request.stream():
                body += chunk
                if len(body) > max_bytes:
                    raise RequestTooLargeError(_too_large(len(body), max_bytes, at_least=True))
    except TimeoutError:
        log.warning(
            "http_body_read_timeout",
            path=request.url.path,
            received_bytes=len(body),
            declared_bytes=length,
            timeout_ms=round(timeout_s * 1e3),
        )
        raise BodyReadTimeoutError(
            f"the body was not whole within {timeout_s * 1e3:.0f} ms "
            f"(service.body_read_timeout_ms): {len(body)} of {_expected(length)} bytes arrived; "
            "send the whole body at once"
        ) from None
    except ClientDisconnect:
        log.warning(
            "http_client_disconnected",
            path=request.url.path,
            received_bytes=len(body),
            declared_bytes=length,
        )
        raise ClientDisconnectedError(
            f"the client went away after {len(body)} of {_expected(length)} body bytes"
        ) from None
    return bytes(body)


def _expected(length: int | None) -> str:
    return "an undeclared number of" if length is None else str(length)


def _too_large(size: int, limit: int, at_least: bool = False) -> str:
    amount = f"at least {size}" if at_least else str(size)
    return f"the body has {amount} bytes; this API takes at most {limit} (service.max_body_bytes)"
