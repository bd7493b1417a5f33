"""Errors the generator raises; each says what was wrong and what to run."""

from contracts.errors import ConfigurationError, CopystreamError


class ModelFileError(ConfigurationError):
    """Raised when the exported model folder is missing, incomplete or unreadable."""


class VocabularyMismatchError(ConfigurationError):
    """Raised when the tokenizer and the model or the prompt vocabulary do not fit together."""


class UnsupportedLocaleError(CopystreamError):
    """Raised when a copy is asked for in a locale the rules or the model do not cover."""


class UnknownProductError(CopystreamError):
    """Raised when a copy is asked for a product that is not in the catalog the service loaded
    (HTTP 404; on Kafka the request is dead-lettered)."""


class InvalidCopyAskError(CopystreamError):
    """Raised when an HTTP copy request body is not JSON or breaks the schema (HTTP 422)."""


class RequestTooLargeError(CopystreamError):
    """Raised when an HTTP body is larger than `service.max_body_bytes` (HTTP 413)."""


class AuthenticationError(CopystreamError):
    """Base of the bearer-token failures of the HTTP API."""


class MissingTokenError(AuthenticationError):
    """Raised when a request carries no `Authorization: Bearer <token>` header (HTTP 401)."""


class WrongTokenError(AuthenticationError):
    """Raised when the bearer token does not match `service.api_token` (HTTP 403)."""


class ServiceUnavailableError(CopystreamError):
    """Base of the temporary refusals: retry later (HTTP 503)."""


class ServiceOverloadedError(ServiceUnavailableError):
    """Raised when the request queue of the model is full (`service.max_queue`)."""


class ServiceNotReadyError(ServiceUnavailableError):
    """Raised when the service is starting (model, Kafka) or shutting down."""


class PublishError(ServiceUnavailableError):
    """Raised when Kafka did not acknowledge a produced copy or dead letter."""


class FeatureReadError(ServiceUnavailableError):
    """Raised when the online feature store could not be read for a decision snapshot, or did
    not answer within `service.feature_read_timeout_ms`."""


class ClientDisconnectedError(CopystreamError):
    """Raised when an HTTP client goes away before its whole body arrived (HTTP 400; the
    answer usually finds no one, but the request ends cleanly instead of with a traceback)."""


class BodyReadTimeoutError(CopystreamError):
    """Raised when an HTTP body does not arrive within `service.body_read_timeout_ms`
    (HTTP 408), so a stalled client cannot hold a connection and a handler open."""


class PromptTooLongError(ConfigurationError):
    """Raised when the model's positions leave no room for a prompt's control tokens after
    `generator.max_new_tokens` (a setting to lower, not an input to refuse)."""
