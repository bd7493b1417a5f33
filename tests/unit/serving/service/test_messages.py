"""copy-requests messages: valid ones parse; the rest get a readable reason and an error type."""

from __future__ import annotations

import json

import pytest

from contracts.errors import InvalidEventError
from serving.errors import UnknownProductError
from serving.service.messages import CopyRequestParser
from tests.unit.serving.service.factories import make_request


def _known(product_id: str) -> None:
    if product_id != "p00001":
        raise UnknownProductError(f"product {product_id!r} is not in the catalog")


PARSER = CopyRequestParser(_known)


def _payload(**changes: object) -> bytes:
    doc = json.loads(make_request().model_dump_json())
    doc.update(changes)
    return json.dumps(doc).encode()


def test_valid_request_parses():
    request = make_request()
    assert PARSER.parse(request.model_dump_json().encode()) == request


@pytest.mark.parametrize(
    ("value", "error_type", "says"),
    [
        (None, "empty", "no value"),
        (b"{not json", "not_json", "JSON"),
        (_payload(channel="billboard"), "invalid_field", "channel"),
        (_payload(propensity=0), "invalid_field", "propensity"),
        (_payload(deadline="2025-03-01T11:00:00Z"), "invalid_field", "not after created_at"),
        (_payload(features=None), "invalid_field", "features"),
        (json.dumps({"request_id": "r-1"}).encode(), "missing_field", "Field required"),
        (_payload(product_id="p99999"), "unknown_product", "'p99999' is not in the catalog"),
    ],
)
def test_invalid_messages_say_what_is_wrong(value, error_type, says):
    with pytest.raises(InvalidEventError) as caught:
        PARSER.parse(value)
    assert caught.value.error_type == error_type
    assert says in caught.value.reason
