"""Wire contracts shared by every Copystream package: schemas, settings, errors.

This is the only module that `streams`, `features`, `serving` and `training` all import;
it holds no behaviour beyond validation.
"""

from contracts.errors import CopystreamError
from contracts.settings import Settings

__all__ = ["CopystreamError", "Settings"]
