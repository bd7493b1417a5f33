"""One exception tree for the whole project, so callers can catch `CopystreamError`."""


class CopystreamError(Exception):
    """Base class of every error Copystream raises on purpose."""


class ConfigurationError(CopystreamError):
    """Raised when settings or files on disk do not describe a usable setup."""


class InfrastructureError(CopystreamError):
    """Raised when a local service (Kafka, Redis) cannot be installed, started or reached."""


class InvalidEventError(CopystreamError):
    """Raised when a message on a topic does not match its contract; carries a readable reason."""

    def __init__(self, reason: str, error_type: str) -> None:
        super().__init__(reason)
        self.reason = reason
        self.error_type = error_type


class CatalogError(CopystreamError):
    """Raised when a catalog file cannot be read at all (bad rows are reported, not raised)."""


class PolicyLoadError(ConfigurationError):
    """Raised when a published angle policy (manifest and VW model) is present but unusable."""
