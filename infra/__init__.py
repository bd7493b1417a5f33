"""Local infrastructure for development, tests and the demo: Kafka (KRaft) and Redis.

Installed from package registries only (Maven Central, Debian), started as background
processes on loopback, idempotently. Docker users have docker-compose.yml instead.
"""
