"""Errors the corpus raises; each says what was wrong and what to change."""

from contracts.errors import CopystreamError


class CorpusError(CopystreamError):
    """Raised when no reference copy fits a brief, or a corpus file cannot be read back."""
