"""The generator service's HTTP API (FastAPI): `POST /v1/copy`, health, readiness, metrics."""
