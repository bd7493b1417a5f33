"""Every error class answers with one HTTP status, decided in one place."""

from __future__ import annotations

import pytest

from contracts.errors import CopystreamError
from serving.errors import (
    AuthenticationError,
    BodyReadTimeoutError,
    ClientDisconnectedError,
    FeatureReadError,
    InvalidCopyAskError,
    MissingTokenError,
    PublishError,
    RequestTooLargeError,
    ServiceNotReadyError,
    ServiceOverloadedError,
    UnknownProductError,
    WrongTokenError,
)
from serving.http.errors import error_response, status_for


@pytest.mark.parametrize(
    ("error", "status"),
    [
        (ClientDisconnectedError, 400),
        (MissingTokenError, 401),
        (WrongTokenError, 403),
        (UnknownProductError, 404),
        (BodyReadTimeoutError, 408),
        (RequestTooLargeError, 413),
        (InvalidCopyAskError, 422),
        (ServiceOverloadedError, 503),
        (ServiceNotReadyError, 503),
        (PublishError, 503),
        (FeatureReadError, 503),
        (AuthenticationError, 500),  # abstract: only its subclasses are raised
        (CopystreamError, 500),
        (RuntimeError, 500),
    ],
)
def test_status_of_each_error(error, status):
    assert status_for(error("x")) == status


def test_error_body_names_the_error_and_says_what_to_do():
    response = error_response(ServiceOverloadedError("queue full; retry shortly"))
    assert response.status_code == 503
    assert (
        response.body == b'{"error":"ServiceOverloadedError","detail":"queue full; retry shortly"}'
    )
