"""`product-activity`: per-batch product counts forwarded from the user stream, keyed by product.

Each item carries its source offset in `user-events`, so the product side can drop items it
already applied (a replay after a crash) by keeping a high-water mark per source partition.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ProductActivity(BaseModel):
    model_config = ConfigDict(frozen=True)

    product_id: str
    source_partition: int
    items: list[tuple[int, str, float]]  # (source offset, count kind, event ts seconds)
