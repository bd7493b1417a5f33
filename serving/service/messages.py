"""Reads one `copy-requests` message into a `CopyRequest`, or says in words why it cannot.

A message that is not JSON, breaks the schema or names a product the catalog lacks raises
`InvalidEventError` with a readable reason and a short error type (the dead-letter metric's
label), so it goes to `dead-letters` instead of stopping the service.
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import ValidationError

from contracts.copies import CopyRequest
from contracts.errors import CopystreamError, InvalidEventError

MAX_DESCRIBED_ERRORS = 5


def describe_validation_error(exc: ValidationError, whole: str = "<message>") -> str:
    """`channel: Input should be 'web', 'app', ...; deadline: Field required` (first few)."""
    parts = []
    for err in exc.errors(include_url=False)[:MAX_DESCRIBED_ERRORS]:
        where = ".".join(str(part) for part in err["loc"]) or whole
        parts.append(f"{where}: {err['msg']}")
    more = exc.error_count() - MAX_DESCRIBED_ERRORS
    return "; ".join(parts) + (f"; and {more} more" if more > 0 else "")


def validation_error_type(exc: ValidationError) -> str:
    kinds = {err["type"] for err in exc.errors()}
    if kinds & {"json_invalid", "json_type"}:
        return "not_json"
    if "missing" in kinds:
        return "missing_field"
    return "invalid_field"


class CopyRequestParser:
    """Validates request messages against the contract and the catalog (`check_product` raises
    a `CopystreamError` for a product the service cannot write about)."""

    def __init__(self, check_product: Callable[[str], object]) -> None:
        self._check_product = check_product

    def parse(self, value: bytes | None) -> CopyRequest:
        if not value:
            raise InvalidEventError("message has no value; produce a CopyRequest as JSON", "empty")
        try:
            request = CopyRequest.model_validate_json(value)
        except ValidationError as exc:
            raise InvalidEventError(
                "not a CopyRequest: " + describe_validation_error(exc),
                validation_error_type(exc),
            ) from exc
        try:
            self._check_product(request.product_id)
        except CopystreamError as exc:
            raise InvalidEventError(str(exc), "unknown_product") from exc
        return request
