"""Applies `product-activity` messages to per-product popularity state; pure of I/O."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from contracts.activity import ProductActivityBatch
from contracts.dead_letter import DeadLetter
from contracts.settings import Settings
from streams.messages import RawMessage
from streams.product_state import ProductPopularityState
from streams.state_store import KeyedState


@dataclass
class ProductBatchResult:
    rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    timestamps: dict[str, float] = field(default_factory=dict)
    dead_letters: list[DeadLetter] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)


class ProductPopularityProcessor:
    def __init__(
        self, settings: Settings, states: KeyedState[ProductPopularityState], worker: str
    ) -> None:
        self._cfg = settings.streams
        self._states = states
        self._worker = worker

    def process(self, messages: list[RawMessage]) -> ProductBatchResult:
        result = ProductBatchResult()
        changed: dict[str, tuple[ProductPopularityState, int]] = {}
        # Every product in the batch gets its row rewritten from state, replays included: a
        # replayed item was read again because its batch was never acked, so its row write may
        # never have landed (rewriting is idempotent, as for user rows).
        rows_from: dict[str, ProductPopularityState] = {}
        for message in messages:
            try:
                batch = ProductActivityBatch.model_validate_json(message.value or b"")
            except ValidationError as exc:
                result.dead_letters.append(
                    message.dead_letter("invalid_product_activity", str(exc), self._worker)
                )
                continue
            for key, items in batch.products.items():
                state = rows_from.get(key) or self._states.get(key) or ProductPopularityState()
                applied = state.apply(batch.source_partition, items, self._cfg)
                result.outcomes["applied"] += applied
                result.outcomes["replayed"] += len(items) - applied
                rows_from[key] = state
                if applied:
                    changed[key] = (state, message.partition)
        for product_id, (state, partition) in changed.items():
            self._states.put(product_id, state, partition)
        for product_id, state in rows_from.items():
            result.rows[product_id] = state.features(self._cfg)
            result.timestamps[product_id] = state.last_event_at
        return result
