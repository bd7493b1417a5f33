"""Errors the generator raises; each says what was wrong and what to run."""

from contracts.errors import ConfigurationError, CopystreamError


class ModelFileError(ConfigurationError):
    """Raised when the exported model folder is missing, incomplete or unreadable."""


class VocabularyMismatchError(ConfigurationError):
    """Raised when the tokenizer and the model or the prompt vocabulary do not fit together."""


class UnsupportedLocaleError(CopystreamError):
    """Raised when a copy is asked for in a locale the rules or the model do not cover."""
