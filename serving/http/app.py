"""The FastAPI app of the generator service, built from its collaborators (tests pass fakes).

`POST /v1/copy` checks the bearer token, then the body size, then the fields, and only then
does work; every refusal is a `CopystreamError` whose status comes from `serving.http.errors`.
Any other exception is answered with a JSON 500 and logged once; it ends that request only.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol

from fastapi import FastAPI, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from pydantic import SecretStr

from contracts.copies import GeneratedCopy
from contracts.errors import CopystreamError
from policy.requests import CopyAsk
from serving.http.body import CopyAskBody
from serving.http.errors import (
    documented_responses,
    handle_copystream_error,
    unexpected_error_response,
)
from serving.http.guards import BearerToken, read_limited_body
from serving.metrics import HTTP_SECONDS

COPY_ROUTE = "/v1/copy"
VERSION_ROUTE = "/version"
ROUTES = frozenset({COPY_ROUTE, "/healthz", "/readyz", VERSION_ROUTE, "/metrics"})


class CopyService(Protocol):
    """`serving.service.on_demand.OnDemandCopies`: an ask in, its published copy out."""

    async def copy(self, ask: CopyAsk) -> GeneratedCopy: ...


Readiness = Callable[[], Mapping[str, bool]]
"""Each readiness check by name (model, producer, consumer, ...); ready when all are true."""
Versions = Callable[[], Mapping[str, str | None]]
"""The release being served and the version of each part (None: no release, no such part)."""


def create_app(
    copies: CopyService,
    readiness: Readiness,
    *,
    api_token: SecretStr,
    max_body_bytes: int,
    body_read_timeout_s: float,
    versions: Versions | None = None,
) -> FastAPI:
    app = FastAPI(title="Copystream generator service", version="1")
    app.add_exception_handler(CopystreamError, handle_copystream_error)
    bearer = BearerToken(api_token)

    @app.middleware("http")
    async def time_handlers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.perf_counter()
        route = request.url.path if request.url.path in ROUTES else "other"
        status = 500
        try:
            # Exceptions no handler maps end here, not in uvicorn: a JSON 500, logged once.
            try:
                response = await call_next(request)
            except Exception as exc:
                response = unexpected_error_response(request, exc)
            status = response.status_code
            return response
        finally:
            HTTP_SECONDS.labels(route=route, status=str(status)).observe(
                time.perf_counter() - started
            )

    @app.post(
        COPY_ROUTE,
        response_model=GeneratedCopy,
        responses=documented_responses(),
        openapi_extra={"requestBody": _body_document()},
    )
    async def write_copy(request: Request) -> Response:
        """A checked copy for one user and product, decided and written now (explicit trigger);
        it is also produced to `generated-copy`. Send `Authorization: Bearer <token>`."""
        bearer.check(request.headers.get("authorization"))
        raw = await read_limited_body(request, max_body_bytes, body_read_timeout_s)
        body = CopyAskBody.parse(raw)
        copy = await copies.copy(body.ask())
        return Response(copy.model_dump_json(), media_type="application/json")

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        """The process is alive (the event loop answers)."""
        return {"status": "alive"}

    @app.get("/readyz")
    async def readyz() -> JSONResponse:
        """200 once the model is loaded, the consumer has partitions and the producer runs."""
        checks = dict(readiness())
        ready = all(checks.values())
        return JSONResponse({"ready": ready, "checks": checks}, status_code=200 if ready else 503)

    @app.get(VERSION_ROUTE)
    async def version() -> dict[str, str | None]:
        """What is serving now: release, model_version, policy_version, reward_model_version.
        It changes without a restart when a new release is published."""
        return dict(versions()) if versions is not None else {}

    @app.get("/metrics")
    async def metrics() -> Response:
        return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)

    return app


def _body_document() -> dict[str, Any]:
    """The OpenAPI `requestBody` of `POST /v1/copy`. The route reads the raw body itself (the
    size is checked before anything is parsed), so FastAPI cannot derive this from a parameter.
    """
    schema = _inline_defs(CopyAskBody.model_json_schema())
    return {"required": True, "content": {"application/json": {"schema": schema}}}


def _inline_defs(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` with each `#/$defs/...` reference replaced by its definition: in an OpenAPI
    document such a reference would point at the document's root, which has no `$defs`."""
    defs = schema.get("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                rest = {key: value for key, value in node.items() if key != "$ref"}
                return inline({**defs[ref.removeprefix("#/$defs/")], **rest})
            return {key: inline(value) for key, value in node.items() if key != "$defs"}
        if isinstance(node, list):
            return [inline(item) for item in node]
        return node

    result: dict[str, Any] = inline(schema)
    return result
