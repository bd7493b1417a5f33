"""The one place that says which HTTP status each error class answers with.

Lookups walk the exception's class hierarchy, so a subclass answers like its base unless it
has an entry of its own; any other error is a 500.
"""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import JSONResponse

from contracts.errors import CopystreamError
from serving.errors import (
    InvalidCopyAskError,
    MissingTokenError,
    RequestTooLargeError,
    ServiceUnavailableError,
    UnknownProductError,
    UnsupportedLocaleError,
    WrongTokenError,
)

STATUS_OF: dict[type[Exception], int] = {
    MissingTokenError: 401,
    WrongTokenError: 403,
    UnknownProductError: 404,
    RequestTooLargeError: 413,
    InvalidCopyAskError: 422,
    UnsupportedLocaleError: 422,
    ServiceUnavailableError: 503,
}
RETRY_AFTER_S = 1


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
    return JSONResponse(
        {"error": type(exc).__name__, "detail": str(exc)}, status_code=status, headers=headers
    )


async def handle_copystream_error(request: Request, exc: Exception) -> JSONResponse:
    """FastAPI exception handler for every `CopystreamError`."""
    assert isinstance(exc, CopystreamError)
    return error_response(exc)
