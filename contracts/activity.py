"""`product-activity`: product counts forwarded from the user stream, one message per target
partition per micro-batch (products are routed by the Kafka partitioner on product id).

Each item carries its source offset in `user-events`, so the product side can drop items it
already applied (a replay after a crash) by keeping a high-water mark per source partition.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

ActivityItem = tuple[int, str, float]  # (source offset, count kind, event ts seconds)


class ProductActivityBatch(BaseModel):
    model_config = ConfigDict(frozen=True)

    source_partition: int
    products: dict[str, list[ActivityItem]]
