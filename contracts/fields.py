"""The field rules every contract shares: ids, shopper-typed text and numbers, defined once.

Whatever passes the event contract must be processable by every stage after it (the decider's
`CopyRequest`, the generator, the outcome log, the HTTP API), so each model takes its field
types from here instead of restating a pattern or a length of its own. Ids that arrive from
outside (a shop's user ids are often e-mail addresses) are printable text; ids Copystream
derives itself (`r-<digest>`, `c-<digest>`) keep a narrow wire-safe pattern.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

PRINTABLE = r"^[^\x00-\x1f\x7f]+$"
"""No control characters (a NUL or newline in an id breaks logs, keys and file formats)."""

MAX_ID_CHARS = 128
MAX_QUERY_CHARS = 256

ExternalId = Annotated[
    str,
    StringConstraints(
        min_length=1, max_length=MAX_ID_CHARS, strip_whitespace=True, pattern=PRINTABLE
    ),
]
"""An id a shop sends (user, session, event, product, order, copy, slot): printable, 1 to 128."""

DerivedId = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")]
"""An id Copystream makes itself (request, copy, snapshot ids): short and wire-safe."""

SearchQuery = Annotated[
    str, StringConstraints(min_length=1, max_length=MAX_QUERY_CHARS, pattern=PRINTABLE)
]
"""What a shopper typed into search. The prompt takes only as much as the model has room for
(`serving.prompting`), so any query this type admits can be written for."""

Price = Annotated[float, Field(ge=0, le=1_000_000, allow_inf_nan=False)]
DiscountPct = Annotated[int, Field(ge=0, le=95)]
Quantity = Annotated[int, Field(ge=1, le=1000)]
