"""The one place that says which HTTP status each error class answers with.

Lookups walk the exception's class hierarchy, so a subclass answers like its base unless it
has an entry of its own; any other error is a 500. Every error answer has the same JSON body
(`ErrorBody`), unexpected exceptions included.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from contracts.errors import CopystreamError
from contracts.logs import get_logger
from serving.errors import (
    BodyReadTimeoutError,
    ClientDisconnectedError,
    InvalidCopyAskError,
    MissingTokenError,
    RequestTooLargeError,
    ServiceUnavailableError,
    UnknownProductError,
    UnsupportedLocaleError,
    WrongTokenError,
)

log = get_logger(__name__)

STATUS_OF: dict[type[Exception], int] = {
    ClientDisconnectedError: 400,
    MissingTokenError: 401,
    WrongTokenError: 403,
    UnknownProductError: 404,
    BodyReadTimeoutError: 408,
    RequestTooLargeError: 413,
    InvalidCopyAskError: 422,
    UnsupportedLocaleError: 422,
    ServiceUnavailableError: 503,
}
RETRY_AFTER_S = 1
# The body was not read whole, so the rest of the connection cannot be framed: close it.
_CLOSES_CONNECTION = (ClientDisconnectedError, BodyReadTimeoutError)


class ErrorBody(BaseModel):
    """What every error answer carries (for the OpenAPI document)."""

    error: str
    detail: str


def status_for(exc: BaseException) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS_OF:
            return STATUS_OF[cls]
    return 500


def error_response(exc: CopystreamError) -> JSONResponse:
    """`{"error": "<ErrorClass>", "detail": "<what and what to do>"}` with its status."""
    status = status_for(exc)
    headers = {}
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    elif status == 503:
        headers["Retry-After"] = str(RETRY_AFTER_S)
    if isinstance(exc, _CLOSES_CONNECTION):
        headers["Connection"] = "close"
    return JSONResponse(
        {"error": type(exc).__name__, "detail": str(exc)}, status_code=status, headers=headers
    )


def unexpected_error_response(request: Request, exc: Exception) -> JSONResponse:
    """A 500 for an exception no handler expected, logged here once with its traceback; the
    body names no internals (they are in the log, event `http_unexpected_error`)."""
    _log_unexpected(request, exc)
    return JSONResponse(
        {
            "error": "InternalError",
            "detail": "the service failed unexpectedly on this request; it was logged "
            "(http_unexpected_error); retry, and report it if it persists",
        },
        status_code=500,
    )


async def handle_copystream_error(request: Request, exc: Exception) -> JSONResponse:
    """FastAPI exception handler for every `CopystreamError`; one without a status of its own
    reached the caller by mistake, so it is logged like any unexpected error."""
    assert isinstance(exc, CopystreamError)
    response = error_response(exc)
    if response.status_code == 500:
        _log_unexpected(request, exc)
    return response


def documented_responses() -> dict[int | str, dict[str, Any]]:
    """The error answers of `STATUS_OF` (and the 500), for the OpenAPI document."""
    names: dict[int, list[str]] = {}
    for cls, status in STATUS_OF.items():
        names.setdefault(status, []).append(cls.__name__)
    names[500] = ["InternalError"]
    return {
        status: {"model": ErrorBody, "description": ", ".join(errors)}
        for status, errors in sorted(names.items())
    }


def _log_unexpected(request: Request, exc: Exception) -> None:
    log.error(
        "http_unexpected_error",
        method=request.method,
        path=request.url.path,
        error_type=type(exc).__name__,
        exc_info=exc,
    )
